// Schedules: rows that start a workflow or queue a task at each tick of a cron expression. A
// worker fires the due ones in one transaction: the rows locked FOR UPDATE SKIP LOCKED (another
// worker fires the others), each tick's execution enqueued with the idempotency key
// `schedule:<name>:<tick>` (one execution per tick even if two transactions ever got that far),
// and next_fire_at moved past the ticks before the commit. So a tick fires once, whichever worker
// wakes, and a crash before the commit leaves it due for the next one.

import { dueTicks, nextTick, type CronSpec } from "../shared/cron.js";
import type { ExecutionKind } from "../shared/statuses.js";
import { cancel } from "./cancel.js";
import type { Db } from "./db.js";
import { enqueue } from "./enqueue.js";
import type { EnqueueItem } from "./types.js";
import { newestVersion } from "./versions.js";

export type OverlapPolicy = "skip" | "allow" | "cancel-previous";
export type CatchupPolicy = "none" | "latest" | "all";

/** `catchup: "all"` starts at most this many missed ticks (the most recent); older ones are skipped. */
export const CATCHUP_LIMIT = 100;

/** `catchup: "none"`: a due tick later than this is missed, and skipped. */
export const ON_TIME_MS = 60_000;

/** Schedules fired per transaction. */
const FIRE_BATCH = 20;

/** What a schedule does, as stored. */
export interface ScheduleDefinition extends CronSpec {
  name: string;
  kind: ExecutionKind;
  target: string;
  inputs: unknown;
  queue: string;
  priority: number;
  overlap: OverlapPolicy;
  catchup: CatchupPolicy;
}

/** A schedule as the API returns it. */
export interface Schedule {
  name: string;
  cron: string;
  timezone: string;
  workflow?: string;
  task?: string;
  inputs: unknown;
  queue: string;
  priority: number;
  overlap: OverlapPolicy;
  catchup: CatchupPolicy;
  paused: boolean;
  /** The next tick to fire (null while paused, or when the expression has no more ticks). */
  nextFireAt: string | null;
  /** The last tick that started an execution. */
  lastFireAt: string | null;
  /** Why the last due tick started nothing (its workflow is not deployed…). */
  lastError?: string;
  createdAt: string;
  updatedAt: string;
}

interface ScheduleRow {
  name: string;
  cron: string;
  timezone: string;
  kind: ExecutionKind;
  target: string;
  inputs: unknown;
  queue: string;
  priority: number;
  overlap: OverlapPolicy;
  catchup: CatchupPolicy;
  paused: boolean;
  next_fire_at: Date | string | null;
  last_fire_at: Date | string | null;
  last_error: string | null;
  created_at: Date | string;
  updated_at: Date | string;
  db_now?: Date | string;
}

const date = (d: Date | string): Date => (d instanceof Date ? d : new Date(d));
const iso = (d: Date | string | null): string | null => (d === null ? null : date(d).toISOString());

function toSchedule(r: ScheduleRow): Schedule {
  return {
    name: r.name,
    cron: r.cron,
    timezone: r.timezone,
    [r.kind]: r.target,
    inputs: r.inputs ?? null,
    queue: r.queue,
    priority: r.priority,
    overlap: r.overlap,
    catchup: r.catchup,
    paused: r.paused,
    nextFireAt: r.paused ? null : iso(r.next_fire_at),
    lastFireAt: iso(r.last_fire_at),
    ...(r.last_error !== null ? { lastError: r.last_error } : {}),
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
  } as Schedule;
}

/** The idempotency key of a tick's execution. */
export const tickKey = (name: string, tick: Date) => `schedule:${name}:${tick.toISOString()}`;

export class ScheduleRoom {
  constructor(
    private readonly pool: Db,
    private readonly inTransaction: <T>(fn: (db: Db) => Promise<T>) => Promise<T>,
  ) {}

  /**
   * Creates or replaces a schedule. Its next tick is counted from now, unless only what it starts
   * changed (same cron and time zone): then the tick it was waiting for stays, missed ones included.
   */
  set(def: ScheduleDefinition): Promise<Schedule> {
    return this.inTransaction(async (db) => {
      const old = (await db.run<ScheduleRow>("ScheduleLock", [def.name])).rows[0];
      const now = date((await db.run<{ db_now: Date }>("DbNow")).rows[0].db_now);
      const keep = old && old.cron === def.cron && old.timezone === def.timezone && old.next_fire_at !== null;
      const next = keep ? date(old.next_fire_at!) : nextTick(def, now);
      const r = await db.run<ScheduleRow>("ScheduleUpsert", [
        def.name,
        def.cron,
        def.timezone,
        def.kind,
        def.target,
        JSON.stringify(def.inputs ?? null),
        def.queue,
        def.priority,
        def.overlap,
        def.catchup,
        next?.toISOString() ?? null,
      ]);
      await db.notify("s");
      return toSchedule(r.rows[0]);
    });
  }

