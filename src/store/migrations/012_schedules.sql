-- Rhythm schema, version 12: schedules (SPEC §9). A schedule starts a workflow or queues a task
-- at each tick of its cron expression, read in its time zone. A worker fires a due schedule in one
-- transaction: it locks the row (FOR UPDATE SKIP LOCKED), starts the tick's execution with the
-- idempotency key `schedule:<name>:<tick>` (so a tick starts at most one execution even if two
-- transactions got that far) and moves next_fire_at past it before committing.
create table :SCHEMA.schedules (
  name          text primary key,
  cron          text not null,
  timezone      text not null default 'UTC',
  kind          text not null check (kind in ('workflow', 'task')),
  target        text not null,                  -- the workflow or task name
  inputs        json not null default 'null',   -- json: inputs keep their key order
  queue         text not null default 'default',
  priority      integer not null default 0,
  overlap       text not null check (overlap in ('skip', 'allow', 'cancel-previous')),
  catchup       text not null check (catchup in ('none', 'latest', 'all')),
  paused        boolean not null default false,
  next_fire_at  timestamptz,                    -- the next tick not fired yet; null: the cron has no more ticks
  last_fire_at  timestamptz,                    -- the last tick that started an execution
  last_error    text,                           -- why the last due tick started nothing (no such workflow…), null when it did
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now()
);
create index schedules_due on :SCHEMA.schedules (next_fire_at) where not paused;

-- The schedule that started an execution (null for everything else); the overlap policy reads the
-- unfinished executions of a schedule through the index.
alter table :SCHEMA.executions add column schedule_name text;
create index executions_schedule_live on :SCHEMA.executions (schedule_name) where schedule_name is not null and finished_at is null;
