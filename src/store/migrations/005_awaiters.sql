-- Rhythm schema, version 5: several workflows awaiting one execution (issue 14). A workflow's
-- Task.run or Workflow.run whose idempotency key is already taken (by another workflow's call, an
-- earlier call of its own, or queueTask/startWorkflow) starts nothing: it awaits the execution
-- that holds the key, and its handle settles with that execution's outcome when it ends (at once
-- when it has ended). `parent_id`/`parent_handle` stay the one workflow that started it; the
-- others are its awaiters.
-- `awaited`: the execution has awaiters (set under its row lock, so whoever finishes it, in any
-- transaction, reads them after and tells them); `awaited_error`: what a workflow awaiting a task
-- that failed for good throws (its TaskError, as the parent got it), for awaiters that come later.
alter table :SCHEMA.executions add column awaited boolean not null default false;
alter table :SCHEMA.executions add column awaited_error json;

create table :SCHEMA.awaiters (
  seq           bigserial primary key,
  execution_id  uuid not null references :SCHEMA.executions (id) on delete cascade,
  workflow_id   uuid not null references :SCHEMA.executions (id) on delete cascade,
  handle        integer not null
);
create index awaiters_execution on :SCHEMA.awaiters (execution_id, seq);
create index awaiters_workflow on :SCHEMA.awaiters (workflow_id);
