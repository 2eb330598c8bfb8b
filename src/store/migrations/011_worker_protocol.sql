-- Rhythm schema, version 11: the worker protocol (docs/protocol.md), version 1. Functions in the
-- schema that let a worker in any language with a Postgres driver host tasks — register, claim,
-- heartbeat, complete, fail, release, expire leases — and a client start work, signal and read.
-- They write through the same tables, in the same way, as the TypeScript worker's statements
-- (queries/claims.ts, tasks.ts, deliveries.ts, awaiters.ts, enqueue.ts, signals.ts): a completion
-- is delivered to the awaiting workflow's inbox and wakes it (Wake + InboxInsert), as the
-- TypeScript worker does for a workflow it does not activate in its own step. Every write of an
-- attempt matches its claim token: a stale claim commits nothing. Functions are named `…_v1`;
-- a change of meaning gets new names, and protocol_version() says the newest this schema has.
-- Errors the protocol raises carry SQLSTATEs of class RH: RH404 no such execution or workflow,
-- RH409 the target cannot take it (finished, not a workflow), RH400 bad input.

create function :SCHEMA.protocol_version() returns integer language sql immutable as $$ select 1 $$;

-- The NOTIFY channel of this schema (as Store.channel): q:<queue> work is runnable, r:<ms>:<queue>
-- work comes due in <ms>, c:<id> an execution was cancelled, d:<ids> executions finished.
create function :SCHEMA.protocol_channel() returns text language sql immutable as $$
  select btrim(':SCHEMA', '"') || '_events'
$$;

-- A worker's row (at start, then every 10 s; as WorkerBeat): get/list say why queued work waits.
create function :SCHEMA.register_worker_v1(p_worker_id text, p_queues text[], p_tasks text[]) returns void
language sql as $$
  with gone as (delete from :SCHEMA.workers where seen_at < now() - interval '1 hour' and id <> p_worker_id)
  insert into :SCHEMA.workers (id, queues, tasks) values (p_worker_id, p_queues, p_tasks)
  on conflict (id) do update set queues = excluded.queues, tasks = excluded.tasks, seen_at = now()
$$;

create function :SCHEMA.unregister_worker_v1(p_worker_id text) returns void language sql as $$
  delete from :SCHEMA.workers where id = p_worker_id
$$;

-- Claims up to p_limit runnable tasks of the named tasks on the given queues, highest priority,
-- then earliest due, first (as Claim, tasks only). The lease is the task's timeout when it has
-- one, else p_lease_ms. Each claim gets a new token that every later write must give.
create function :SCHEMA.claim_tasks_v1(p_worker_id text, p_queues text[], p_tasks text[], p_limit integer, p_lease_ms integer)
returns table (id uuid, name text, queue text, inputs json, attempt integer, max_attempts integer, backoff json,
               timeout_ms integer, parent_id uuid, claim_token uuid, lease_ms integer)
language sql as $$
  with picked as (
    select p.id from unnest(p_queues) as q(name)
    cross join lateral (
      select e.id, e.priority, e.run_at from :SCHEMA.executions e
      where e.status = 'queued' and e.queue = q.name and e.run_at <= now() and e.kind = 'task' and e.name = any(p_tasks)
      order by e.priority desc, e.run_at, e.id
      limit p_limit
      for update skip locked
    ) p
    order by p.priority desc, p.run_at, p.id
    limit p_limit
  ),
  claimed as (
    update :SCHEMA.executions e
    set status = 'running', attempt = e.attempt + 1, claim_token = gen_random_uuid(), worker_id = p_worker_id,
        lease_expires_at = now() + coalesce(e.timeout_ms, p_lease_ms) * interval '1 millisecond',
        started_at = coalesce(e.started_at, now())
    where e.id = any (array(select id from picked))
    returning e.id, e.name, e.queue, e.inputs, e.attempt, e.max_attempts, e.backoff, e.timeout_ms, e.parent_id, e.claim_token,
              coalesce(e.timeout_ms, p_lease_ms) as lease_ms, e.priority, e.run_at
  )
  -- in serving order (an UPDATE returns its rows in no particular order)
  select c.id, c.name, c.queue, c.inputs, c.attempt, c.max_attempts, c.backoff, c.timeout_ms, c.parent_id, c.claim_token, c.lease_ms
  from claimed c order by c.priority desc, c.run_at, c.id
