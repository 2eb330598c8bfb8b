-- Rhythm schema, version 14: a workflow's `timeout` (SPEC §9). The whole run fails with a Timeout
-- error once `run_timeout_ms` have passed since its first activation began (started_at: the queue
-- wait does not count), and what it started that is still going is cancelled.
-- The deadline is a timer of kind 'deadline' (handle -1, which no workflow handle uses), so workers
-- sleep until it exactly as until any timer (NextDue) instead of polling for overdue runs. It is
-- written by a trigger in the statement that first sets started_at — Claim, or ActivationsSettle
-- for a workflow activated inside a step — so no path that starts a workflow can miss it, and it
-- exists before the first activation commits. The NOTIFY "t" makes workers read the next timer again.
alter table :SCHEMA.executions add column run_timeout_ms integer check (run_timeout_ms >= 0);

alter table :SCHEMA.timers drop constraint timers_kind_check;
alter table :SCHEMA.timers add constraint timers_kind_check check (kind in ('timer', 'signal-timeout', 'deadline'));

create function :SCHEMA.rhythm_deadline_timer() returns trigger language plpgsql as $$
begin
  execute format('insert into %I.timers (execution_id, handle, fire_at, kind) values ($1, -1, $2, ''deadline'')
                  on conflict (execution_id, handle) do nothing', tg_table_schema)
    using new.id, new.started_at + new.run_timeout_ms * interval '1 millisecond';
  perform pg_notify(tg_table_schema || '_events', 't');
  return null;
end $$;

create trigger executions_deadline after update of started_at on :SCHEMA.executions
  for each row when (old.started_at is null and new.started_at is not null and new.run_timeout_ms is not null)
  execute function :SCHEMA.rhythm_deadline_timer();
