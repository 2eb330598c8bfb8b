// Timers on the database clock: Timer.delay/until and Signal.when timeouts; and when the next
// timer fires and the next queued execution of some queues comes due.

/**
 * The columns of NextDue (timer_ms, due_ms) for the queues in parameter `$n`: also read by the
 * worker's beat (WorkerBeat), so an idle worker's periodic round is one statement.
 */
export function nextDueColumns(queuesParam: string): string {
  return NEXT_DUE_COLUMNS.replaceAll("$QUEUES", queuesParam);
}

const NEXT_DUE_COLUMNS = `
           extract(epoch from ((select min(fire_at) from :SCHEMA.timers) - now())) * 1000 as timer_ms,
           extract(epoch from ((
             select min(d.run_at) from unnest($QUEUES::text[]) as q(name)
             cross join lateral (
               with recursive p(priority) as (
                 (select priority from :SCHEMA.executions where status = 'queued' and not parked and queue = q.name order by priority desc limit 1)
                 union all
                 select (select e.priority from :SCHEMA.executions e
                         where e.status = 'queued' and not parked and e.queue = q.name and e.priority < p.priority
                         order by e.priority desc limit 1)
                 from p where p.priority is not null
               )
               select (select e.run_at from :SCHEMA.executions e
                       where e.status = 'queued' and not parked and e.queue = q.name and e.priority = p.priority and e.run_at > now()
                       order by e.run_at limit 1) as run_at
               from p
             ) d
           ) - now())) * 1000 as due_ms`;

export const TIMER_QUERIES = {
  TimerInsert: `
    insert into :SCHEMA.timers (execution_id, handle, fire_at, kind)
    select t.execution_id, t.handle, to_timestamp(t.at / 1000.0), t.kind
    from jsonb_to_recordset($1::jsonb) as t(execution_id uuid, handle integer, at double precision, kind text)`,
  TimersDue: `
    delete from :SCHEMA.timers t
    using (select execution_id, handle from :SCHEMA.timers where fire_at <= now() and kind <> 'deadline' order by fire_at limit $1 for update skip locked) due
    where t.execution_id = due.execution_id and t.handle = due.handle
    returning t.execution_id, t.handle, t.kind, t.root_id`,
  // Milliseconds until the next timer, and until the earliest queued execution of the queues $1
  // that is not runnable yet (a delay, a runAt, a retry's backoff): a worker sleeps until then.
  // The latter seeks executions_claim (queue, priority desc, run_at) once per distinct priority
  // of each queue (a loose index scan: a recursive CTE steps from one priority to the next lower),
  // then the first run_at after now within it — a few index probes however many rows wait,
  // where min(run_at) over the queue read every queued row (0.15 ms with 20,000 queued rows).
  NextDue: `select ${nextDueColumns("$1")}`,
} as const;