$$;

-- Extends a lease (as Heartbeat). `held` false: the claim is gone (expired and taken again,
-- cancelled, finished) and nothing this attempt writes will count; stop. `cancelled`: the
-- execution was cancelled.
create function :SCHEMA.heartbeat_v1(p_id uuid, p_token uuid, p_lease_ms integer)
returns table (held boolean, cancelled boolean)
language plpgsql as $$
declare
  v_cancel boolean;
begin
  update :SCHEMA.executions e set lease_expires_at = now() + p_lease_ms * interval '1 millisecond'
  where e.id = p_id and e.claim_token = p_token and e.status = 'running'
  returning e.cancel_requested into v_cancel;
  if found then
    return query select true, v_cancel;
    return;
  end if;
  return query select false, coalesce((select e.status = 'cancelled' or e.cancel_requested from :SCHEMA.executions e where e.id = p_id), false);
end
$$;

-- Settlements for workflows, in order (as deliver: Wake, then InboxInsert for those still going,
-- then q:<queue> for the ones made runnable). Internal to the protocol.
create function :SCHEMA.protocol_deliver(p_items json) returns void
language plpgsql as $$
declare
  v_notes bigint;
begin
  if p_items is null or json_array_length(p_items) = 0 then return; end if;
  with t as (select (x->>'execution_id')::uuid as id from json_array_elements(p_items) as x),
       w as (select t.id, count(*)::integer as n from t group by t.id),
       locked as materialized (select e.id from :SCHEMA.executions e join w on e.id = w.id order by e.id for no key update of e),
       woken as (
         update :SCHEMA.executions e
         set wakeups = e.wakeups + w.n,
             status = case when e.status = 'suspended' then 'queued' else e.status end,
             run_at = case when e.status = 'suspended' then now() else e.run_at end
         from w, locked
         where e.id = w.id and locked.id = w.id and e.status in ('queued', 'running', 'suspended')
         returning e.id, e.queue, e.status
       ),
       ins as (
         insert into :SCHEMA.inbox (execution_id, handle, ok, value)
         select i.execution_id, i.handle, i.ok, coalesce(i.value, 'null'::json)
         from rows from (json_to_recordset(p_items) as (execution_id uuid, handle integer, ok boolean, value json))
           with ordinality as i(execution_id, handle, ok, value, n)
         where i.execution_id in (select woken.id from woken)
         order by i.n
       )
  select count(pg_notify(:SCHEMA.protocol_channel(), 'q:' || q.queue)) into v_notes
  from (select distinct woken.queue from woken where woken.status = 'queued') q;
end
$$;

-- A finished execution's news: its parent (if it has one) first, then its awaiters (issue 14),
-- each told `ok`/`value`. Internal; the caller holds the row (it just finished it).
create function :SCHEMA.protocol_tell(p_id uuid, p_parent_id uuid, p_parent_handle integer, p_awaited boolean, p_ok boolean, p_value json)
returns void
language plpgsql as $$
declare
  v_news json;
begin
  with taken as (
    delete from :SCHEMA.awaiters a where p_awaited and a.execution_id = p_id returning a.seq, a.workflow_id, a.handle
  ),
  news as (
    select 0::bigint as n, p_parent_id as execution_id, p_parent_handle as handle
    where p_parent_id is not null and p_parent_handle is not null
    union all
    select taken.seq, taken.workflow_id, taken.handle from taken
  )
  select json_agg(json_build_object('execution_id', news.execution_id, 'handle', news.handle, 'ok', p_ok, 'value', p_value) order by news.n)
  into v_news from news;
  perform :SCHEMA.protocol_deliver(v_news);
