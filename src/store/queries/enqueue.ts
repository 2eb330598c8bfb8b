// Enqueueing: one statement for any number of executions. A repeated idempotency key inserts
// nothing. A row with a claim token is inserted already claimed (running, attempt 1) by the worker
// whose step started it: dispatched without a claim round trip.

/** A repeated idempotency key inserts nothing. */
const IDEMPOTENCY_CONFLICT = "on conflict (kind, name, idempotency_key) where idempotency_key is not null do nothing";

/**
 * The insert from JSON rows `rows` (a parameter), keeping those `where` allows (it sees them as
 * `t`); `conflict` is what a taken key does (a debounce's: store/debounce.ts).
 */
export const enqueueFrom = (rows: string, where = "", conflict = IDEMPOTENCY_CONFLICT) => `
    insert into :SCHEMA.executions
      (id, kind, name, version, status, queue, priority, run_at, inputs, max_attempts, backoff, timeout_ms,
       parent_id, parent_handle, idempotency_key, attempt, claim_token, worker_id, lease_expires_at, started_at, trace,
       run_timeout_ms, debounce_key, debounce_until, concurrency_key, concurrency_limit, rate_key, rate_limit, rate_per_ms, root_id)
    select t.id, t.kind, t.name, t.version, case when t.claim_token is null then 'queued' else 'running' end, t.queue, t.priority,
           coalesce(t.run_at, now() + t.delay_ms * interval '1 millisecond'), coalesce(t.inputs, 'null'::json), t.max_attempts, t.backoff,
           t.timeout_ms, t.parent_id, t.parent_handle, t.idempotency_key,
           case when t.claim_token is null then 0 else 1 end, t.claim_token, t.worker_id,
           case when t.claim_token is null then null else now() + coalesce(t.timeout_ms, t.lease_ms) * interval '1 millisecond' end,
           case when t.claim_token is null then null else now() end, t.trace,
           t.run_timeout_ms, t.debounce_key, now() + t.debounce_max_wait_ms * interval '1 millisecond',
           t.concurrency_key, t.concurrency_limit, t.rate_key, t.rate_limit, t.rate_per_ms,
           -- a start without a parent is a run's root; a child without one: the trigger reads its parent's (migration 017)
           coalesce(t.root_id, case when t.parent_id is null then t.id end)
    from json_to_recordset(${rows}::json) as t(
      id uuid, kind text, name text, version text, queue text, priority integer, run_at timestamptz, delay_ms bigint,
      inputs json, max_attempts integer, backoff json, timeout_ms integer, parent_id uuid, parent_handle integer,
      idempotency_key text, claim_token uuid, worker_id text, lease_ms bigint, trace text, run_timeout_ms integer,
      debounce_key text, debounce_max_wait_ms bigint,
      concurrency_key text, concurrency_limit integer, rate_key text, rate_limit integer, rate_per_ms integer, root_id uuid)
    ${where}
    ${conflict}`;

/**
 * The notifications of the executions a statement queued (`ins`: queue, run_at, claim_token):
 * `q:<queue>` where one is runnable now, and `r:<ms>:<queue>` with how long until the earliest
 * of the others comes due (a delay, a runAt), so that workers set a timer instead of waiting for
 * their next poll. Rows inserted claimed need nobody to hear of them.
 */
export const queuedNotes = (ins: string) => `
      (select 'q:' || queue from ${ins} where claim_token is null and run_at <= now())
      union
      (select 'r:' || ceil(extract(epoch from (min(run_at) - now())) * 1000)::bigint || ':' || queue
       from ${ins} where claim_token is null and run_at > now() group by queue)`;

const ENQUEUE = enqueueFrom("$1");

export const ENQUEUE_QUERIES = {
  Enqueue: `${ENQUEUE} returning id`,
  // Enqueue and the queues' NOTIFY in one statement, committed on its own: what a client's
  // queueTask or startWorkflow costs (one round trip instead of four with BEGIN and COMMIT).
  EnqueueAndNotify: `
    with ins as (${ENQUEUE} returning id, queue, run_at, claim_token),
    note as (select pg_notify($2, p) from (${queuedNotes("ins")}) as x(p))
    select id from ins where (select count(*) from note) >= 0`,
  ByIdempotencyKey: `select id from :SCHEMA.executions where kind = $1 and name = $2 and idempotency_key = $3`,
} as const;
