// Every SQL statement of the engine, static and named. ":SCHEMA" becomes the quoted schema name
// once per store; every value is a parameter.

// One statement for any number of executions; a repeated idempotency key inserts nothing.
// A row with a claim token is inserted already claimed (running, attempt 1) by the worker
// whose activation started it: dispatched without a claim round trip.
const enqueueFrom = (rows: string) => `
    insert into :SCHEMA.executions
      (id, kind, name, version, status, queue, priority, run_at, inputs, max_attempts, backoff, timeout_ms,
       parent_id, parent_handle, idempotency_key, attempt, claim_token, worker_id, lease_expires_at, started_at)
    select t.id, t.kind, t.name, t.version, case when t.claim_token is null then 'queued' else 'running' end, t.queue, t.priority,
           coalesce(t.run_at, now() + t.delay_ms * interval '1 millisecond'), coalesce(t.inputs, 'null'::jsonb), t.max_attempts, t.backoff,
           t.timeout_ms, t.parent_id, t.parent_handle, t.idempotency_key,
           case when t.claim_token is null then 0 else 1 end, t.claim_token, t.worker_id,
           case when t.claim_token is null then null else now() + coalesce(t.timeout_ms, t.lease_ms) * interval '1 millisecond' end,
           case when t.claim_token is null then null else now() end
    from jsonb_to_recordset(${rows}::jsonb) as t(
      id uuid, kind text, name text, version text, queue text, priority integer, run_at timestamptz, delay_ms bigint,
      inputs jsonb, max_attempts integer, backoff jsonb, timeout_ms integer, parent_id uuid, parent_handle integer,
      idempotency_key text, claim_token uuid, worker_id text, lease_ms bigint)
    on conflict (kind, name, idempotency_key) where idempotency_key is not null do nothing`;
const ENQUEUE = enqueueFrom("$1");

/** What an activation's settlement writes on its row from its outcome `t` (ActivationsSettle*). */
const SETTLED_OUTCOME = `state = case when t.status = 'suspended' then t.state end,
        waits = case when t.status = 'suspended' then t.waits end,
        output = case when t.status = 'completed' then coalesce(t.output, 'null'::jsonb) end,
        error = case when t.status = 'failed' then t.error end,
        finished_at = case when t.status = 'suspended' then null else now() end,
        claim_token = null, lease_expires_at = null`;

