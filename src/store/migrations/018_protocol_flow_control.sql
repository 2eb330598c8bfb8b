-- Rhythm schema, version 18: the worker protocol (011) obeys flow control (008, 009) and counts lost
-- activations (007) as the TypeScript worker does. Same functions, same signatures, same contract
-- (protocol_version() stays 1: a caller needs nothing new); what they do underneath is fixed:
--   * claim_tasks_v1 walks the claim index as Claim does (`not parked`), and a row the
--     flow-control trigger undid — its concurrency key full (parked) or its rate window spent
--     (moved to the next window) — is not handed out: the trigger's `NEW := OLD` leaves it queued
--     with no claim token, and 011 returned it anyway. The room it took is claimed again, as
--     store/claims.ts does, so work behind it does not wait for the next poll.
--   * expire_leases_v1 counts an expired workflow activation as lost (activation_failures, with
--     the reason), as lease-expiry.ts (ReleaseLost) does.
--   * enqueue_v1 takes `concurrency: {key, limit}` and `rateLimit: {key, limit, perMs}`.

create or replace function :SCHEMA.claim_tasks_v1(p_worker_id text, p_queues text[], p_tasks text[], p_limit integer, p_lease_ms integer)
returns table (id uuid, name text, queue text, inputs json, attempt integer, max_attempts integer, backoff json,
               timeout_ms integer, parent_id uuid, claim_token uuid, lease_ms integer)
language plpgsql as $$
#variable_conflict use_column
declare
  r record;
  v_room integer := coalesce(p_limit, 0);
  v_seen integer;
  v_undone integer;
begin
  while v_room > 0 loop
    v_seen := 0;
    v_undone := 0;
    for r in
      with picked as (
        select p.id from unnest(p_queues) as q(name)
        cross join lateral (
          select e.id, e.priority, e.run_at from :SCHEMA.executions e
          where e.status = 'queued' and not e.parked and e.queue = q.name and e.run_at <= now() and e.kind = 'task'
            and e.name = any(p_tasks)
          order by e.priority desc, e.run_at, e.id
          limit v_room
          for update skip locked
        ) p
        order by p.priority desc, p.run_at, p.id
        limit v_room
      ),
      claimed as (
        update :SCHEMA.executions e
        set status = 'running', attempt = e.attempt + 1, claim_token = gen_random_uuid(), worker_id = p_worker_id,
            lease_expires_at = now() + coalesce(e.timeout_ms, p_lease_ms) * interval '1 millisecond',
            started_at = coalesce(e.started_at, now())
        where e.id = any (array(select picked.id from picked))
        returning e.id, e.name, e.queue, e.inputs, e.attempt, e.max_attempts, e.backoff, e.timeout_ms, e.parent_id,
                  e.claim_token, coalesce(e.timeout_ms, p_lease_ms) as lease_ms, e.priority, e.run_at, e.status
      )
      -- in serving order (an UPDATE returns its rows in no particular order)
      select * from claimed c order by c.priority desc, c.run_at, c.id
    loop
      v_seen := v_seen + 1;
      if r.claim_token is null or r.status <> 'running' then
        -- undone by the flow-control trigger: parked, or sent to a later rate window
        v_undone := v_undone + 1;
        continue;
      end if;
      id := r.id; name := r.name; queue := r.queue; inputs := r.inputs; attempt := r.attempt;
      max_attempts := r.max_attempts; backoff := r.backoff; timeout_ms := r.timeout_ms; parent_id := r.parent_id;
      claim_token := r.claim_token; lease_ms := r.lease_ms;
      return next;
    end loop;
    exit when v_undone = 0;
    v_room := v_room - (v_seen - v_undone);
  end loop;
end
$$;

create or replace function :SCHEMA.expire_leases_v1(p_limit integer default 100) returns integer
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
      -- a lost activation, counted with why (as ReleaseLost)
      update :SCHEMA.executions e
      set status = 'queued', activation_failures = e.activation_failures + 1,
          activation_error = 'its lease expired (its worker stopped or froze before the activation was saved)',
          claim_token = null, lease_expires_at = null, worker_id = null
      where e.id = r.id and e.claim_token = r.claim_token and e.status = 'running' and e.kind = 'workflow';
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

-- As 011's, with the flow-control options stored as Enqueue stores them: `concurrency` {key, limit
-- (default 1)} and `rateLimit` {key, limit, perMs}; a malformed one is refused (RH400).
create or replace function :SCHEMA.enqueue_v1(p_kind text, p_name text, p_inputs json, p_options json default '{}')
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
  c json := o->'concurrency';
  rl json := o->'rateLimit';
begin
  if p_kind is null or p_kind not in ('workflow', 'task') then
    raise exception 'enqueue_v1: kind must be "workflow" or "task"' using errcode = 'RH400';
  end if;
  if p_name is null or p_name = '' then
    raise exception 'enqueue_v1: a name is required' using errcode = 'RH400';
  end if;
  if json_typeof(c) = 'null' then c := null; end if;
  if json_typeof(rl) = 'null' then rl := null; end if;
  if c is not null and (json_typeof(c) <> 'object' or json_typeof(c->'key') is distinct from 'string' or c->>'key' = ''
     or (c->'limit' is not null and (json_typeof(c->'limit') <> 'number' or (c->>'limit')::numeric < 1
                                     or (c->>'limit')::numeric <> floor((c->>'limit')::numeric)))) then
    raise exception 'enqueue_v1: concurrency must be {"key": a non-empty string, "limit": a whole number >= 1}' using errcode = 'RH400';
  end if;
  if rl is not null and (json_typeof(rl) <> 'object' or json_typeof(rl->'key') is distinct from 'string' or rl->>'key' = ''
     or json_typeof(rl->'limit') is distinct from 'number' or json_typeof(rl->'perMs') is distinct from 'number'
     or (rl->>'limit')::numeric < 1 or (rl->>'limit')::numeric <> floor((rl->>'limit')::numeric)
     or (rl->>'perMs')::numeric < 1 or (rl->>'perMs')::numeric <> floor((rl->>'perMs')::numeric)) then
    raise exception 'enqueue_v1: rateLimit must be {"key": a non-empty string, "limit": a whole number >= 1, "perMs": a whole number >= 1}'
      using errcode = 'RH400';
  end if;
  if p_kind = 'workflow' then
    select v.version into v_version from :SCHEMA.workflow_versions v where v.name = p_name order by v.deployed_at desc limit 1;
    if v_version is null then
      raise exception 'no workflow "%" is deployed', p_name using errcode = 'RH404';
    end if;
  end if;
  v_run_at := coalesce((o->>'runAt')::timestamptz, now() + coalesce((o->>'delayMs')::bigint, 0) * interval '1 millisecond');
  insert into :SCHEMA.executions (id, kind, name, version, status, queue, priority, run_at, inputs, max_attempts, backoff,
                                  timeout_ms, idempotency_key, concurrency_key, concurrency_limit, rate_key, rate_limit, rate_per_ms)
  values (v_id, p_kind, p_name, v_version, 'queued', v_queue, coalesce((o->>'priority')::integer, 0), v_run_at,
          coalesce(p_inputs, 'null'::json), (o->>'maxAttempts')::integer,
          case when json_typeof(o->'backoff') = 'object' then o->'backoff' end, (o->>'timeoutMs')::integer, v_key,
          c->>'key', case when c is not null then coalesce((c->>'limit')::integer, 1) end,
          rl->>'key', (rl->>'limit')::integer, (rl->>'perMs')::integer)
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
