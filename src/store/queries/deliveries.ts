// Delivering settlements to workflows (a task's or a child's outcome, a timer, a signal) and the
// notifications workers and waiting clients listen for.

export const DELIVERY_QUERIES = {
  // Suspended workflows with news become runnable now; running ones see wakeups move. Rows are
  // locked in id order so two transactions waking the same workflows cannot deadlock.
  Wake: `
    with w as (select id, count(*)::integer as n from unnest($1::uuid[]) as id group by id),
         locked as materialized (select e.id from :SCHEMA.executions e join w on e.id = w.id order by e.id for no key update of e)
    update :SCHEMA.executions e
    set wakeups = e.wakeups + w.n,
        status = case when e.status = 'suspended' then 'queued' else e.status end,
        run_at = case when e.status = 'suspended' then now() else e.run_at end
    from w, locked
    where e.id = w.id and locked.id = w.id and e.status in ('queued', 'running', 'suspended')
    returning e.id, e.queue, e.status, e.root_id`,
  // Settlements in the order given (inbox order is delivery order), each with its workflow's root
  // (Wake returned it; a row without one gets it from the insert trigger, migration 017).
  InboxInsert: `
    insert into :SCHEMA.inbox (execution_id, handle, ok, value, root_id)
    select i.execution_id, i.handle, i.ok, coalesce(i.value, 'null'::json), i.root_id
    from rows from (json_to_recordset($1::json) as (execution_id uuid, handle integer, ok boolean, value json, root_id uuid))
      with ordinality as i(execution_id, handle, ok, value, root_id, n)
    order by i.n`,
  Notify: `select pg_notify($1, $2)`,
  NotifyMany: `select pg_notify($1, p) from unnest($2::text[]) as p`,
} as const;
