// Signals, all in one place: sent (given to the oldest wait of their name, or buffered), matched
// with new waits when an activation commits, given back to the buffer when the wait they reached
// had given up its place, and waits whose Signal.when timeout passed. The rule is SPEC §2.3's, as
// pairSignals (src/vm/effects-plan.ts) states it for both hosts: per name, the k-th oldest wait
// takes the k-th oldest signal. Waits and buffered signals of one name never exist together
// (every commit that adds either matches them), so a send is FIFO on both sides.

export const SIGNAL_QUERIES = {
  // The targets of a send, locked and checked first ("no key update", like every other writer of
  // the row: FOR UPDATE would also wait for each transaction that merely inserted an inbox row),
  // with the signal names each one's version waits on (its program's `signals`, read once per
  // version: a program is a large value, and signalMany may target thousands of one version; not
  // materialized, the planner read it once per target — probe, 2,000 targets of a 20 KB program:
  // 186 ms against 16 ms before the names; materialized, 22 ms).
  LockExecutions: `
    with e as (
      select id, kind, status, queue, name, version, root_id from :SCHEMA.executions
      where id = any($1::uuid[]) order by id for no key update
    ),
    v as materialized (
      select v.name, v.version, v.program->'signals' as signals from :SCHEMA.workflow_versions v
      where (v.name, v.version) in (select distinct name, version from e where version is not null)
    )
    select e.id, e.kind, e.status, e.queue, e.name, e.root_id, v.signals from e left join v on v.name = e.name and v.version = e.version`,
  // Signals to any number of workflows (the rows $1 name each workflow at most once: the caller
  // splits rounds), each given straight to the oldest wait for its name, or buffered. A delivered
  // signal keeps a buffer position of its own ($1's order), to go back there if its wait had
  // given up its place. Woken workflows' queues are notified ($2) in the same statement: a signal
  // is BEGIN, LockExecutions, this, COMMIT. Each row names its workflow's root (LockExecutions
  // read it): every table is reached through it (docs/scale.md).
  SignalsSend: `
    with t as (
      select * from rows from (json_to_recordset($1::json) as (execution_id uuid, root_id uuid, name text, payload json))
        with ordinality as t(execution_id, root_id, name, payload, n)
    ),
    wait as (
      delete from :SCHEMA.signal_waits w
      using (
        select distinct on (t.execution_id) o.seq, o.root_id from t
        join :SCHEMA.signal_waits o on o.root_id = t.root_id and o.execution_id = t.execution_id and o.name = t.name
        order by t.execution_id, o.seq
      ) oldest
      where w.root_id = oldest.root_id and w.seq = oldest.seq
      returning w.execution_id, w.handle, w.root_id
    ),
    timer as (
      delete from :SCHEMA.timers tm using wait
      where tm.root_id = wait.root_id and tm.execution_id = wait.execution_id and tm.handle = wait.handle
    ),
    buffered as (
      insert into :SCHEMA.signals (execution_id, name, payload, root_id)
      select t.execution_id, t.name, coalesce(t.payload, 'null'::json), t.root_id from t
      where not exists (select 1 from wait where wait.execution_id = t.execution_id)
      order by t.n
    ),
    delivered as (
      insert into :SCHEMA.inbox (execution_id, handle, ok, value, signal_name, signal_seq, root_id)
      select wait.execution_id, wait.handle, true, coalesce(t.payload, 'null'::json), t.name,
             nextval(pg_get_serial_sequence(':SCHEMA.signals', 'seq')), wait.root_id
      from wait join t on t.execution_id = wait.execution_id
      order by t.n
    ),
    woken as (
      update :SCHEMA.executions e
      set wakeups = e.wakeups + 1,
          status = case when e.status = 'suspended' then 'queued' else e.status end,
          run_at = case when e.status = 'suspended' then now() else e.run_at end
      from wait where e.root_id = wait.root_id and e.id = wait.execution_id
      returning e.queue, e.status
    )
    select count(pg_notify($2, 'q:' || queue)) as notes from (select distinct queue from woken where status = 'queued') q`,
  // For the given workflows, buffered signals given to their waits by pairSignals' rule (the k-th
  // oldest wait of a name takes the k-th oldest signal of that name): the pairs' waits, signals
  // and Signal.when timers go, the signals reach the inbox (in wait order) and the workflows are
  // woken, their queues notified ($2). One statement for every match of a commit.
  SignalsMatch: `
    with w as (
      select seq, execution_id, handle, name, row_number() over (partition by execution_id, name order by seq) as k
      from :SCHEMA.signal_waits where execution_id = any($1::uuid[])
    ),
    s as (
      select seq, execution_id, name, payload, row_number() over (partition by execution_id, name order by seq) as k
      from :SCHEMA.signals where execution_id = any($1::uuid[])
    ),
    pair as materialized (
      select w.seq as wait_seq, w.execution_id, w.handle, w.name, s.seq as signal_seq, s.payload
      from w join s on s.execution_id = w.execution_id and s.name = w.name and s.k = w.k
    ),
    waits_gone as (delete from :SCHEMA.signal_waits where seq in (select wait_seq from pair)),
    signals_gone as (delete from :SCHEMA.signals where seq in (select signal_seq from pair)),
    timers_gone as (delete from :SCHEMA.timers tm using pair p where tm.execution_id = p.execution_id and tm.handle = p.handle),
    delivered as (
      insert into :SCHEMA.inbox (execution_id, handle, ok, value, signal_name, signal_seq)
      select execution_id, handle, true, coalesce(payload, 'null'::json), name, signal_seq from pair order by wait_seq
    ),
    woken as (
      update :SCHEMA.executions e
      set wakeups = e.wakeups + p.n,
          status = case when e.status = 'suspended' then 'queued' else e.status end,
          run_at = case when e.status = 'suspended' then now() else e.run_at end
      from (select execution_id, count(*)::integer as n from pair group by execution_id) p
      where e.id = p.execution_id and e.status in ('queued', 'running', 'suspended')
      returning e.queue, e.status
    )
    select count(pg_notify($2, 'q:' || queue)) as notes from (select distinct queue from woken where status = 'queued') q`,
  // Signals that reached a wait which had already given up its place go back to the buffer, at
  // their original position ($3: the inbox rows the activation was given).
  SignalRebuffer: `
    insert into :SCHEMA.signals (seq, execution_id, name, payload)
    select signal_seq, execution_id, signal_name, value from :SCHEMA.inbox
    where execution_id = $1 and handle = any($2::int[]) and signal_name is not null and seq = any($3::bigint[])`,
  // The waits of Signal.when timeouts that fired ($3: their roots, as TimersDue read them); a wait
  // already gone took its signal first.
  SignalWaitsTimedOut: `
    delete from :SCHEMA.signal_waits w using unnest($1::uuid[], $2::int[], $3::uuid[]) as t(execution_id, handle, root_id)
    where w.root_id = t.root_id and w.execution_id = t.execution_id and w.handle = t.handle
    returning w.execution_id, w.handle, w.name`,
} as const;
