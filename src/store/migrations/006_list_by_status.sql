-- Rhythm schema, version 6: a page of executions of one status, newest first, walks an index in
-- that order at any depth (the dashboard's status filter, `list({ status })`). It replaces the
-- (status, name) index, which no statement used, so a status change feeds as many indexes as
-- before. 1,000,000 rows, the newest failed one 500,000 rows back (EXPLAIN ANALYZE, Postgres 15):
-- the first page of failed executions took 186 ms walking executions_list, 0.03 ms here.
drop index if exists :SCHEMA.executions_status_name;
create index executions_status_list on :SCHEMA.executions (status, created_at desc, id desc);
