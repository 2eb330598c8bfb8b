-- Rhythm schema, version 15: `debounce: { key, delay, maxWait? }` (SPEC §9). While an execution
-- started with a key has not started yet, a start with the same kind, name and key is that
-- execution: its inputs are replaced and its run_at moved to now + delay, never past
-- `debounce_until` (the first start + maxWait; null: no cap). The unique index below holds only
-- executions that have not started (queued, never claimed), so one statement decides it
-- (store/debounce.ts: INSERT … ON CONFLICT DO UPDATE): concurrent starts with one key serialize on
-- its index entry; a claim that took the row first takes it out of the index, and the start that
-- waited for it then inserts the next execution.
alter table :SCHEMA.executions add column debounce_key text;
alter table :SCHEMA.executions add column debounce_until timestamptz;
create unique index executions_debounce on :SCHEMA.executions (kind, name, debounce_key)
  where debounce_key is not null and status = 'queued' and started_at is null;
