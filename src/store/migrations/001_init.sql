-- Rhythm schema, version 1. ":SCHEMA" is replaced by the quoted schema name.
-- Executions are tasks and workflows alike; their state machine is enforced by CHECK constraints:
--   queued → running → (completed | failed | queued again for a retry)
--   workflows: running → suspended → queued (woken) → running …
--   any non-final status → cancelled

create table :SCHEMA.workflow_versions (
  name        text not null,
  version     text not null,               -- sha256 of the source, hex
  source      text not null,
  program     jsonb not null,              -- compiled once; running executions keep using it
  deployed_at timestamptz not null default now(), -- the most recently deployed version is the newest
  primary key (name, version)
);
create index workflow_versions_newest on :SCHEMA.workflow_versions (name, deployed_at desc);

create table :SCHEMA.executions (
  id                uuid primary key,
  kind              text not null check (kind in ('workflow', 'task')),
  name              text not null,
  version           text,                    -- workflows: the version they run
  status            text not null check (status in ('queued', 'running', 'suspended', 'completed', 'failed', 'cancelled')),
  queue             text not null default 'default',
  priority          integer not null default 0,
  run_at            timestamptz not null default now(),
  inputs            jsonb not null,
  output            jsonb,
  error             jsonb,
  errors            jsonb not null default '[]',  -- every failed attempt's error, in order
  attempt           integer not null default 0,   -- attempts started so far
  max_attempts      integer check (max_attempts >= 1), -- null: the task registration decides (default 4)
  backoff           jsonb,                        -- { initialMs, maxMs, factor }
  timeout_ms        integer,                      -- task lease length
  lease_expires_at  timestamptz,
  claim_token       uuid,                         -- changes at every claim: a stale worker's writes match nothing
  worker_id         text,
  parent_id         uuid,
  parent_handle     integer,                      -- the parent's handle this execution settles
  idempotency_key   text,
  state             jsonb,                        -- workflows: the saved interpreter state
  wakeups           integer not null default 0,   -- settlements delivered; compared at commit
  waits             jsonb,                        -- what a suspended workflow waits on (for get/list)
  cancel_requested  boolean not null default false,
  created_at        timestamptz not null default now(),
  started_at        timestamptz,
  finished_at       timestamptz,
  check ((status = 'running') = (claim_token is not null)),
  check ((status in ('completed', 'failed', 'cancelled')) = (finished_at is not null))
);
-- The claim query walks this index: only runnable rows, in the order they are served.
create index executions_claim on :SCHEMA.executions (queue, priority desc, run_at, id) where status = 'queued';
create index executions_expired on :SCHEMA.executions (lease_expires_at) where status = 'running';
create index executions_parent on :SCHEMA.executions (parent_id) where parent_id is not null;
create index executions_list on :SCHEMA.executions (created_at desc, id desc);
create index executions_status_name on :SCHEMA.executions (status, name);
create unique index executions_idempotency on :SCHEMA.executions (kind, name, idempotency_key) where idempotency_key is not null;

-- Settlements waiting for a workflow's next activation (task results, child outcomes, timers,
-- signals), in arrival order.
create table :SCHEMA.inbox (
  seq           bigserial primary key,
  execution_id  uuid not null references :SCHEMA.executions (id) on delete cascade,
  handle        integer not null,
  ok            boolean not null,
  value         jsonb,
  -- for a delivered signal: its name and buffer position, so it can go back to the buffer when
  -- the wait it went to had given up its place (the loser of a race) by the time it arrived
  signal_name   text,
  signal_seq    bigint
);
create index inbox_execution on :SCHEMA.inbox (execution_id, seq);

-- Timers on the database clock: Timer.delay/until, and Signal.when timeouts.
create table :SCHEMA.timers (
  execution_id  uuid not null references :SCHEMA.executions (id) on delete cascade,
  handle        integer not null,
  fire_at       timestamptz not null,
  kind          text not null check (kind in ('timer', 'signal-timeout')),
  primary key (execution_id, handle)
);
create index timers_due on :SCHEMA.timers (fire_at);

-- Signal waits in creation order, and signals buffered until a wait takes them (FIFO per name).
create table :SCHEMA.signal_waits (
  seq           bigserial primary key,
  execution_id  uuid not null references :SCHEMA.executions (id) on delete cascade,
  handle        integer not null,
  name          text not null,
  unique (execution_id, handle)
);
create index signal_waits_match on :SCHEMA.signal_waits (execution_id, name, seq);

create table :SCHEMA.signals (
  seq           bigserial primary key,
  execution_id  uuid not null references :SCHEMA.executions (id) on delete cascade,
  name          text not null,
  payload       jsonb,
  created_at    timestamptz not null default now()
);
create index signals_match on :SCHEMA.signals (execution_id, name, seq);

-- Log lines of workflows (console.*) and task handlers (ctx.log).
create table :SCHEMA.logs (
  seq           bigserial primary key,
  execution_id  uuid not null references :SCHEMA.executions (id) on delete cascade,
  level         text not null,
  message       text not null,
  line          integer,
  created_at    timestamptz not null default now()
);
create index logs_execution on :SCHEMA.logs (execution_id, seq);
