// Cancellation of an execution and of everything it started that is still going. The lock finds
// the execution by id alone (a client names no run); what follows names its run's root
// (docs/scale.md: one shard).

export const CANCEL_QUERIES = {
  LockExecution: `select id, kind, status, queue, root_id from :SCHEMA.executions where id = $1 for no key update`,
  Cancel: `
    update :SCHEMA.executions
    set status = 'cancelled', error = $2, finished_at = now(), cancel_requested = true, claim_token = null,
        lease_expires_at = null, state = null
    where id = $1 and root_id = $3 and status in ('queued', 'running', 'suspended')
    returning kind, parent_id, parent_handle, name, awaited`,
  Children: `select id from :SCHEMA.executions where parent_id = $1 and root_id = $2 and status in ('queued', 'running', 'suspended')`,
} as const;
