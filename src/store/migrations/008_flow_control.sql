-- Rhythm schema, version 8: concurrency keys and rate limits (SPEC §9), enforced here, in the
-- database, so that every worker and every code path that moves an execution obeys them.
--
-- Concurrency `{ key, limit }`: a task holds a slot of its key while an attempt runs; a workflow
-- from its first activation until it finishes (`holds_slot`). A claim (queued → running) takes a
-- slot when fewer than the execution's own `limit` hold the key; otherwise the claim is undone and
-- the execution is *parked*: out of the claim index, so it blocks no other key and costs no claim
-- anything. Whatever ends a holder (completion, failure, retry, lease expiry, shutdown, cancel)
-- gives the slot back in the same transaction and unparks the next waiting execution of the key
-- with a NOTIFY, so waiting work is woken, never polled for.
--
-- Decisions about one key are serialized by a transaction-scoped advisory lock on the key
-- (class 8008, hashtext of the key; a collision only serializes two keys), taken by claims,
-- releases, and inserts into a full key: whoever parks holds it until commit, so a release that
-- comes after sees the parked row, and one that came before left a count that lets the claim
-- through. Holders are counted from the rows (an index of holders), not kept in a counter.
-- (A row per key, locked and updated, cost S1 with 10,000 keys 30 % of its throughput.)
--
-- Rate limit `{ key, limit, per }`: at most `limit` starts (a task's attempts, a workflow's first
-- activation) per fixed window of `per` ms (epoch-aligned, on the database clock) per key. A claim
-- over the limit is undone and the execution's run_at moved to the next window, with the
-- `r:<ms>:<queue>` notification that makes workers set a timer for it.

alter table :SCHEMA.executions
  add column concurrency_key text,
  add column concurrency_limit integer check (concurrency_limit >= 1),
  add column holds_slot boolean not null default false,
  add column parked boolean not null default false,
  add column rate_key text,
  add column rate_limit integer check (rate_limit >= 1),
  add column rate_per_ms integer check (rate_per_ms >= 1),
  add constraint executions_concurrency_pair check ((concurrency_key is null) = (concurrency_limit is null)),
  add constraint executions_rate_triple check ((rate_key is null) = (rate_limit is null) and (rate_key is null) = (rate_per_ms is null)),
  add constraint executions_slot_needs_key check (not (holds_slot or parked) or concurrency_key is not null),
  add constraint executions_parked_queued check (not parked or status = 'queued');

-- The next parked execution of a key, in serving order; and the holders of a key.
create index executions_parked on :SCHEMA.executions (concurrency_key, priority desc, run_at, id) where parked;
create index executions_holders on :SCHEMA.executions (concurrency_key) where holds_slot;

create table :SCHEMA.rate_limits (
  key     text primary key,
  per_ms  integer not null,
  win     bigint not null,   -- the current window: floor(epoch ms / per_ms)
  used    integer not null,  -- starts counted in it
  ahead   integer not null   -- executions sent on to later windows, in line: the next goes to
                             -- window win + 1 + ahead / limit, so a backlog is spread over the
                             -- windows it needs instead of all coming due at the next one
);

-- How many executions other than `self` hold `k`, counting no further than `upto`.
create function :SCHEMA.concurrency_holders(k text, self uuid, upto integer) returns integer language sql as $$
  select count(*)::integer from (
    select 1 from :SCHEMA.executions where concurrency_key = k and holds_slot and id <> self limit upto
  ) h
$$;

-- Unparks the first parked execution of `k` when the key has room for it (fewer than its limit
-- held), and wakes its queue. Called under the key's lock.
create function :SCHEMA.concurrency_unpark(k text, self uuid, channel text) returns void language plpgsql as $$
declare
  next_id uuid;
  next_limit integer;
  q text;
begin
  select id, concurrency_limit, queue into next_id, next_limit, q from :SCHEMA.executions
  where concurrency_key = k and parked
  order by priority desc, run_at, id limit 1 for update skip locked;
  if next_id is null or :SCHEMA.concurrency_holders(k, self, next_limit) >= next_limit then
    return;
  end if;
  update :SCHEMA.executions set parked = false where id = next_id;
  perform pg_notify(channel, 'q:' || q);
end $$;

-- Every status change of an execution with a key or a rate limit (the trigger's WHEN keeps the
-- rest of the traffic off it): a claim takes a slot and a start, or is undone; an end gives the
-- slot back.
create function :SCHEMA.flow_control_update() returns trigger language plpgsql as $$
declare
  channel text := tg_table_schema || '_events';
  w bigint;
  rw bigint;
  rused integer;
  rper integer;
  rahead integer;
