// Timers on the database clock: Timer.delay/until and Signal.when timeouts.

export const TIMER_QUERIES = {
  TimerInsert: `
    insert into :SCHEMA.timers (execution_id, handle, fire_at, kind)
    select t.execution_id, t.handle, to_timestamp(t.at / 1000.0), t.kind
    from jsonb_to_recordset($1::jsonb) as t(execution_id uuid, handle integer, at double precision, kind text)`,
  TimersDue: `
    delete from :SCHEMA.timers t
    using (select execution_id, handle from :SCHEMA.timers where fire_at <= now() order by fire_at limit $1 for update skip locked) due
    where t.execution_id = due.execution_id and t.handle = due.handle
    returning t.execution_id, t.handle, t.kind`,
  NextTimer: `select extract(epoch from (min(fire_at) - now())) * 1000 as ms from :SCHEMA.timers`,
} as const;
