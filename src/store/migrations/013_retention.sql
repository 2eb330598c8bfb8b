-- Rhythm schema, version 13: retention. Workers delete finished executions older than an age per
-- status in small batches, oldest first: this index finds them without reading the live rows.
create index executions_finished on :SCHEMA.executions (status, finished_at) where finished_at is not null;
