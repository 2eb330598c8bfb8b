// Reads of executions, their logs and the running workers, and the workers' own rows.

import { nextDueColumns } from "./timers.js";

/** What a listed execution is read with (Execution of execution.ts; not the saved state). */
const COLUMNS = `id, kind, name, version, status, queue, priority, run_at, inputs, output, error, error_at, errors, attempt, parent_id,
  waits, created_at, started_at, finished_at, schedule_name`;

export const READ_QUERIES = {
  Get: `select * from :SCHEMA.executions where id = $1`,
  // One execution with what a person asks of a workflow, in the same statement: the tasks and
  // children it started (the first $2 in the order it started them — its handles count up —, and
  // how many there are), its timers and Signal.when
  // timeouts not yet fired (with the signal's name), and the signals nothing has taken yet.
  GetDetailed: `
    select e.*,
      (select coalesce(jsonb_agg(jsonb_build_object('id', c.id, 'kind', c.kind, 'name', c.name, 'status', c.status,
              'handle', c.parent_handle, 'run_at', c.run_at, 'created_at', c.created_at, 'finished_at', c.finished_at)
              order by c.parent_handle, c.id), '[]'::jsonb)
         from (select c.id, c.kind, c.name, c.status, c.parent_handle, c.run_at, c.created_at, c.finished_at
               from :SCHEMA.executions c where c.parent_id = e.id order by c.parent_handle, c.id limit $2) c) as children,
      (select count(*) from :SCHEMA.executions c where c.parent_id = e.id)::integer as child_count,
      (select coalesce(jsonb_agg(jsonb_build_object('handle', t.handle, 'kind', t.kind, 'fire_at', t.fire_at, 'signal', w.name)
              order by t.fire_at, t.handle), '[]'::jsonb)
         from :SCHEMA.timers t
         left join :SCHEMA.signal_waits w on w.execution_id = t.execution_id and w.handle = t.handle
         where t.execution_id = e.id) as timers,
      -- (json, not jsonb: a payload keeps its keys in the order they were sent)
      (select coalesce(json_agg(json_build_object('name', s.name, 'payload', s.payload, 'created_at', s.created_at)
              order by s.seq), '[]'::json)
         from :SCHEMA.signals s where s.execution_id = e.id) as buffered
    from :SCHEMA.executions e where e.id = $1`,
  // Pages, newest first; the cursor is the last id of the previous page. One statement per shape,
  // each walking its own index at any depth whatever the plan cache makes of it (a generic plan
  // cannot pick an index through "$1 is null or status = $1"): a workflow's children through
  // executions_parent, one status through executions_status_list, the rest through
  // executions_list. The saved state (up to 2 MiB a row) is not read.
  ListByParent: `
    select ${COLUMNS} from :SCHEMA.executions
    where parent_id = $1 and ($2::text is null or status = $2) and ($3::text is null or name = $3)
      and ($4::text is null or queue = $4) and ($5::text is null or kind = $5)
      and ($6::uuid is null or (created_at, id) < (select c.created_at, c.id from :SCHEMA.executions c where c.id = $6))
    order by created_at desc, id desc
    limit $7`,
  ListByStatus: `
    select ${COLUMNS} from :SCHEMA.executions
    where status = $1 and ($2::text is null or name = $2) and ($3::text is null or queue = $3) and ($4::text is null or kind = $4)
      and ($5::uuid is null or (created_at, id) < (select c.created_at, c.id from :SCHEMA.executions c where c.id = $5))
      and (not $7::boolean or parent_id is null)
    order by created_at desc, id desc
    limit $6`,
  List: `
    select ${COLUMNS} from :SCHEMA.executions
    where ($1::text is null or name = $1) and ($2::text is null or queue = $2) and ($3::text is null or kind = $3)
      and ($4::uuid is null or (created_at, id) < (select c.created_at, c.id from :SCHEMA.executions c where c.id = $4))
      and (not $6::boolean or parent_id is null)
    order by created_at desc, id desc
    limit $5`,
  // Ids that begin with a prefix ($1 and $2: the lowest and highest uuid with it), by the primary key.
  ListByIdPrefix: `select ${COLUMNS} from :SCHEMA.executions where id between $1 and $2 order by id limit $3`,
  // What suspended workflows wait on that has not started: their queued children.
  QueuedChildren: `
    select id, kind, name, queue, parent_id from :SCHEMA.executions
    where parent_id = any($1::uuid[]) and status = 'queued' order by created_at, id`,
  // Log lines of workflows (console.*) and of task handlers (ctx.log), in the order given.
  LogInsert: `
    insert into :SCHEMA.logs (execution_id, level, message, line, source)
    select l.execution_id, l.level, l.message, l.line, l.source
    from rows from (jsonb_to_recordset($1::jsonb) as (execution_id uuid, level text, message text, line integer, source text))
      with ordinality as l(execution_id, level, message, line, source, n)
    order by l.n`,
  Logs: `select level, message, line, source, created_at from :SCHEMA.logs where execution_id = $1 order by seq`,
  // What `rhythm inspect` reads: a workflow's saved state with its version's source and program,
  InspectState: `
    select e.id, e.kind, e.name, e.status, e.version, e.state, v.source, v.program
    from :SCHEMA.executions e
    left join :SCHEMA.workflow_versions v on v.name = e.name and v.version = e.version
    where e.id = $1`,
  // and what the store knows of the handles $2 the state holds: the executions (tasks, children)
  // started for them, or awaited by them (a call whose idempotency key was taken), and when their
  // timers (and Signal.when timeouts) fire.
  InspectHandles: `
    select parent_handle as handle, id::text as id, null::timestamptz as fire_at from :SCHEMA.executions
    where parent_id = $1 and parent_handle = any($2::integer[])
    union all
    select handle, execution_id::text, null from :SCHEMA.awaiters where workflow_id = $1 and handle = any($2::integer[])
    union all
    select handle, null::text, fire_at from :SCHEMA.timers where execution_id = $1 and handle = any($2::integer[])`,
  // A worker's row (see 002_workers.sql), written at start and every WORKER_BEAT_MS; rows of
  // workers gone for an hour go. It also reads what the worker sleeps until: the next timer, the
  // next due work of its queues (NextDue's columns) and the earliest lease to expire
  // (executions_expired), so an idle worker's round every beat is this one statement.
  WorkerBeat: `
    with gone as (delete from :SCHEMA.workers where seen_at < now() - interval '1 hour' and id <> $1),
    beat as (
      insert into :SCHEMA.workers (id, queues, tasks) values ($1, $2, $3)
      on conflict (id) do update set queues = excluded.queues, tasks = excluded.tasks, seen_at = now()
    )
    select ${nextDueColumns("$2")},
           extract(epoch from ((select min(lease_expires_at) from :SCHEMA.executions where status = 'running') - now())) * 1000 as lease_ms`,
  WorkerGone: `delete from :SCHEMA.workers where id = $1`,
  // $1: how long ago a live worker last wrote its row, in ms
  LiveWorkers: `
    select id, queues, tasks, started_at, seen_at from :SCHEMA.workers
    where seen_at > now() - $1 * interval '1 millisecond' order by started_at, id`,
} as const;
