// Schedules (cron) and retention: the schedule rows, the due ticks a worker fires, and the
// deletion of old finished executions in small batches.

const SCHEDULE_COLUMNS = `name, cron, timezone, kind, target, inputs, queue, priority, overlap, catchup, paused,
  next_fire_at, last_fire_at, last_error, created_at, updated_at`;

/** The old finished executions of status $1 (finished before now - $2 ms) that nothing still needs. */
const PRUNABLE = `
    from :SCHEMA.executions e
    where e.status = $1 and e.finished_at < now() - $2 * interval '1 millisecond'
      -- a child whose parent still runs may still be read by it (a handle it has not awaited yet)
      and (e.parent_id is null or not exists (select 1 from :SCHEMA.executions p where p.id = e.parent_id and p.finished_at is null))
      -- a parent whose children still run is told when they end
      and not exists (select 1 from :SCHEMA.executions c where c.parent_id = e.id and c.finished_at is null)
      and not exists (select 1 from :SCHEMA.awaiters a where a.execution_id = e.id)
      and not exists (select 1 from :SCHEMA.awaiters a where a.workflow_id = e.id)`;

export const SCHEDULE_QUERIES = {
  ScheduleLock: `select ${SCHEDULE_COLUMNS}, now() as db_now from :SCHEMA.schedules where name = $1 for update`,
  DbNow: `select now() as db_now`,
  ScheduleUpsert: `
    insert into :SCHEMA.schedules (name, cron, timezone, kind, target, inputs, queue, priority, overlap, catchup, next_fire_at)
    values ($1, $2, $3, $4, $5, $6::json, $7, $8, $9, $10, $11)
    on conflict (name) do update set cron = excluded.cron, timezone = excluded.timezone, kind = excluded.kind,
      target = excluded.target, inputs = excluded.inputs, queue = excluded.queue, priority = excluded.priority,
      overlap = excluded.overlap, catchup = excluded.catchup, next_fire_at = excluded.next_fire_at,
      last_error = null, updated_at = now()
    returning ${SCHEDULE_COLUMNS}`,
  ScheduleDelete: `delete from :SCHEMA.schedules where name = $1 returning name`,
  ScheduleSetPaused: `
    update :SCHEMA.schedules set paused = $2, next_fire_at = $3, updated_at = now()
    where name = $1 returning ${SCHEDULE_COLUMNS}`,
  ScheduleList: `select ${SCHEDULE_COLUMNS} from :SCHEMA.schedules order by name`,
  ScheduleGet: `select ${SCHEDULE_COLUMNS} from :SCHEMA.schedules where name = $1`,
  // The due schedules a worker fires, locked: another worker skips them and fires the rest.
  ScheduleDue: `
    select ${SCHEDULE_COLUMNS}, now() as db_now from :SCHEMA.schedules
    where not paused and next_fire_at <= now()
    order by next_fire_at limit $1 for update skip locked`,
  ScheduleLive: `select id from :SCHEMA.executions where schedule_name = $1 and finished_at is null order by created_at, id`,
  ScheduleMark: `update :SCHEMA.executions set schedule_name = $1 where id = any($2::uuid[]) and schedule_name is null`,
  ScheduleAdvance: `
    update :SCHEMA.schedules set next_fire_at = $2, last_fire_at = coalesce($3, last_fire_at), last_error = $4
    where name = $1`,
  // Milliseconds until the next schedule comes due (negative: one is due); null: none will.
  ScheduleNext: `select extract(epoch from (min(next_fire_at) - now())) * 1000 as ms from :SCHEMA.schedules where not paused`,
  PruneBatch: `
    delete from :SCHEMA.executions x
    using (select e.id ${PRUNABLE} order by e.finished_at limit $3 for update of e skip locked) old
    where x.id = old.id`,
  PruneCount: `select count(*)::bigint as n ${PRUNABLE}`,
} as const;
