// Operations on paused runs (docs/operations.md): a run locked and read, the executions its
// pending handles started, its state rewritten, a fork inserted, a failed run resumed, a task
// given one more attempt. Each runs in the operation's one transaction (Store.operate).

export const OPERATION_QUERIES = {
  // The run, locked like Wake and WakeLock lock it, so a delivery (a signal, a task's completion)
  // waits for the operation's commit and an activation cannot start meanwhile; `claimed`: a
  // worker is running it now (its claim decides: the operation is refused).
  OpLock: `
    select e.id, e.kind, e.name, e.version, e.status, e.queue, e.priority, e.inputs, e.state, e.parent_id,
           e.claim_token is not null as claimed
    from :SCHEMA.executions e where e.id = $1 for no key update`,
  // The executions the run's pending handles $2 stand for: those it started, and those it awaits
  // because its call's idempotency key was taken (awaiters).
  OpHandleExecutions: `
    select e.parent_handle as handle, e.id, e.kind, e.name, e.status, e.output, e.error, e.awaited_error, e.queue,
           e.priority, e.inputs, e.max_attempts, e.backoff, e.timeout_ms, e.state is not null as has_state, false as via_awaiter
    from :SCHEMA.executions e where e.parent_id = $1 and e.parent_handle = any($2::int[])
    union all
    select a.handle, e.id, e.kind, e.name, e.status, e.output, e.error, e.awaited_error, e.queue,
           e.priority, e.inputs, e.max_attempts, e.backoff, e.timeout_ms, e.state is not null, true
    from :SCHEMA.awaiters a join :SCHEMA.executions e on e.id = a.execution_id
    where a.workflow_id = $1 and a.handle = any($2::int[])`,
  // A paused run's state replaced (the run is locked and unclaimed: OpLock).
  OpWriteState: `update :SCHEMA.executions set state = $2 where id = $1 and claim_token is null`,
  // A copy of run $2 as a new execution $1, queued with state $3: its first activation continues
  // from that state (and says what it waits on). A fork is a run of its own: its own root.
  OpInsertFork: `
    insert into :SCHEMA.executions (id, kind, name, version, status, queue, priority, inputs, state, attempt, started_at, forked_from, root_id)
    select $1, e.kind, e.name, e.version, 'queued', e.queue, e.priority, e.inputs, $3, 1, now(), e.id, $1
    from :SCHEMA.executions e where e.id = $2
    returning queue`,
  // A failed workflow runnable again from state $2 (null: from its first line); what it waits on
  // is said by that activation.
  OpResume: `
    update :SCHEMA.executions
    set status = 'queued', state = $2, waits = null, error = null, error_at = null, output = null, finished_at = null,
        run_at = now(), worker_id = null
    where id = $1 and status = 'failed'
    returning queue`,
  // A failed (or cancelled) task a retried workflow awaits: one more attempt, its earlier errors
  // kept in errors.
  OpRequeueTask: `
    update :SCHEMA.executions
    set status = 'queued', run_at = now(), finished_at = null, error = null, awaited_error = null,
        max_attempts = attempt + 1, worker_id = null, cancel_requested = false
    where id = $1 and kind = 'task' and status in ('failed', 'cancelled')
    returning queue`,
  // A stored version of a workflow by its full sha256 or a prefix (two rows: ambiguous).
  OpVersion: `
    select version, source, program from :SCHEMA.workflow_versions
    where name = $1 and version like $2 || '%' order by deployed_at desc limit 2`,
  // Suspended runs of a workflow on another version than $2, oldest first (upgrade --all).
  OpPausedOf: `
    select id from :SCHEMA.executions
    where kind = 'workflow' and name = $1 and status = 'suspended' and version <> $2
    order by created_at, id limit $3`,
  // A paused run moved to version $2 with state $3; queued, so an activation says anew what it
  // waits on (and where) in the new version's terms.
  OpMove: `
    update :SCHEMA.executions set version = $2, state = $3, status = 'queued', run_at = now(), waits = null
    where id = $1 and status = 'suspended' and claim_token is null
    returning queue`,
  OpSetVersion: `update :SCHEMA.executions set version = $2 where id = $1`,
} as const;
