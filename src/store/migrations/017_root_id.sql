-- Rhythm schema, version 17: every execution knows its run's root (docs/scale.md). The root is the
-- execution a client started (queueTask, startWorkflow, a schedule, a fork, the protocol's
-- enqueue_v1); the tasks and child workflows a workflow starts carry its root_id, down any depth.
-- It is the distribution key of a distributed Postgres (Citus): every row of one run lives on one
-- shard. The per-run tables carry it too, as colocation needs the key in each distributed table.
-- Engine statements write it; a row inserted without it (the protocol's SQL functions, older
-- workers during a rolling upgrade) gets it from a trigger that fires only then (WHEN is checked
-- in C: a statement that gives root_id pays nothing).

alter table :SCHEMA.executions add column root_id uuid;
-- Backfill: roots first, then each generation from its parent's row (a fork, forked_from, is a root).
update :SCHEMA.executions set root_id = id where parent_id is null;
do $$
begin
  loop
    update :SCHEMA.executions c set root_id = p.root_id
    from :SCHEMA.executions p where c.parent_id = p.id and c.root_id is null and p.root_id is not null;
    exit when not found;
  end loop;
end $$;
-- A child whose parent was deleted (retention keeps parents of live children, but not of finished ones): its own root.
update :SCHEMA.executions set root_id = id where root_id is null;
alter table :SCHEMA.executions alter column root_id set not null;

create function :SCHEMA.rhythm_execution_root() returns trigger language plpgsql as $$
begin
  if new.parent_id is not null then
    select p.root_id into new.root_id from :SCHEMA.executions p where p.id = new.parent_id;
  end if;
  new.root_id := coalesce(new.root_id, new.id);
  return new;
end $$;
create trigger executions_root before insert on :SCHEMA.executions
  for each row when (new.root_id is null) execute function :SCHEMA.rhythm_execution_root();

-- The per-run tables: root_id of the execution the row belongs to (awaiters: of the awaited
-- execution, whose lock and end decide the row; the awaiting workflow may be in another run).
alter table :SCHEMA.inbox add column root_id uuid;
alter table :SCHEMA.timers add column root_id uuid;
alter table :SCHEMA.signal_waits add column root_id uuid;
alter table :SCHEMA.signals add column root_id uuid;
alter table :SCHEMA.logs add column root_id uuid;
alter table :SCHEMA.awaiters add column root_id uuid;
update :SCHEMA.inbox x set root_id = e.root_id from :SCHEMA.executions e where e.id = x.execution_id;
update :SCHEMA.timers x set root_id = e.root_id from :SCHEMA.executions e where e.id = x.execution_id;
update :SCHEMA.signal_waits x set root_id = e.root_id from :SCHEMA.executions e where e.id = x.execution_id;
update :SCHEMA.signals x set root_id = e.root_id from :SCHEMA.executions e where e.id = x.execution_id;
update :SCHEMA.logs x set root_id = e.root_id from :SCHEMA.executions e where e.id = x.execution_id;
update :SCHEMA.awaiters x set root_id = e.root_id from :SCHEMA.executions e where e.id = x.execution_id;
alter table :SCHEMA.inbox alter column root_id set not null;
alter table :SCHEMA.timers alter column root_id set not null;
alter table :SCHEMA.signal_waits alter column root_id set not null;
alter table :SCHEMA.signals alter column root_id set not null;
alter table :SCHEMA.logs alter column root_id set not null;
alter table :SCHEMA.awaiters alter column root_id set not null;

create function :SCHEMA.rhythm_row_root() returns trigger language plpgsql as $$
begin
  select e.root_id into new.root_id from :SCHEMA.executions e where e.id = new.execution_id;
  return new;
end $$;
create trigger inbox_root before insert on :SCHEMA.inbox
  for each row when (new.root_id is null) execute function :SCHEMA.rhythm_row_root();
create trigger timers_root before insert on :SCHEMA.timers
  for each row when (new.root_id is null) execute function :SCHEMA.rhythm_row_root();
create trigger signal_waits_root before insert on :SCHEMA.signal_waits
  for each row when (new.root_id is null) execute function :SCHEMA.rhythm_row_root();
create trigger signals_root before insert on :SCHEMA.signals
  for each row when (new.root_id is null) execute function :SCHEMA.rhythm_row_root();
create trigger logs_root before insert on :SCHEMA.logs
  for each row when (new.root_id is null) execute function :SCHEMA.rhythm_row_root();
create trigger awaiters_root before insert on :SCHEMA.awaiters
  for each row when (new.root_id is null) execute function :SCHEMA.rhythm_row_root();

-- A workflow's deadline timer (014) carries its root_id: the trigger above is not needed for it.
create or replace function :SCHEMA.rhythm_deadline_timer() returns trigger language plpgsql as $$
begin
  execute format('insert into %I.timers (execution_id, handle, fire_at, kind, root_id) values ($1, -1, $2, ''deadline'', $3)
                  on conflict (execution_id, handle) do nothing', tg_table_schema)
    using new.id, new.started_at + new.run_timeout_ms * interval '1 millisecond', new.root_id;
  perform pg_notify(tg_table_schema || '_events', 't');
  return null;
end $$;
