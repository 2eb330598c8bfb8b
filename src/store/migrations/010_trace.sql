-- Rhythm schema, version 10: the trace context an execution's spans join (docs/telemetry.md), as
-- a W3C traceparent ("00-<trace id>-<span id>-<flags>"): the span of the code that started it, or
-- of the workflow activation that started it (tasks and children join their parent's trace).
-- Null when nobody traced the start. Read only by workers (Claim, WakeLock): no index.
alter table :SCHEMA.executions add column trace text;
