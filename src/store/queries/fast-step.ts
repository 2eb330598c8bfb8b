// A workflow step in one statement (issue 17): a task's completion, the activation it woke (run by
// the worker from the state it cached when the workflow suspended on that task) and the next task,
// inserted claimed by that worker, written together and committed on their own.

import { enqueueFrom } from "./enqueue.js";

export const FAST_STEP_QUERIES = {
  // `g` locks the task ($1, claim token $2, started by workflow $4 at handle $5, awaited by no
  // other) and then its workflow, and keeps each only while nothing changed it since this worker
  // settled it: still suspended, the same wakeups ($6) and the same row version (xmin $7: a
  // signal, a cancellation, a timeout, an operation — anything that updated the row — moves it),
  // its inbox empty. Locked after its snapshot changed, a row is read again at its newest version
  // (and dropped if that one fails a test). Everything below writes only when both held (`ok`):
  // otherwise the statement writes nothing, and the worker falls back to a step's transaction.
  // The workflow's row is written as ActivationsSettle writes a locked activation handed one
  // settlement; a workflow that completed ($8) drops what it waited on, as DropAllWaits does.
  // $12: the next task's Enqueue row (or none), $13 the activation's logs, $15 its notifications,
  // $17 the run's root id (every row it touches is the run's: one shard on Citus, docs/scale.md).
  FastStep: `
    with g as materialized (
      select e.id from :SCHEMA.executions e
      where e.root_id = $17::uuid and e.id in ($1::uuid, $4::uuid)
        and case when e.id = $1::uuid
                 then e.claim_token = $2::uuid and e.status = 'running' and e.parent_id = $4::uuid
                      and e.parent_handle = $5::integer and not e.awaited
                 else e.status = 'suspended' and e.wakeups = $6::integer and e.xmin::text = $7::text
                      and ($8::text = 'suspended' or (e.parent_id is null and not e.awaited))
                      and not exists (select 1 from :SCHEMA.inbox i where i.root_id = $17::uuid and i.execution_id = e.id) end
      order by e.id = $1::uuid desc
      for no key update of e
    ),
    ok as (select count(*) = 2 as ok from g),
    done as (
      update :SCHEMA.executions e
      set status = 'completed', output = coalesce($3::json, 'null'::json), finished_at = now(), claim_token = null,
          lease_expires_at = null
      where e.root_id = $17::uuid and e.id = $1::uuid and (select ok from ok)
      returning e.id
    ),
    wf as (
      update :SCHEMA.executions e
      set status = $8::text, wakeups = e.wakeups + 1, attempt = greatest(e.attempt, 1), worker_id = $16::text,
          started_at = coalesce(e.started_at, now()), run_at = now(),
          state = case when $8::text = 'suspended' then $9::json end,
          waits = case when $8::text = 'suspended' then $10::json end,
          output = case when $8::text = 'completed' then coalesce($11::json, 'null'::json) end,
          error = null, error_at = null, finished_at = case when $8::text = 'suspended' then null else now() end,
          claim_token = null, lease_expires_at = null, activation_failures = 0
      where e.root_id = $17::uuid and e.id = $4::uuid and (select ok from ok)
      returning e.id, e.wakeups, e.xmin::text as xid
    ),
    ins as (${enqueueFrom("$12", "where (select ok from ok)")} returning id),
    logs as (
      insert into :SCHEMA.logs (execution_id, root_id, level, message, line, source)
      select $4::uuid, $17::uuid, l.level, l.message, l.line, l.source
      from rows from (jsonb_to_recordset($13::jsonb) as (level text, message text, line integer, source text))
        with ordinality as l(level, message, line, source, n)
      where (select ok from ok)
      order by l.n
    ),
    ended as (select 1 where $8::text <> 'suspended' and (select ok from ok)),
    w as (delete from :SCHEMA.signal_waits where root_id = $17::uuid and execution_id = $4::uuid and exists (select 1 from ended)),
    i as (delete from :SCHEMA.inbox where root_id = $17::uuid and execution_id = $4::uuid and exists (select 1 from ended)),
    s as (delete from :SCHEMA.signals where root_id = $17::uuid and execution_id = $4::uuid and exists (select 1 from ended)),
    t as (delete from :SCHEMA.timers where root_id = $17::uuid and execution_id = $4::uuid and exists (select 1 from ended)),
    note as (select count(pg_notify($14::text, p)) as n from unnest($15::text[]) as p where (select ok from ok))
    select (select ok from ok) as ok, (select count(*) from done)::integer as done, (select wakeups from wf) as wakeups,
           (select xid from wf) as xid, array(select id::text from ins) as inserted, (select n from note) as notes`,
} as const;
