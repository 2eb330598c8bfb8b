-- Rhythm schema, version 7: lost activations are counted on the workflow's row (its thread died,
-- overran its time, the host refused what it produced, or its lease expired), with the last
-- reason; a successful activation sets the count back to 0. A few in a row fail the workflow
-- with ActivationCrashed instead of running it again forever (src/worker/lost-activations.ts).
alter table :SCHEMA.executions
  add column if not exists activation_failures integer not null default 0,
  add column if not exists activation_error text;
