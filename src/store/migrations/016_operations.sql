-- Rhythm schema, version 16: operations on paused runs (rhythm fork, set, retry; docs/operations.md).
-- A failed workflow keeps its last saved state (the one it was suspended in before the activation
-- that failed: ActivationsSettle no longer clears it on failure), so `rhythm retry` can continue
-- it from the await whose failure it did not catch. Completed and cancelled runs still drop it.
-- `logs.source` "operation": a line written by a person's operation on the run (a variable set,
-- a fork, a retry), saying what changed and who asked.
alter table :SCHEMA.logs drop constraint if exists logs_source_check;
alter table :SCHEMA.logs add constraint logs_source_check check (source in ('console', 'runtime', 'task', 'operation'));
-- `forked_from`: the run a fork was copied from (null for every other execution).
alter table :SCHEMA.executions add column forked_from uuid;