begin
  if OLD.status = 'queued' and NEW.status = 'running' then
    -- a claim
    if NEW.concurrency_key is not null and not OLD.holds_slot then
      perform pg_advisory_xact_lock(8008, hashtext(NEW.concurrency_key));
      if :SCHEMA.concurrency_holders(NEW.concurrency_key, NEW.id, NEW.concurrency_limit) >= NEW.concurrency_limit then
        NEW := OLD;
        NEW.parked := true;
        return NEW;
      end if;
      NEW.holds_slot := true;
    end if;
    if NEW.rate_key is not null and (NEW.kind = 'task' or OLD.started_at is null) then
      w := floor(extract(epoch from now()) * 1000 / NEW.rate_per_ms);
      insert into :SCHEMA.rate_limits as r (key, per_ms, win, used, ahead) values (NEW.rate_key, NEW.rate_per_ms, w, 0, 0)
      on conflict (key) do update set used = r.used
      returning win, used, per_ms, ahead into rw, rused, rper, rahead;
      if rper <> NEW.rate_per_ms then
        rused := 0;
        rahead := 0;
      elsif w < rw then
        -- the database's clock went back: keep counting in the later window, never more than `limit` in it
        w := rw;
      elsif w > rw then
        -- windows passed: the executions sent to them have come due
        rused := 0;
        rahead := greatest(0, rahead::bigint - (w - rw) * NEW.rate_limit)::integer;
      end if;
      if rused >= NEW.rate_limit then
        -- over the limit: due at the start of the first later window with room in line (the
        -- slot above was never written); its claim then is counted as any other
        NEW := OLD;
        NEW.run_at := to_timestamp((w + 1 + rahead / NEW.rate_limit) * NEW.rate_per_ms / 1000.0);
        update :SCHEMA.rate_limits set per_ms = NEW.rate_per_ms, win = w, used = rused, ahead = rahead + 1 where key = NEW.rate_key;
        perform pg_notify(channel, 'r:' || ceil(extract(epoch from (NEW.run_at - now())) * 1000)::bigint || ':' || NEW.queue);
        return NEW;
      end if;
      update :SCHEMA.rate_limits set per_ms = NEW.rate_per_ms, win = w, used = rused + 1, ahead = rahead where key = NEW.rate_key;
    end if;
    return NEW;
  end if;

  if OLD.holds_slot and (NEW.status in ('completed', 'failed', 'cancelled') or (NEW.kind = 'task' and NEW.status <> 'running')) then
    -- a holder ends (a task's attempt, a workflow's run): its slot goes to the next in line
    NEW.holds_slot := false;
    perform pg_advisory_xact_lock(8008, hashtext(OLD.concurrency_key));
    -- an index probe: a key without a line costs nothing more
    if exists (select 1 from :SCHEMA.executions where concurrency_key = OLD.concurrency_key and parked) then
      perform :SCHEMA.concurrency_unpark(OLD.concurrency_key, OLD.id, channel);
    end if;
  elsif OLD.concurrency_key is not null and OLD.status = 'queued' and not OLD.parked and not OLD.holds_slot
        and NEW.status in ('completed', 'failed', 'cancelled') then
    -- an unparked execution given up before it ran (cancelled): the one unparked for it moves on
    perform pg_advisory_xact_lock(8008, hashtext(OLD.concurrency_key));
    perform :SCHEMA.concurrency_unpark(OLD.concurrency_key, OLD.id, channel);
  end if;
  if NEW.status <> 'queued' then
    NEW.parked := false;
  end if;
  return NEW;
end $$;

create trigger flow_control_update before update of status on :SCHEMA.executions
for each row when (OLD.concurrency_key is not null or OLD.rate_key is not null)
execute function :SCHEMA.flow_control_update();

-- A keyed execution queued while its key is full is parked at once, so a long line of one key
-- never passes through the claim index. Only then is the key's lock taken (until the inserting
-- transaction commits), which keeps a release from missing it.
create function :SCHEMA.flow_control_insert() returns trigger language plpgsql as $$
begin
  if NEW.status = 'queued'
     and :SCHEMA.concurrency_holders(NEW.concurrency_key, NEW.id, NEW.concurrency_limit) >= NEW.concurrency_limit then
    perform pg_advisory_xact_lock(8008, hashtext(NEW.concurrency_key));
    NEW.parked := :SCHEMA.concurrency_holders(NEW.concurrency_key, NEW.id, NEW.concurrency_limit) >= NEW.concurrency_limit;
  end if;
  return NEW;
end $$;

create trigger flow_control_insert before insert on :SCHEMA.executions
for each row when (NEW.concurrency_key is not null)
execute function :SCHEMA.flow_control_insert();
