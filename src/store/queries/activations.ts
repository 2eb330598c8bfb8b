// Workflow activations: the rows of woken workflows locked and read for a step's transaction, and
// one settlement for every activation — claimed by Claim, or run on a row its transaction locked —
// with the executions it starts; then the effects it leaves (timers, signal waits, logs).

import { enqueueFrom, queuedNotes } from "./enqueue.js";

export const ACTIVATION_QUERIES = {
  // Workflows a step is about to wake, locked in id order (like Wake, so two steps cannot
  // deadlock) and read for an activation run inside that transaction: the row, and its inbox for
  // those that can be activated. No claim is written: the row lock holds it while the transaction
  // lasts, and ActivationsSettle writes the outcome at its end. The database clock in whole ms.
  // `stale`: the row changed after this statement's snapshot (it waited for the lock, or the
  // change committed just before): the locked row is the new version, but the inbox was read in
  // the old snapshot, so the caller reads again (the row is held by then).
  WakeLock: `
    with w as (select distinct id from unnest($1::uuid[]) as id),
         locked as materialized (
           select e.id, e.xmin::text as xid, e.kind, e.status, e.name, e.version, e.queue, e.run_at <= now() as due, e.inputs,
                  e.attempt, e.parent_id, e.root_id, e.state, e.wakeups, e.started_at, e.trace
           from :SCHEMA.executions e join w on e.id = w.id order by e.id for no key update of e
         ),
         seen as (select e.id, e.xmin::text as xid from :SCHEMA.executions e join w on e.id = w.id)
    select l.id, l.kind, l.status, l.name, l.version, l.queue, l.due, l.inputs, l.attempt, l.parent_id, l.root_id, l.state, l.wakeups, l.trace,
           coalesce(l.started_at, now()) as started_at,
           floor(extract(epoch from now()) * 1000) as db_now,
           l.xid is distinct from (select s.xid from seen s where s.id = l.id) as stale,
           case when l.status in ('queued', 'suspended') then (
             select coalesce(json_agg(json_build_object('seq', i.seq::text, 'execution_id', i.execution_id, 'handle', i.handle,
                                                        'ok', i.ok, 'value', i.value) order by i.seq), '[]'::json)
             from :SCHEMA.inbox i where i.execution_id = l.id
           ) end as inbox
    from locked l`,
  // The one write of a workflow's row for an activation, and the guard of its transaction. A row
  // `t` with a claim token ($1) is settled only by the holder of the current claim (a stale one
  // matches nothing and is left out); one without is an activation run on a row this transaction
  // locked (WakeLock), which `n` settlements were handed to directly: they count as wakeups, as
  // Wake would have counted them, and what a claim would have left on the row (attempt, worker
  // $2, start) is written here. `wakeups` is the count the activation saw: a settlement that
  // arrived meanwhile (or later in this transaction) queues the workflow again instead of
  // suspending it. In the same statement: the executions the settled activations start ($3, as
  // Enqueue; those of a stale activation are left out), and the transaction's notifications so
  // far ($5 on channel $4) with the queues of what was queued — a workflow step is then BEGIN,
  // the task's completion, WakeLock, this, COMMIT. One row always.
  ActivationsSettle: `
    with settled as (
      update :SCHEMA.executions e
      set status = case when t.status <> 'suspended' then t.status when e.wakeups + t.n > t.wakeups then 'queued' else 'suspended' end,
          wakeups = e.wakeups + t.n,
          attempt = greatest(e.attempt, 1),
          worker_id = case when t.token is null then $2 else e.worker_id end,
          started_at = coalesce(e.started_at, now()),
          run_at = case when t.status = 'suspended' or e.status = 'suspended' then now() else e.run_at end,
          -- a failed run keeps its last saved state, for rhythm retry (migration 016)
          state = case when t.status = 'suspended' then t.state when t.status = 'failed' then e.state end,
          waits = case when t.status = 'suspended' then t.waits end,
          output = case when t.status = 'completed' then coalesce(t.output, 'null'::json) end,
          error = case when t.status = 'failed' then t.error end,
          error_at = case when t.status = 'failed' then t.error_at end,
          finished_at = case when t.status = 'suspended' then null else now() end,
          claim_token = null, lease_expires_at = null, activation_failures = 0
      from json_to_recordset($1::json) as t(
        id uuid, token uuid, n integer, wakeups integer, status text, state json, waits json, output json, error json,
        error_at text)
      where e.id = t.id
        and case when t.token is null then e.status in ('queued', 'suspended') else e.claim_token = t.token and e.status = 'running' end
      returning e.id, e.parent_id, e.parent_handle, e.awaited, e.status, e.wakeups, e.xmin::text as xid
    ),
    ins as (${enqueueFrom("$3", "where t.parent_id in (select id from settled)")} returning id, queue, run_at, claim_token),
    note as (
      select count(pg_notify($4, p)) as n
      from ((select unnest($5::text[])) union ${queuedNotes("ins")}) as x(p)
    )
    select coalesce((select jsonb_agg(to_jsonb(s)) from settled s), '[]'::jsonb) as settled,
           array(select id::text from ins) as inserted, (select n from note) as notes`,
  // Exactly the rows the activations read (seqs are unique across the table): a settlement with
  // a lower seq whose transaction committed after the read (sequence order is not commit order)
  // stays for the next activation.
  InboxConsume: `delete from :SCHEMA.inbox where seq = any($1::bigint[])`,
  WaitInsert: `
    insert into :SCHEMA.signal_waits (execution_id, handle, name)
    select w.execution_id, w.handle, w.name from rows from (jsonb_to_recordset($1::jsonb) as (execution_id uuid, handle integer, name text))
      with ordinality as w(execution_id, handle, name, n)
    order by w.n`,
  // Waits and timers of handles a workflow can no longer observe.
  DropHandles: `
    with w as (delete from :SCHEMA.signal_waits where execution_id = $1 and handle = any($2::int[]))
    delete from :SCHEMA.timers where execution_id = $1 and handle = any($2::int[])`,
  // Workflows that ended (finished or cancelled) wait on nothing and will never read their inbox:
  // a settlement that arrived during a last activation is dropped with the waits and timers, and
  // so is a signal accepted then (buffered while it ran: a send locks the row, so none comes after).
  DropAllWaits: `
    with w as (delete from :SCHEMA.signal_waits where execution_id = any($1::uuid[])),
         i as (delete from :SCHEMA.inbox where execution_id = any($1::uuid[])),
         s as (delete from :SCHEMA.signals where execution_id = any($1::uuid[]))
    delete from :SCHEMA.timers where execution_id = any($1::uuid[])`,
} as const;
