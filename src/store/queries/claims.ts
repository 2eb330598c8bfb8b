// Claiming runnable executions, leases and giving claims back.

export const CLAIM_QUERIES = {
  // Walks executions_claim once per queue (a lateral subquery with `queue = q.name`): with
  // `queue = any($1)` Postgres could not walk the index in serving order and sorted the whole
  // backlog instead — 30 ms per claim against 0.45 ms with 20,000 queued rows (EXPLAIN ANALYZE).
  // SKIP LOCKED lets many workers claim side by side without waiting.
  Claim: `
    with picked as (
      select p.id from unnest($1::text[]) as q(name)
      cross join lateral (
        select id, priority, run_at from :SCHEMA.executions
        where status = 'queued' and not parked and queue = q.name and run_at <= now()
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
    -- started_at and the database's clock (whole ms) only for workflows, whose activations read
    -- them: a task's took 0.3–0.7 ms of a 6 ms claim of 200
    returning e.id, e.kind, e.name, e.version, e.queue, e.inputs, e.attempt, e.max_attempts, e.backoff, e.timeout_ms,
              e.parent_id, e.root_id, e.claim_token, e.state, e.wakeups, e.trace,
              -- how long it waited once runnable (telemetry's claim latency)
              floor(extract(epoch from now() - e.run_at) * 1000) as waited_ms,
              case when e.kind = 'workflow' then e.started_at end as started_at,
              case when e.kind = 'workflow' then floor(extract(epoch from now()) * 1000) end as db_now,
              case when e.kind = 'workflow' then e.activation_failures end as activation_failures,
              case when e.kind = 'workflow' then e.activation_error end as activation_error`,
  // The settlements waiting for claimed workflows, read after their claim committed.
  InboxFor: `select seq, execution_id, handle, ok, value from :SCHEMA.inbox where execution_id = any($1::uuid[]) order by seq`,
  Heartbeat: `
    update :SCHEMA.executions set lease_expires_at = now() + $3 * interval '1 millisecond'
    where id = $1 and claim_token = $2 and status = 'running'
    returning cancel_requested`,
  // Gives back a claim without counting the attempt (graceful shutdown, an expired activation).
  Release: `
    update :SCHEMA.executions
    set status = 'queued', attempt = case when kind = 'task' then attempt - 1 else attempt end,
        claim_token = null, lease_expires_at = null, worker_id = null
    where id = $1 and claim_token = $2 and status = 'running'`,
  // A workflow's activation lost (see 007_lost_activations.sql): back to its queue, counted, with why.
  ReleaseLost: `
    update :SCHEMA.executions
    set status = 'queued', activation_failures = activation_failures + 1, activation_error = $3,
        claim_token = null, lease_expires_at = null, worker_id = null
    where id = $1 and claim_token = $2 and status = 'running' and kind = 'workflow'
    returning queue`,
  // Tasks a step inserted claimed whose commit was not acknowledged: do they exist?
  HeldClaims: `
    select e.id from :SCHEMA.executions e
    join unnest($1::uuid[], $2::uuid[]) as c(id, token) on e.id = c.id and e.claim_token = c.token
    where e.status = 'running'`,
} as const;