end
$$;

-- Records a successful attempt (as TasksComplete, then the news to the workflow awaiting it).
-- False when the claim was no longer held: nothing is written.
create function :SCHEMA.complete_task_v1(p_id uuid, p_token uuid, p_output json) returns boolean
language plpgsql as $$
declare
  r record;
  v_output json := coalesce(p_output, 'null'::json);
begin
  update :SCHEMA.executions e
  set status = 'completed', output = v_output, finished_at = now(), claim_token = null, lease_expires_at = null
  where e.id = p_id and e.claim_token = p_token and e.status = 'running' and e.kind = 'task'
  returning e.parent_id, e.parent_handle, e.awaited into r;
  if not found then return false; end if;
  perform pg_notify(:SCHEMA.protocol_channel(), 'd:' || p_id::text);
  perform :SCHEMA.protocol_tell(p_id, r.parent_id, r.parent_handle, r.awaited, true, v_output);
  return true;
end
$$;

-- `p_error` with field "attempt" set to p_attempt, its other keys in their order (the TypeScript
-- worker stores `{ ...error, attempt }`). Internal.
create function :SCHEMA.protocol_with_attempt(p_error json, p_attempt integer) returns json
language sql immutable as $$
  select ('{' || string_agg(to_json(x.k)::text || ':' || x.v, ',' order by x.o) || '}')::json
  from (
    select j.key as k, case when j.key = 'attempt' then p_attempt::text else j.value::text end as v, j.o
    from json_each(p_error) with ordinality as j(key, value, o)
    union all
    select 'attempt', p_attempt::text, 1e18 where not exists (select 1 from json_each(p_error) j where j.key = 'attempt')
  ) x
$$;

-- Records a failed attempt: `p_error` is `{ "name": …, "message": …, …its own fields }`. Retried
-- after the backoff of the task's stored policy (else p_max_attempts/p_backoff, the worker's
-- registration; else 4 attempts, 1 s doubling to 5 min, equal jitter: shared/retries.ts) unless
-- p_retryable is false or the attempts are used up; then the task fails and the workflow awaiting
-- it gets a TaskError. Answers 'retried', 'failed', or null when the claim was no longer held.
create function :SCHEMA.fail_task_v1(p_id uuid, p_token uuid, p_error json, p_retryable boolean default true,
                                     p_max_attempts integer default null, p_backoff json default null)
returns text
language plpgsql as $$
declare
  r record;
  f record;
  v_max integer;
  v_backoff json;
  v_base double precision;
  v_delay bigint;
  v_stored json;
  v_errors json;
  v_parent_error json;
begin
  if p_error is null or json_typeof(p_error) <> 'object' or json_typeof(p_error->'name') is distinct from 'string'
     or json_typeof(p_error->'message') is distinct from 'string' then
    raise exception 'fail_task_v1: the error must be a JSON object with string fields "name" and "message"' using errcode = 'RH400';
  end if;
  select e.name, e.queue, e.attempt, e.max_attempts, e.backoff, e.errors into r
  from :SCHEMA.executions e where e.id = p_id and e.claim_token = p_token and e.status = 'running' and e.kind = 'task'
  for no key update;
  if not found then return null; end if;
  v_max := coalesce(r.max_attempts, p_max_attempts, 4);
  v_backoff := coalesce(r.backoff, p_backoff, '{"initialMs":1000,"maxMs":300000,"factor":2}'::json);
  v_stored := :SCHEMA.protocol_with_attempt(p_error, r.attempt);
  select json_agg(a.e order by a.n) into v_errors
  from (select o.e, o.n from json_array_elements(r.errors) with ordinality as o(e, n) union all select v_stored, null) as a(e, n);
  if coalesce(p_retryable, true) and r.attempt < v_max then
    v_base := least((v_backoff->>'maxMs')::double precision,
                    (v_backoff->>'initialMs')::double precision * power((v_backoff->>'factor')::double precision, greatest(0, r.attempt - 1)));
    v_delay := round(v_base / 2 + random() * (v_base / 2));
    update :SCHEMA.executions e
    set status = 'queued', errors = v_errors, run_at = now() + v_delay * interval '1 millisecond',
        claim_token = null, lease_expires_at = null, worker_id = null
    where e.id = p_id;
    perform pg_notify(:SCHEMA.protocol_channel(), case when v_delay > 0 then 'r:' || v_delay || ':' || r.queue else 'q:' || r.queue end);
    return 'retried';
  end if;
  -- what the workflows awaiting it throw (taskErrorJson)
  v_parent_error := json_build_object('name', 'TaskError', 'type', 'TaskError', 'message', p_error->>'message', 'task', r.name,
                                      'attempts', r.attempt, 'cause', p_error);
  update :SCHEMA.executions e
  set status = 'failed', error = v_stored, errors = v_errors, awaited_error = v_parent_error, finished_at = now(),
      claim_token = null, lease_expires_at = null
  where e.id = p_id
  returning e.parent_id, e.parent_handle, e.awaited into f;
  perform :SCHEMA.protocol_tell(p_id, f.parent_id, f.parent_handle, f.awaited, false, v_parent_error);
  perform pg_notify(:SCHEMA.protocol_channel(), 'd:' || p_id::text);
  return 'failed';
