-- Rhythm schema, version 4: what `rhythm run` reports and the engine did not keep.
-- `error_at`: where a failed workflow threw its error, "file:line:col (function)" (the file as it
-- was deployed); null for tasks, for errors with no throw site, and for rows written before.
-- `logs.source`: "console" for a workflow's console.* lines, "runtime" for the interpreter's own
-- (an error in a concurrent function nothing awaits), "task" for a handler's ctx.log; null for
-- lines written before it was recorded.
alter table :SCHEMA.executions add column error_at text;
alter table :SCHEMA.logs add column source text check (source in ('console', 'runtime', 'task'));