export const Q = {
  // ── versions ──────────────────────────────────────────────────────────────────────────────
  VersionUpsert: `
    insert into :SCHEMA.workflow_versions (name, version, source, program) values ($1, $2, $3, $4)
    on conflict (name, version) do update set deployed_at = now()`,
  VersionNewest: `select version from :SCHEMA.workflow_versions where name = $1 order by deployed_at desc limit 1`,
  VersionProgram: `select program from :SCHEMA.workflow_versions where name = $1 and version = $2`,
  VersionNames: `select distinct name from :SCHEMA.workflow_versions`,

  // ── enqueue ───────────────────────────────────────────────────────────────────────────────
  Enqueue: `${ENQUEUE} returning id`,
  // Enqueue and the queues' NOTIFY in one statement, committed on its own: what a client's
  // queueTask or startWorkflow costs (one round trip instead of four with BEGIN and COMMIT).
  EnqueueAndNotify: `
    with ins as (${ENQUEUE} returning id, queue),
    note as (select pg_notify($2, 'q:' || queue) from (select distinct queue from ins) q)
    select id from ins where (select count(*) from note) >= 0`,
  ByIdempotencyKey: `select id from :SCHEMA.executions where kind = $1 and name = $2 and idempotency_key = $3`,
  Notify: `select pg_notify($1, $2)`,
  NotifyMany: `select pg_notify($1, p) from unnest($2::text[]) as p`,

  // ── claim ─────────────────────────────────────────────────────────────────────────────────
  // Walks executions_claim once per queue (a lateral subquery with `queue = q.name`): with
  // `queue = any($1)` Postgres could not walk the index in serving order and sorted the whole
  // backlog instead — 30 ms per claim against 0.45 ms with 20,000 queued rows (EXPLAIN ANALYZE).
  // SKIP LOCKED lets many workers claim side by side without waiting.
  Claim: `
    with picked as (
      select p.id from unnest($1::text[]) as q(name)
      cross join lateral (
        select id, priority, run_at from :SCHEMA.executions
        where status = 'queued' and queue = q.name and run_at <= now()
          and (kind = 'workflow' or name = any($2::text[]))
        order by priority desc, run_at, id
        limit $3
        for update skip locked
      ) p
      order by p.priority desc, p.run_at, p.id
      limit $3
    )
    update :SCHEMA.executions e
    set status = 'running',
        attempt = case when e.kind = 'task' then e.attempt + 1 else greatest(e.attempt, 1) end,
        claim_token = gen_random_uuid(),
        worker_id = $4,
        lease_expires_at = now() + coalesce(e.timeout_ms, $5) * interval '1 millisecond',
        started_at = coalesce(e.started_at, now())
    -- by id lookups: joined with the CTE, the planner hashed the whole table (40 ms for 300 of
    -- 20,000 rows, against 3 ms)
    where e.id = any (array(select id from picked))
    -- started_at and the database's clock only for workflows (their activations read them): a
    -- task's took 0.3–0.7 ms of a 6 ms claim of 200 (median wall time, sent and parsed)
    returning e.id, e.kind, e.name, e.version, e.queue, e.inputs, e.attempt, e.max_attempts, e.backoff, e.timeout_ms,
              e.parent_id, e.claim_token, e.state, e.wakeups,
              case when e.kind = 'workflow' then e.started_at end as started_at,
              case when e.kind = 'workflow' then floor(extract(epoch from now()) * 1000) end as db_now`,
  // Workflows a group commit is about to settle, locked in id order (like Wake, so two batches
  // cannot deadlock) and read for an activation run inside that transaction: the row, and its
  // inbox for those that can be activated. No claim is written — the row lock is the claim while
  // the transaction lasts, and one update at its end (ActivationsSettleInline) writes the outcome.
  // `stale`: the row changed after this statement's snapshot (it waited for the lock, or the
  // change committed just before): the locked row is the new version, but the inbox was read
  // in the old snapshot, so the caller reads again (the row is held by then).
  WakeLock: `
    with w as (select distinct id from unnest($1::uuid[]) as id),
         locked as materialized (
           select e.id, e.xmin::text as xid, e.kind, e.status, e.name, e.version, e.queue, e.run_at <= now() as due, e.inputs,
                  e.attempt, e.max_attempts, e.backoff, e.timeout_ms, e.parent_id, e.state, e.wakeups, e.started_at
           from :SCHEMA.executions e join w on e.id = w.id order by e.id for no key update of e
         ),
         seen as (select e.id, e.xmin::text as xid from :SCHEMA.executions e join w on e.id = w.id)
    select l.id, l.kind, l.status, l.name, l.version, l.queue, l.due, l.inputs, l.attempt, l.max_attempts, l.backoff,
           l.timeout_ms, l.parent_id, l.state, l.wakeups, coalesce(l.started_at, now()) as started_at,
           floor(extract(epoch from now()) * 1000) as db_now,
           l.xid is distinct from (select s.xid from seen s where s.id = l.id) as stale,
           case when l.status in ('queued', 'suspended') then (
             select coalesce(jsonb_agg(jsonb_build_object('seq', i.seq::text, 'execution_id', i.execution_id, 'handle', i.handle,
                                                          'ok', i.ok, 'value', i.value) order by i.seq), '[]'::jsonb)
             from :SCHEMA.inbox i where i.execution_id = l.id
           ) end as inbox
    from locked l`,
  InboxFor: `select seq, execution_id, handle, ok, value from :SCHEMA.inbox where execution_id = any($1::uuid[]) order by seq`,
  Heartbeat: `
    update :SCHEMA.executions set lease_expires_at = now() + $3 * interval '1 millisecond'
    where id = $1 and claim_token = $2 and status = 'running'
    returning cancel_requested`,

  // ── finishing tasks ───────────────────────────────────────────────────────────────────────
  // Any number of completions in one statement; a stale claim matches nothing and is left out.
  TasksComplete: `
    update :SCHEMA.executions e
    set status = 'completed', output = coalesce(t.output, 'null'::jsonb), finished_at = now(), claim_token = null,
        lease_expires_at = null
    from jsonb_to_recordset($1::jsonb) as t(id uuid, token uuid, output jsonb)
    where e.id = t.id and e.claim_token = t.token and e.status = 'running'
    returning e.id, e.parent_id, e.parent_handle`,
  // Completions of tasks no workflow waits for (no parent), committed on their own with their
  // "d:" notifications (ids packed $3 to a notification): one round trip where the batch
  // transaction took four (BEGIN, TasksComplete, NotifyMany, COMMIT). A task with a parent is
  // left alone here (its parent must be told in the same transaction): it matches nothing.
  // The rows are found by id (`any (array(…))`, as in Claim) and the input is read once
  // (materialized): joined as `from jsonb_to_recordset(…)`, the planner, trusting stale counts
  // of running rows, rescanned the JSON for every running row — 200 ms for 500 completions.
  TasksCompleteStandalone: `
    with t as materialized (select * from jsonb_to_recordset($1::jsonb) as t(id uuid, token uuid, output jsonb)),
    done as (
      update :SCHEMA.executions e
      set status = 'completed', output = coalesce(t.output, 'null'::jsonb), finished_at = now(), claim_token = null,
          lease_expires_at = null
      from t
      where e.id = any (array(select id from t)) and e.id = t.id and e.claim_token = t.token and e.status = 'running'
        and e.parent_id is null
      returning e.id
    ),
    note as (
      select pg_notify($2, 'd:' || string_agg(id::text, ','))
      from (select id, (row_number() over () - 1) / $3::int as part from done) d
      group by part
    )
    select id from done where (select count(*) from note) >= 0`,
  TaskRetry: `
    update :SCHEMA.executions
    set status = 'queued', errors = errors || jsonb_build_array($3::jsonb), run_at = now() + $4 * interval '1 millisecond',
        claim_token = null, lease_expires_at = null, worker_id = null
    where id = $1 and claim_token = $2 and status = 'running'
    returning id`,
  TaskFail: `
    update :SCHEMA.executions
    set status = 'failed', error = $3, errors = errors || jsonb_build_array($3::jsonb), finished_at = now(),
        claim_token = null, lease_expires_at = null
    where id = $1 and claim_token = $2 and status = 'running'
    returning parent_id, parent_handle, name, attempt`,
  // Gives back a claim without counting the attempt (graceful shutdown).
  // Tasks a group commit inserted claimed whose commit was not acknowledged: do they exist?
  HeldClaims: `
    select e.id from :SCHEMA.executions e
    join unnest($1::uuid[], $2::uuid[]) as c(id, token) on e.id = c.id and e.claim_token = c.token
    where e.status = 'running'`,

  Release: `
    update :SCHEMA.executions
    set status = 'queued', attempt = case when kind = 'task' then attempt - 1 else attempt end,
        claim_token = null, lease_expires_at = null, worker_id = null
    where id = $1 and claim_token = $2 and status = 'running'`,

  // ── workflow activations ──────────────────────────────────────────────────────────────────
  // The guard of activations' transaction: only the holder of the current claim may commit (a
  // stale row matches nothing and is left out), and a settlement that arrived meanwhile
  // (wakeups moved on) queues the workflow again instead of suspending it.
  ActivationsSettle: `
    update :SCHEMA.executions e
    set status = case when t.status <> 'suspended' then t.status when e.wakeups > t.wakeups then 'queued' else 'suspended' end,
        run_at = case when t.status = 'suspended' then now() else e.run_at end,
        ${SETTLED_OUTCOME}
    from jsonb_to_recordset($1::jsonb) as t(
      id uuid, token uuid, wakeups integer, status text, state jsonb, waits jsonb, output jsonb, error jsonb)
    where e.id = t.id and e.claim_token = t.token and e.status = 'running'
    returning e.id, e.status, e.queue, e.parent_id, e.parent_handle`,
  // ActivationsSettle for activations run inside the transaction that holds their rows (WakeLock):
  // the one write of the row for a whole step. `n` settlements were handed to the activation
  // directly instead of through the inbox: they count as wakeups as Wake would have counted them;
  // `wakeups` is the count the activation saw, so news from later in this transaction still
  // queues the workflow again. What the claim would have left on the row (attempt, worker,
  // start) is written here. In the same statement: the executions the activations start ($3, as
  // Enqueue) and the transaction's notifications so far ($5 on channel $4) — a step of a workflow
  // is then four statements with BEGIN and COMMIT besides the task's completion. One row always.
  ActivationsSettleInline: `
    with settled as (
      update :SCHEMA.executions e
      set status = case when t.status <> 'suspended' then t.status when e.wakeups + t.n > t.wakeups then 'queued' else 'suspended' end,
          wakeups = e.wakeups + t.n,
          attempt = greatest(e.attempt, 1),
          worker_id = $2,
          started_at = coalesce(e.started_at, now()),
          run_at = case when t.status = 'suspended' or e.status = 'suspended' then now() else e.run_at end,
          ${SETTLED_OUTCOME}
      from jsonb_to_recordset($1::jsonb) as t(
        id uuid, n integer, wakeups integer, status text, state jsonb, waits jsonb, output jsonb, error jsonb)
      where e.id = t.id and e.status in ('queued', 'suspended')
      returning e.id, e.parent_id, e.parent_handle
    ),
    ins as (${enqueueFrom("$3")} returning id),
    note as (select count(pg_notify($4, p)) as n from unnest($5::text[]) as p)
    select coalesce((select jsonb_agg(to_jsonb(s)) from settled s), '[]'::jsonb) as settled,
           array(select id::text from ins) as inserted, (select n from note) as notes`,
  // Exactly the rows the activations read (seqs are unique across the table): a settlement with
  // a lower seq whose transaction committed after the read (sequence order is not commit order)
  // stays for the next activation.
  InboxConsume: `delete from :SCHEMA.inbox where seq = any($1::bigint[])`,
  TimerInsert: `
    insert into :SCHEMA.timers (execution_id, handle, fire_at, kind)
    select t.execution_id, t.handle, to_timestamp(t.at / 1000.0), t.kind
    from jsonb_to_recordset($1::jsonb) as t(execution_id uuid, handle integer, at double precision, kind text)`,
  WaitInsert: `
    insert into :SCHEMA.signal_waits (execution_id, handle, name)
    select w.execution_id, w.handle, w.name from rows from (jsonb_to_recordset($1::jsonb) as (execution_id uuid, handle integer, name text))
      with ordinality as w(execution_id, handle, name, n)
    order by w.n`,
  LogInsert: `
    insert into :SCHEMA.logs (execution_id, level, message, line)
    select l.execution_id, l.level, l.message, l.line
    from rows from (jsonb_to_recordset($1::jsonb) as (execution_id uuid, level text, message text, line integer))
      with ordinality as l(execution_id, level, message, line, n)
    order by l.n`,
  DropHandles: `
    with w as (delete from :SCHEMA.signal_waits where execution_id = $1 and handle = any($2::int[]))
    delete from :SCHEMA.timers where execution_id = $1 and handle = any($2::int[])`,
  // Workflows that ended (finished or cancelled) wait on nothing and will never read their inbox:
  // a settlement that arrived during a last activation is dropped with the waits and timers.
  DropAllWaits: `
    with w as (delete from :SCHEMA.signal_waits where execution_id = any($1::uuid[])),
         i as (delete from :SCHEMA.inbox where execution_id = any($1::uuid[]))
    delete from :SCHEMA.timers where execution_id = any($1::uuid[])`,

  // ── delivering settlements ────────────────────────────────────────────────────────────────
  // Settlements in the order given (inbox order is delivery order).
  InboxInsert: `
    insert into :SCHEMA.inbox (execution_id, handle, ok, value, signal_name, signal_seq)
    select i.execution_id, i.handle, i.ok, coalesce(i.value, 'null'::jsonb), i.signal_name, i.signal_seq
    from rows from (jsonb_to_recordset($1::jsonb) as (
      execution_id uuid, handle integer, ok boolean, value jsonb, signal_name text, signal_seq bigint))
      with ordinality as i(execution_id, handle, ok, value, signal_name, signal_seq, n)
    order by i.n`,
  // Signals that reached a wait which had already given up its place go back to the buffer, at
  // their original position.
  SignalRebuffer: `
    insert into :SCHEMA.signals (seq, execution_id, name, payload)
    select signal_seq, execution_id, signal_name, value from :SCHEMA.inbox
    where execution_id = $1 and handle = any($2::int[]) and signal_name is not null and seq = any($3::bigint[])`,
  // Suspended workflows with news become runnable now; running ones see wakeups move. Rows are
  // locked in id order so two batches waking the same workflows cannot deadlock.
  Wake: `
    with w as (select id, count(*)::integer as n from unnest($1::uuid[]) as id group by id),
         locked as materialized (select e.id from :SCHEMA.executions e join w on e.id = w.id order by e.id for no key update of e)
    update :SCHEMA.executions e
    set wakeups = e.wakeups + w.n,
        status = case when e.status = 'suspended' then 'queued' else e.status end,
        run_at = case when e.status = 'suspended' then now() else e.run_at end
    from w, locked
    where e.id = w.id and locked.id = w.id and e.status in ('queued', 'running', 'suspended')
    returning e.id, e.queue, e.status, e.name, e.version`,

  // ── timers ────────────────────────────────────────────────────────────────────────────────
  TimersDue: `
    delete from :SCHEMA.timers t
    using (select execution_id, handle from :SCHEMA.timers where fire_at <= now() order by fire_at limit $1 for update skip locked) due
    where t.execution_id = due.execution_id and t.handle = due.handle
    returning t.execution_id, t.handle, t.kind`,
  NextTimer: `select extract(epoch from (min(fire_at) - now())) * 1000 as ms from :SCHEMA.timers`,
  WaitDelete: `delete from :SCHEMA.signal_waits where execution_id = $1 and handle = $2 returning name`,

  // ── signals ───────────────────────────────────────────────────────────────────────────────
  LockExecutions: `select id, kind, status, queue from :SCHEMA.executions where id = any($1::uuid[]) order by id for no key update`,
  // SignalSend for many workflows at once, each named at most once (the caller splits rounds).
  SignalSendMany: `
    with t as (
      select * from rows from (jsonb_to_recordset($1::jsonb) as (execution_id uuid, name text, payload jsonb))
        with ordinality as t(execution_id, name, payload, n)
    ),
    wait as (
      delete from :SCHEMA.signal_waits w
      using (
        select distinct on (t.execution_id) o.seq from t
        join :SCHEMA.signal_waits o on o.execution_id = t.execution_id and o.name = t.name
        order by t.execution_id, o.seq
      ) oldest
      where w.seq = oldest.seq
      returning w.execution_id, w.handle
    ),
    timer as (delete from :SCHEMA.timers tm using wait where tm.execution_id = wait.execution_id and tm.handle = wait.handle),
    buffered as (
      insert into :SCHEMA.signals (execution_id, name, payload)
      select t.execution_id, t.name, coalesce(t.payload, 'null'::jsonb) from t
      where not exists (select 1 from wait where wait.execution_id = t.execution_id)
      order by t.n
    ),
    delivered as (
      insert into :SCHEMA.inbox (execution_id, handle, ok, value, signal_name, signal_seq)
      select wait.execution_id, wait.handle, true, coalesce(t.payload, 'null'::jsonb), t.name,
             nextval(pg_get_serial_sequence(':SCHEMA.signals', 'seq'))
      from wait join t on t.execution_id = wait.execution_id
      order by t.n
    ),
    woken as (
      update :SCHEMA.executions e
      set wakeups = e.wakeups + 1,
          status = case when e.status = 'suspended' then 'queued' else e.status end,
          run_at = case when e.status = 'suspended' then now() else e.run_at end
      from wait where e.id = wait.execution_id
      returning e.queue, e.status
    )
    select distinct queue from woken where status = 'queued'`,
  // "no key update" like every other writer of the row: FOR UPDATE would also wait for each
  // transaction that merely inserted an inbox row referencing it.
  LockExecution: `select id, kind, status, queue from :SCHEMA.executions where id = $1 for no key update`,
  // A signal to a live workflow (whose row the caller locked): given straight to the oldest wait
  // for its name, or buffered when there is none. Waits and buffered signals of one name never
  // exist together (each activation commit matches them), so this is FIFO on both sides. The
  // delivered signal keeps a buffer position of its own, to go back there if its wait had given
  // up its place. One statement: the whole send is four round trips with BEGIN and COMMIT.
  SignalSend: `
    with wait as (
      delete from :SCHEMA.signal_waits
      where seq = (select seq from :SCHEMA.signal_waits where execution_id = $1 and name = $2 order by seq limit 1)
      returning handle
    ),
    timer as (delete from :SCHEMA.timers where execution_id = $1 and handle = (select handle from wait)),
    buffered as (
      insert into :SCHEMA.signals (execution_id, name, payload) select $1, $2, $3 where not exists (select 1 from wait)
    ),
    delivered as (
      insert into :SCHEMA.inbox (execution_id, handle, ok, value, signal_name, signal_seq)
      select $1, handle, true, $3, $2, nextval(pg_get_serial_sequence(':SCHEMA.signals', 'seq')) from wait
    ),
    woken as (
      update :SCHEMA.executions
      set wakeups = wakeups + 1,
          status = case when status = 'suspended' then 'queued' else status end,
          run_at = case when status = 'suspended' then now() else run_at end
      where id = $1 and exists (select 1 from wait)
      returning queue, status
    )
    select case when status = 'queued' then pg_notify($4, 'q:' || queue) end from woken`,
  // For each given workflow, its oldest wait that has a buffered signal of its name, with that signal.
  SignalMatch: `
    select distinct on (w.execution_id) w.execution_id, w.seq as wait_seq, w.handle, w.name, s.seq as signal_seq, s.payload
    from :SCHEMA.signal_waits w
    join lateral (
      select seq, payload from :SCHEMA.signals s where s.execution_id = w.execution_id and s.name = w.name order by seq limit 1
    ) s on true
    where w.execution_id = any($1::uuid[])
    order by w.execution_id, w.seq`,
  SignalConsume: `
    with w as (delete from :SCHEMA.signal_waits where seq = $1),
         t as (delete from :SCHEMA.timers where execution_id = $3 and handle = $4)
    delete from :SCHEMA.signals where seq = $2`,

  // ── leases ────────────────────────────────────────────────────────────────────────────────
  Expired: `
    select id, kind, name, attempt, max_attempts, backoff, parent_id, parent_handle, claim_token
    from :SCHEMA.executions where status = 'running' and lease_expires_at < now()
    order by lease_expires_at limit $1 for update skip locked`,

  // ── cancellation ──────────────────────────────────────────────────────────────────────────
  Cancel: `
    update :SCHEMA.executions
    set status = 'cancelled', error = $2, finished_at = now(), cancel_requested = true, claim_token = null,
        lease_expires_at = null, state = null
    where id = $1 and status in ('queued', 'running', 'suspended')
    returning kind, parent_id, parent_handle, name, queue`,
  Children: `select id from :SCHEMA.executions where parent_id = $1 and status in ('queued', 'running', 'suspended')`,

  // ── reading ───────────────────────────────────────────────────────────────────────────────
  // ── workers (see 002_workers.sql) ─────────────────────────────────────────────────────────
  // A worker's row, written at start and every WORKER_BEAT_MS; rows of workers gone for an hour go.
  WorkerBeat: `
    with gone as (delete from :SCHEMA.workers where seen_at < now() - interval '1 hour' and id <> $1)
    insert into :SCHEMA.workers (id, queues, tasks) values ($1, $2, $3)
    on conflict (id) do update set queues = excluded.queues, tasks = excluded.tasks, seen_at = now()`,
  WorkerGone: `delete from :SCHEMA.workers where id = $1`,
  // $1: how long ago a live worker last wrote its row, in ms
  LiveWorkers: `
    select id, queues, tasks, started_at, seen_at from :SCHEMA.workers
    where seen_at > now() - $1 * interval '1 millisecond' order by started_at, id`,
  // what suspended workflows wait on that has not started: their queued children
  QueuedChildren: `
    select id, kind, name, queue, parent_id from :SCHEMA.executions
    where parent_id = any($1::uuid[]) and status = 'queued' order by created_at, id`,

  Get: `select * from :SCHEMA.executions where id = $1`,
  Logs: `select level, message, line, created_at from :SCHEMA.logs where execution_id = $1 order by seq`,
  List: `
    select * from :SCHEMA.executions
    where ($1::text is null or status = $1) and ($2::text is null or name = $2) and ($3::text is null or queue = $3)
      and ($4::text is null or kind = $4)
      and ($5::uuid is null or (created_at, id) < (select c.created_at, c.id from :SCHEMA.executions c where c.id = $5))
    order by created_at desc, id desc
    limit $6`,
} as const;

export type QueryName = keyof typeof Q;