end
$$;

-- Gives a claim back without counting the attempt (a worker stopping with work it did not start
-- or finish). False when the claim was no longer held.
create function :SCHEMA.release_task_v1(p_id uuid, p_token uuid) returns boolean
language plpgsql as $$
declare
  v_queue text;
begin
  update :SCHEMA.executions e
  set status = 'queued', attempt = case when e.kind = 'task' then e.attempt - 1 else e.attempt end,
      claim_token = null, lease_expires_at = null, worker_id = null
  where e.id = p_id and e.claim_token = p_token and e.status = 'running'
  returning e.queue into v_queue;
  if not found then return false; end if;
  perform pg_notify(:SCHEMA.protocol_channel(), 'q:' || v_queue);
  return true;
end
$$;

-- Claims whose lease ran out (as lease-expiry.ts, which every TypeScript worker runs every 5 s):
-- a workflow activation is queued again; a task attempt fails with LeaseExpired and is retried
-- per its stored policy (else the default), or fails for good. Returns how many were resolved.
create function :SCHEMA.expire_leases_v1(p_limit integer default 100) returns integer
language plpgsql as $$
declare
  r record;
  n integer := 0;
begin
  for r in
    select e.id, e.kind, e.attempt, e.claim_token from :SCHEMA.executions e
    where e.status = 'running' and e.lease_expires_at < now()
    order by e.lease_expires_at limit p_limit for update skip locked
  loop
    n := n + 1;
    if r.kind = 'workflow' then
      update :SCHEMA.executions e set status = 'queued', claim_token = null, lease_expires_at = null, worker_id = null
      where e.id = r.id and e.claim_token = r.claim_token;
      perform pg_notify(:SCHEMA.protocol_channel(), 'q:*');
    else
      perform :SCHEMA.fail_task_v1(r.id, r.claim_token,
        json_build_object('name', 'LeaseExpired', 'type', 'LeaseExpired',
                          'message', 'the attempt''s lease expired: its worker stopped or it overran its timeout', 'attempt', r.attempt));
    end if;
  end loop;
  return n;
end
$$;

-- Starts a workflow (its newest deployed version) or queues a task (as Enqueue). p_options:
-- queue, priority, delayMs, runAt (ISO time), idempotencyKey, and for tasks maxAttempts, backoff
-- ({initialMs, maxMs, factor}), timeoutMs. A repeated idempotency key starts nothing: the first
-- execution's id comes back with created false.
create function :SCHEMA.enqueue_v1(p_kind text, p_name text, p_inputs json, p_options json default '{}')
returns table (id uuid, created boolean)
language plpgsql as $$
declare
  o json := coalesce(p_options, '{}'::json);
  v_version text;
  v_id uuid := gen_random_uuid();
  v_queue text := coalesce(o->>'queue', 'default');
  v_run_at timestamptz;
  v_key text := o->>'idempotencyKey';
  v_existing uuid;
