-- Rhythm schema, version 2: the workers that are running, so that get/list can say why queued work
-- does not start (no worker serves its queue, or none of those registers its task). Each worker
-- writes its row when it starts and again every few seconds, and deletes it when it stops; a row
-- not written for a while is a worker that died (and is deleted by the next one that writes).
create table :SCHEMA.workers (
  id          text primary key,
  queues      text[] not null,
  tasks       text[] not null,
  started_at  timestamptz not null default now(),
  seen_at     timestamptz not null default now()
);
