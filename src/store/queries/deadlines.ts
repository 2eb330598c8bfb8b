// A workflow's `timeout` (migration 014): its deadline is a timer of kind 'deadline' (handle -1).

export const DEADLINE_QUERIES = {
  // Due deadlines with their workflow's row locked (the row first, then the timer, as a step
  // takes them; so the two cannot deadlock). A row a step holds is skipped — that step's
  // activation commits first, and the deadline fires right after it — while a row only claimed
  // (an activation running on some worker) is not locked: the deadline wins, and the activation's
  // write then matches no claim and is dropped whole (ActivationsSettle).
  DeadlinesDue: `
    select e.id, e.root_id, e.status, e.run_timeout_ms
    from :SCHEMA.timers t join :SCHEMA.executions e on e.root_id = t.root_id and e.id = t.execution_id
    where t.kind = 'deadline' and t.fire_at <= now()
    order by t.fire_at limit $1
    for no key update of e skip locked`,
  // The run fails with its Timeout; a claim in progress is taken from it. $3: its root (DeadlinesDue's row).
  TimeOut: `
    update :SCHEMA.executions
    set status = 'failed', error = $2, error_at = null, finished_at = now(), claim_token = null, lease_expires_at = null,
        state = null, waits = null
    where id = $1 and root_id = $3 and status in ('queued', 'running', 'suspended')
    returning id, name, parent_id, parent_handle, awaited, error`,
} as const;