begin
  if p_kind is null or p_kind not in ('workflow', 'task') then
    raise exception 'enqueue_v1: kind must be "workflow" or "task"' using errcode = 'RH400';
  end if;
  if p_name is null or p_name = '' then
    raise exception 'enqueue_v1: a name is required' using errcode = 'RH400';
  end if;
  if p_kind = 'workflow' then
    select v.version into v_version from :SCHEMA.workflow_versions v where v.name = p_name order by v.deployed_at desc limit 1;
    if v_version is null then
      raise exception 'no workflow "%" is deployed', p_name using errcode = 'RH404';
    end if;
  end if;
  v_run_at := coalesce((o->>'runAt')::timestamptz, now() + coalesce((o->>'delayMs')::bigint, 0) * interval '1 millisecond');
  insert into :SCHEMA.executions (id, kind, name, version, status, queue, priority, run_at, inputs, max_attempts, backoff,
                                  timeout_ms, idempotency_key)
  values (v_id, p_kind, p_name, v_version, 'queued', v_queue, coalesce((o->>'priority')::integer, 0), v_run_at,
          coalesce(p_inputs, 'null'::json), (o->>'maxAttempts')::integer,
          case when json_typeof(o->'backoff') = 'object' then o->'backoff' end, (o->>'timeoutMs')::integer, v_key)
  on conflict (kind, name, idempotency_key) where idempotency_key is not null do nothing;
  if not found then
    select e.id into v_existing from :SCHEMA.executions e where e.kind = p_kind and e.name = p_name and e.idempotency_key = v_key;
    return query select v_existing, false;
    return;
  end if;
  perform pg_notify(:SCHEMA.protocol_channel(),
    case when v_run_at <= now() then 'q:' || v_queue
         else 'r:' || ceil(extract(epoch from (v_run_at - now())) * 1000)::bigint || ':' || v_queue end);
  return query select v_id, true;
end
$$;

-- Sends a signal to a workflow (as send + SignalsSend): given to the oldest wait of its name, or
-- buffered. Refused (RH404/RH409/RH400) when there is no such workflow, it has finished, or its
-- version never waits on a signal of that name (unless p_force).
create function :SCHEMA.signal_v1(p_id uuid, p_name text, p_payload json, p_force boolean default false) returns void
language plpgsql as $$
declare
  r record;
  v_signals jsonb;
  w record;
begin
  select e.kind, e.status, e.name, e.version, e.queue into r from :SCHEMA.executions e where e.id = p_id for no key update;
  if not found then raise exception 'no execution %', p_id using errcode = 'RH404'; end if;
  if r.kind <> 'workflow' then raise exception 'execution % is a task, not a workflow', p_id using errcode = 'RH409'; end if;
  if r.status not in ('queued', 'running', 'suspended') then
    raise exception 'workflow % has finished (%)', p_id, r.status using errcode = 'RH409';
  end if;
  select v.program->'signals' into v_signals from :SCHEMA.workflow_versions v where v.name = r.name and v.version = r.version;
  if not coalesce(p_force, false) and v_signals is not null and not coalesce((v_signals->>'computed')::boolean, false)
     and not (v_signals->'names') ? p_name then
    raise exception 'workflow "%" never waits on a signal named "%"', r.name, p_name using errcode = 'RH400';
  end if;
  delete from :SCHEMA.signal_waits sw
  where sw.seq = (select o.seq from :SCHEMA.signal_waits o where o.execution_id = p_id and o.name = p_name order by o.seq limit 1)
  returning sw.execution_id, sw.handle into w;
  if not found then
    insert into :SCHEMA.signals (execution_id, name, payload) values (p_id, p_name, coalesce(p_payload, 'null'::json));
    return;
  end if;
  delete from :SCHEMA.timers tm where tm.execution_id = w.execution_id and tm.handle = w.handle;
  insert into :SCHEMA.inbox (execution_id, handle, ok, value, signal_name, signal_seq)
  values (p_id, w.handle, true, coalesce(p_payload, 'null'::json), p_name, nextval(pg_get_serial_sequence(':SCHEMA.signals', 'seq')));
  update :SCHEMA.executions e
  set wakeups = e.wakeups + 1,
      status = case when e.status = 'suspended' then 'queued' else e.status end,
      run_at = case when e.status = 'suspended' then now() else e.run_at end
  where e.id = p_id;
  perform pg_notify(:SCHEMA.protocol_channel(), 'q:' || r.queue);
