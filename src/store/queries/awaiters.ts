// Workflows awaiting an execution they did not start (their idempotency key was taken): recorded
// under the execution's row lock, and taken by whoever finishes it.

export const AWAITER_QUERIES = {
  // Marks the executions still going as awaited and records their awaiters ($1: execution_id,
  // workflow_id, handle, in call order). The UPDATE takes each row's lock: a transaction finishing
  // one of them either committed first — the row is final, it is not marked (READ COMMITTED reads
  // the new version) and the caller reads its outcome in a statement of its own — or waits for
  // this one and then reads these awaiters (AwaitersTake) after its own update.
  AwaitersAdd: `
    with t as materialized (
      select * from rows from (json_to_recordset($1::json) as (execution_id uuid, workflow_id uuid, handle integer))
        with ordinality as t(execution_id, workflow_id, handle, n)
    ),
    marked as (
      update :SCHEMA.executions e set awaited = true
      where e.id = any (array(select execution_id from t)) and e.status in ('queued', 'running', 'suspended')
      returning e.id
    ),
    added as (
      insert into :SCHEMA.awaiters (execution_id, workflow_id, handle)
      select t.execution_id, t.workflow_id, t.handle from t where t.execution_id in (select id from marked) order by t.n
    )
    select array(select id::text from marked) as marked`,
  // What finished executions (not marked by AwaitersAdd) ended with: read after, in a snapshot
  // that sees their end.
  AwaitedOutcomes: `
    select id, kind, name, status, attempt, output, error, awaited_error from :SCHEMA.executions where id = any($1::uuid[])`,
  // The awaiters of executions that just finished (their rows updated, and so locked, by this
  // transaction before), in the order they came.
  AwaitersTake: `
    with taken as (delete from :SCHEMA.awaiters where execution_id = any($1::uuid[]) returning seq, execution_id, workflow_id, handle)
    select execution_id, workflow_id, handle from taken order by seq`,
} as const;