  async delete(name: string): Promise<boolean> {
    const r = await this.pool.run("ScheduleDelete", [name]);
    return r.rows.length > 0;
  }

  /** Pauses (no tick fires) or resumes (ticks from now on; those of the pause are not caught up). */
  setPaused(name: string, paused: boolean): Promise<Schedule | null> {
    return this.inTransaction(async (db) => {
      const old = (await db.run<ScheduleRow>("ScheduleLock", [name])).rows[0];
      if (!old) return null;
      if (old.paused === paused) return toSchedule(old);
      const next = paused ? old.next_fire_at : nextTick(old, date(old.db_now!));
      const r = await db.run<ScheduleRow>("ScheduleSetPaused", [name, paused, next === null ? null : iso(next)]);
      await db.notify("s");
      return toSchedule(r.rows[0]);
    });
  }

  async list(): Promise<Schedule[]> {
    return (await this.pool.run<ScheduleRow>("ScheduleList")).rows.map(toSchedule);
  }

  async get(name: string): Promise<Schedule | null> {
    const r = (await this.pool.run<ScheduleRow>("ScheduleGet", [name])).rows[0];
    return r ? toSchedule(r) : null;
  }

  /**
   * Starts the schedule's execution now, outside its ticks (whatever its overlap policy). Null: no
   * such schedule; `{ id: null }`: its workflow has no deployed version.
   */
  trigger(name: string): Promise<{ id: string | null } | null> {
    return this.inTransaction(async (db) => {
      const s = (await db.run<ScheduleRow>("ScheduleLock", [name])).rows[0];
      if (!s) return null;
      const ids = await this.start(db, s, [null]);
      return { id: ids?.[0] ?? null };
    });
  }

  /** Fires the due schedules (up to a batch) in one transaction; returns how many it fired. */
  fireDue(): Promise<number> {
    return this.inTransaction(async (db) => {
      const due = (await db.run<ScheduleRow>("ScheduleDue", [FIRE_BATCH])).rows;
      for (const s of due) await this.fire(db, s);
      return due.length;
    });
  }

  /** Milliseconds until the next schedule comes due (≤ 0: one is due); null when none will. */
  async nextMs(): Promise<number | null> {
    const r = await this.pool.run<{ ms: string | number | null }>("ScheduleNext");
    const ms = r.rows[0]?.ms;
    return ms === null || ms === undefined ? null : Number(ms);
  }

  /** One due schedule: the ticks its catch-up policy keeps, started as its overlap policy says. */
  private async fire(db: Db, s: ScheduleRow): Promise<void> {
    const now = date(s.db_now!);
    const { ticks } = dueTicks(s, date(s.next_fire_at!), now, s.catchup === "all" ? CATCHUP_LIMIT : 1);
    let fire = ticks;
    if (s.catchup === "none") fire = ticks.filter((t) => now.getTime() - t.getTime() <= ON_TIME_MS);
    let error: string | null = null;
    if (fire.length > 0 && s.overlap !== "allow") {
      const live = (await db.run<{ id: string }>("ScheduleLive", [s.name])).rows;
      if (s.overlap === "skip") fire = live.length > 0 ? [] : fire.slice(0, 1);
      else {
        for (const e of live) await cancel(db, e.id);
        // each would cancel the one before it at once: only the last starts
        fire = fire.slice(-1);
      }
    }
    if (fire.length > 0 && (await this.start(db, s, fire)) === null) {
      error = `no version of workflow "${s.target}" is deployed`;
      fire = [];
    }
    const next = nextTick(s, now);
    const last = fire.length > 0 ? fire[fire.length - 1].toISOString() : null;
    await db.run("ScheduleAdvance", [s.name, next?.toISOString() ?? null, last, error]);
  }

  /** Enqueues one execution per tick (null: now, with no key); null when the workflow has no version. */
  private async start(db: Db, s: ScheduleRow, ticks: (Date | null)[]): Promise<string[] | null> {
    let version: string | null = null;
    if (s.kind === "workflow" && (version = await newestVersion(db, s.target)) === null) return null;
    const items: EnqueueItem[] = ticks.map((t) => ({
      kind: s.kind,
      name: s.target,
      version,
      inputs: s.inputs ?? null,
      queue: s.queue,
      priority: s.priority,
      idempotencyKey: t === null ? null : tickKey(s.name, t),
    }));
    const enqueued = await enqueue(db, items, (fn) => fn(db), db);
    const created = enqueued.filter((e) => e.created).map((e) => e.id);
    if (created.length > 0) await db.run("ScheduleMark", [s.name, created]);
    return enqueued.map((e) => e.id);
  }
}
