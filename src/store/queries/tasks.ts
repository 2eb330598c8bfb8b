// Finishing task attempts: completions, failures and retries, and attempts whose lease ran out.

/**
 * `errors` with the error $3 appended. The values are `json` (their text, keys in the order they
 * were written): json has no `||`, so the array is taken apart and aggregated again, in order.
 */
const ERRORS_AND_$3 = `(
      select json_agg(a.e order by a.n)
      from (select e, n from json_array_elements(errors) with ordinality as o(e, n) union all select $3::json, null) as a(e, n))`;

export const TASK_QUERIES = {
  // Any number of completions in one statement; a stale claim matches nothing and is left out.
  TasksComplete: `
    update :SCHEMA.executions e
    set status = 'completed', output = coalesce(t.output, 'null'::json), finished_at = now(), claim_token = null,
        lease_expires_at = null
    from json_to_recordset($1::json) as t(id uuid, token uuid, output json)
    -- (found by id, never through executions_status_list: see TasksCompleteStandalone)
    where e.id = t.id and e.claim_token = t.token and (e.status = 'running') is true
    returning e.id, e.parent_id, e.parent_handle, e.awaited`,
  // Completions of tasks no workflow waits for (no parent), committed on their own with their
  // "d:" notifications (ids packed $3 to a notification): one round trip where a transaction took
  // four. A task with a parent, or awaited by workflows that found its idempotency key taken,
  // matches nothing here (they must be told in the same transaction; `awaited` is on the row, so
  // an AwaitersAdd that committed while this waited for the lock is seen). The rows are found by id (`any (array(…))`, as in Claim) from a materialized
  // input: joined to json_to_recordset directly, the planner rescanned the JSON per running row
  // (200 ms for 500 completions).
  TasksCompleteStandalone: `
    with t as materialized (select * from json_to_recordset($1::json) as t(id uuid, token uuid, output json)),
    done as (
      update :SCHEMA.executions e
      set status = 'completed', output = coalesce(t.output, 'null'::json), finished_at = now(), claim_token = null,
          lease_expires_at = null
      from t
      -- "is true": not a condition the planner can look up in executions_status_list, whose
      -- 'running' range fills with the dead entries of every attempt finished since the last
      -- vacuum — scanned there, 200 completions took 13–28 ms midway through S1, 5.8 by id
      where e.id = any (array(select id from t)) and e.id = t.id and e.claim_token = t.token and (e.status = 'running') is true
        and e.parent_id is null and not e.awaited
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
    set status = 'queued', errors = ${ERRORS_AND_$3}, run_at = now() + $4 * interval '1 millisecond',
        claim_token = null, lease_expires_at = null, worker_id = null
    where id = $1 and claim_token = $2 and status = 'running'
    returning queue`,
  TaskFail: `
    update :SCHEMA.executions
    set status = 'failed', error = $3, errors = ${ERRORS_AND_$3}, awaited_error = $4, finished_at = now(),
        claim_token = null, lease_expires_at = null
    where id = $1 and claim_token = $2 and status = 'running'
    returning parent_id, parent_handle, awaited`,
  // A failed task no workflow waits for (no parent, no awaiter told of its failure), queued again
  // by a person (retryTask) for one more attempt; its earlier errors stay in errors.
  TaskRequeue: `
    update :SCHEMA.executions
    set status = 'queued', run_at = now(), finished_at = null, error = null, awaited_error = null,
        max_attempts = attempt + 1, worker_id = null
    where id = $1 and kind = 'task' and status = 'failed' and parent_id is null and not awaited
    returning queue`,
  Expired: `
    select id, kind, name, attempt, max_attempts, backoff, parent_id, parent_handle, claim_token
    from :SCHEMA.executions where status = 'running' and lease_expires_at < now()
    order by lease_expires_at limit $1 for update skip locked`,
} as const;