end
$$;

-- One execution as a client sees it (the fields of get without what blocks it).
create function :SCHEMA.get_v1(p_id uuid)
returns table (id uuid, kind text, name text, status text, queue text, inputs json, output json, error json, attempt integer,
               parent_id uuid, created_at timestamptz, started_at timestamptz, finished_at timestamptz)
language sql stable as $$
  select e.id, e.kind, e.name, e.status, e.queue, e.inputs, e.output, e.error, e.attempt, e.parent_id, e.created_at, e.started_at,
         e.finished_at
  from :SCHEMA.executions e where e.id = p_id
$$;

-- A line in a task attempt's log (as a TypeScript handler's ctx.log: level "log", source "task"),
-- written only while the claim is held. False when it was not.
create function :SCHEMA.task_log_v1(p_id uuid, p_token uuid, p_message text) returns boolean
language plpgsql as $$
begin
  perform 1 from :SCHEMA.executions e where e.id = p_id and e.claim_token = p_token and e.status = 'running';
  if not found then return false; end if;
  insert into :SCHEMA.logs (execution_id, level, message, line, source) values (p_id, 'log', coalesce(p_message, ''), null, 'task');
  return true;
end
$$;

-- Many completions in one call (one transaction: one commit's wait for the disk for all of them,
-- as the TypeScript worker's group commit). p_items: [{"id", "token", "output"}, …]; answers each
-- item, in order, with whether it was written (false: its claim was no longer held). One UPDATE
-- for all of them (as TasksComplete); only those a workflow awaits are then delivered, one by one
-- in order, and the d: notifications are packed 200 ids to one.
create function :SCHEMA.complete_tasks_v1(p_items json) returns table (id uuid, written boolean)
language plpgsql as $$
#variable_conflict use_column
declare
  r record;
  v_done uuid[] := '{}';
  v_notes bigint;
begin
  for r in
    with t as materialized (
      select x.id, x.token, x.output, x.n
      from rows from (json_to_recordset(p_items) as (id uuid, token uuid, output json)) with ordinality as x(id, token, output, n)
    ),
    done as (
      update :SCHEMA.executions e
      set status = 'completed', output = coalesce(t.output, 'null'::json), finished_at = now(), claim_token = null,
          lease_expires_at = null
      from t
      where e.id = any (array(select t2.id from t t2)) and e.id = t.id and e.claim_token = t.token and e.status = 'running'
        and e.kind = 'task'
      returning e.id, e.parent_id, e.parent_handle, e.awaited, coalesce(t.output, 'null'::json) as output, t.n
    )
    select t.id, d.id is not null as done, d.parent_id, d.parent_handle, d.awaited, d.output
    from t left join done d on d.n = t.n order by t.n
  loop
    if r.done then
      v_done := v_done || r.id;
      if r.parent_id is not null or r.awaited then
        perform :SCHEMA.protocol_tell(r.id, r.parent_id, r.parent_handle, r.awaited, true, r.output);
      end if;
    end if;
    id := r.id;
    written := r.done;
    return next;
  end loop;
  select count(pg_notify(:SCHEMA.protocol_channel(), 'd:' || p.ids)) into v_notes
  from (select string_agg(x.id::text, ',') as ids from unnest(v_done) with ordinality as x(id, n) group by (x.n - 1) / 200) p;
end
$$;
