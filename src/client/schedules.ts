// The schedules of the public API (SPEC §9): options checked and turned into a stored schedule,
// and `prune` (retention at once). The store fires them (store/schedules.ts, worker/schedule-ticker.ts).

import { checkCron } from "../shared/cron.js";
import { durationArgument } from "../shared/durations.js";
import { InvalidArgumentError, RhythmError } from "../shared/rhythm-error.js";
import { FINISHED_STATUSES, PRUNE_BATCH, type FinishedStatus } from "../store/retention.js";
import type { CatchupPolicy, OverlapPolicy, Schedule, ScheduleDefinition } from "../store/schedules.js";
import type { Store } from "../store/store.js";
import { common, requireName } from "./enqueue-checks.js";
import { WorkflowNotFoundError } from "./errors.js";
import { jsonInput } from "./json-input.js";

export type { CatchupPolicy, OverlapPolicy, Schedule };

export interface ScheduleOptions {
  /** 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first). */
  cron: string;
  /** IANA time zone the cron is read in (default "UTC"). */
  timezone?: string;
  /** What each tick starts: a workflow, or a task (exactly one of the two). */
  workflow?: string;
  task?: string;
  inputs?: unknown;
  /** When the previous execution still runs at a tick: skip the tick (default), allow both, or cancel the previous. */
  overlap?: OverlapPolicy;
  /** Ticks missed while no worker ran: none, the latest only (default), or all (at most 100). */
  catchup?: CatchupPolicy;
  queue?: string;
  priority?: number;
}

export const OVERLAP_POLICIES: readonly OverlapPolicy[] = ["skip", "allow", "cancel-previous"];
export const CATCHUP_POLICIES: readonly CatchupPolicy[] = ["none", "latest", "all"];

export class ScheduleNotFoundError extends RhythmError {
  constructor(readonly schedule: string) {
    super("SCHEDULE_NOT_FOUND", `no schedule named "${schedule}"`);
  }
}

/** Checks the options (before anything is written) and stores the schedule. */
export async function setSchedule(store: Store, name: string, o: ScheduleOptions, maxPayloadBytes: number): Promise<Schedule> {
  requireName(name, "schedule name");
  if (o === null || typeof o !== "object") throw new InvalidArgumentError(`schedule "${name}": give its options`);
  const what = `schedule "${name}"`;
  if ((o.workflow === undefined) === (o.task === undefined))
    throw new InvalidArgumentError(`${what}: give either workflow or task (exactly one)`);
  const kind = o.workflow !== undefined ? "workflow" : "task";
  const target = (o.workflow ?? o.task)!;
  requireName(target, `${what}: ${kind}`);
  const timezone = o.timezone ?? "UTC";
  try {
    checkCron({ cron: o.cron, timezone });
  } catch (e) {
    throw new InvalidArgumentError(`${what}: ${(e as Error).message}`);
  }
  const overlap = o.overlap ?? "skip";
  if (!OVERLAP_POLICIES.includes(overlap))
    throw new InvalidArgumentError(`${what}: overlap must be one of ${OVERLAP_POLICIES.join(", ")}`);
  const catchup = o.catchup ?? "latest";
  if (!CATCHUP_POLICIES.includes(catchup))
    throw new InvalidArgumentError(`${what}: catchup must be one of ${CATCHUP_POLICIES.join(", ")}`);
  const { queue, priority } = common({ queue: o.queue, priority: o.priority }, what);
  let inputs = jsonInput(o.inputs ?? (kind === "workflow" ? {} : null), `${what}: inputs`, maxPayloadBytes);
  if (kind === "workflow" && (inputs === null || typeof inputs !== "object" || Array.isArray(inputs)))
    throw new InvalidArgumentError(`${what}: workflow inputs must be an object`);
  inputs ??= null;
  if (kind === "workflow" && !(await store.newestVersion(target))) throw new WorkflowNotFoundError(target);
  const def: ScheduleDefinition = {
    name,
    cron: o.cron.trim(),
    timezone,
    kind,
    target,
    inputs,
    queue: queue ?? "default",
    priority: priority ?? 0,
    overlap,
    catchup,
  };
  return store.schedules().set(def);
}

/** Starts a schedule's execution now; returns its id. */
export async function triggerSchedule(store: Store, name: string): Promise<string> {
  const r = await store.schedules().trigger(name);
  if (!r) throw new ScheduleNotFoundError(name);
  if (r.id === null) {
    const s = await store.schedules().get(name);
    throw new WorkflowNotFoundError(s?.workflow ?? name);
  }
  return r.id;
}

export interface PruneOptions {
  /** Finished longer ago than this (a duration: "30d", "12h", seconds). */
  olderThan: number | string;
  /** Only this status (default: completed, failed and cancelled). */
  status?: FinishedStatus;
  /** Count only. */
  dryRun?: boolean;
}

/** Deletes (or counts) old finished executions now, batch after batch; returns how many per status. */
export async function prune(store: Store, o: PruneOptions): Promise<{ deleted: number; byStatus: Record<string, number> }> {
  const age = durationArgument(o?.olderThan, "olderThan");
  if (o.status !== undefined && !FINISHED_STATUSES.includes(o.status))
    throw new InvalidArgumentError(`status must be one of ${FINISHED_STATUSES.join(", ")}, got ${JSON.stringify(o.status)}`);
  const room = store.retention();
  const byStatus: Record<string, number> = {};
  let deleted = 0;
  for (const status of o.status ? [o.status] : FINISHED_STATUSES) {
    let n = 0;
    if (o.dryRun) n = await room.count(status, age);
    else for (let batch = PRUNE_BATCH; batch === PRUNE_BATCH; n += batch) batch = await room.pruneBatch(status, age);
    byStatus[status] = n;
    deleted += n;
  }
  return { deleted, byStatus };
}
