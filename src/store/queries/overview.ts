// Reads for people looking at the system (the dashboard and the HTTP API): one execution's
// timeline, queue depths, capped status counts, the queues of executions that just finished, and
// workflow versions with their source. None of them runs on a worker's path.

export const OVERVIEW_QUERIES = {
  // What a workflow started, in one statement: its first $2 tasks and children in the order it
  // started them (its handles count up), with attempts, times and every attempt's error, values
  // cut to $3 characters of JSON text; how many children there are; its signal waits in the order
  // they take signals; no row when there is no such execution. (Its timers and buffered signals
  // come with get(): GetDetailed.)
  Timeline: `
    select
      (select coalesce(jsonb_agg(jsonb_build_object(
                'id', c.id, 'kind', c.kind, 'name', c.name, 'status', c.status, 'queue', c.queue,
                'attempt', c.attempt, 'max_attempts', c.max_attempts,
                'created_at', c.created_at, 'started_at', c.started_at, 'finished_at', c.finished_at, 'run_at', c.run_at,
                'inputs', left(c.inputs::text, $3), 'output', left(c.output::text, $3),
                'cut', length(c.inputs::text) > $3 or coalesce(length(c.output::text), 0) > $3,
                'error', case when c.error is not null then jsonb_build_object('name', c.error->>'name', 'type', c.error->>'type',
                         'message', left(c.error->>'message', $3)) end,
                'errors', (select coalesce(jsonb_agg(jsonb_build_object('name', x->>'name', 'type', x->>'type',
                           'message', left(x->>'message', $3)) order by n), '[]'::jsonb)
                           from json_array_elements(c.errors) with ordinality as a(x, n)))
              order by c.parent_handle, c.id), '[]'::jsonb)
         from (select c.id, c.kind, c.name, c.status, c.queue, c.attempt, c.max_attempts, c.created_at, c.started_at, c.finished_at,
                 c.run_at, c.inputs, c.output, c.error, c.errors, c.parent_handle
               from :SCHEMA.executions c where c.parent_id = $1 order by c.parent_handle, c.id limit $2) c) as children,
      (select count(*) from :SCHEMA.executions c where c.parent_id = $1)::integer as child_count,
      (select coalesce(jsonb_agg(jsonb_build_object('handle', w.handle, 'name', w.name) order by w.seq), '[]'::jsonb)
         from :SCHEMA.signal_waits w where w.execution_id = $1) as signal_waits
    from :SCHEMA.executions e where e.id = $1`,
  // The last $3 log lines of an execution and of each of its first $2 children, in time order.
  TimelineLogs: `
    select l.execution_id, l.level, l.message, l.line, l.created_at
    from (select $1::uuid as id
          union all (select id from :SCHEMA.executions where parent_id = $1 order by parent_handle, id limit $2)) x
    cross join lateral (
      select execution_id, level, message, line, created_at, seq from :SCHEMA.logs
      where execution_id = x.id order by seq desc limit $3
    ) l
    order by l.created_at, l.seq`,
  // Work waiting or running, by queue and name: ready now, due later, running, the oldest ready.
  QueueDepths: `
    select queue, kind, name,
      count(*) filter (where status = 'queued' and run_at <= now())::integer as ready,
      count(*) filter (where status = 'queued' and run_at > now())::integer as later,
      count(*) filter (where status = 'running')::integer as running,
      min(run_at) filter (where status = 'queued' and run_at <= now()) as oldest_ready,
      min(run_at) filter (where status = 'queued' and run_at > now()) as next_later
    from :SCHEMA.executions where status in ('queued', 'running')
    group by queue, kind, name order by queue, kind, name`,
  // How many executions have each status of $1, counting at most $2 of each (executions_status_list).
  StatusCounts: `
    select s.status, (select count(*) from (select 1 from :SCHEMA.executions e where e.status = s.status limit $2) x)::integer as n
    from unnest($1::text[]) as s(status)`,
  // The queue and status of executions that just finished (ids of "d:" notifications).
  FinishedByQueue: `
    select queue, status, count(*)::integer as n from :SCHEMA.executions where id = any($1::uuid[]) group by queue, status`,
  VersionList: `
    select name, version, deployed_at, octet_length(source) as bytes from :SCHEMA.workflow_versions order by name, deployed_at desc`,
  VersionSource: `select name, version, source, deployed_at from :SCHEMA.workflow_versions where name = $1 and version = $2`,
} as const;
