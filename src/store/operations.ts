// Operations on paused runs (docs/operations.md), as named steps of one transaction
// (Store.operate): the client decides what to do with a run's saved state (client/operations.ts);
// these read and write it. Saved states are opaque JSON here.

import type { Db } from "./db.js";
import { enqueue } from "./enqueue.js";
import { matchSignals } from "./signals.js";
import { addTimers } from "./timers.js";
import { newestVersion } from "./versions.js";
import type { EnqueueItem, TimerKind } from "./types.js";
import type { ExecutionKind, ExecutionStatus } from "../shared/statuses.js";

/** A run as an operation reads it, locked until the operation's transaction ends. */
export interface LockedRun {
  id: string;
  kind: ExecutionKind;
  name: string;
  version: string | null;
  status: ExecutionStatus;
  queue: string;
  priority: number;
  inputs: unknown;
  state: unknown;
  parent_id: string | null;
  /** A worker is running it now. */
  claimed: boolean;
}

/** The execution a pending handle of a run stands for. */
export interface HandleExecution {
  handle: number;
  id: string;
  kind: ExecutionKind;
  name: string;
  status: ExecutionStatus;
  output: unknown;
  error: unknown;
  /** For a task that failed for good: what a workflow awaiting it throws. */
  awaited_error: unknown;
  queue: string;
  priority: number;
  inputs: unknown;
  max_attempts: number | null;
  backoff: EnqueueItem["backoff"];
  timeout_ms: number | null;
  has_state: boolean;
  /** The run awaits it because its call's idempotency key was taken (it did not start it). */
  via_awaiter: boolean;
}

export class OperationsTx {
  constructor(private readonly db: Db) {}

  async lock(id: string): Promise<LockedRun | null> {
    return (await this.db.run<LockedRun>("OpLock", [id])).rows[0] ?? null;
  }

  async handleExecutions(id: string, handles: number[]): Promise<HandleExecution[]> {
    if (handles.length === 0) return [];
    return (await this.db.run<HandleExecution>("OpHandleExecutions", [id, handles])).rows;
  }

  async writeState(id: string, state: unknown): Promise<boolean> {
    return ((await this.db.run("OpWriteState", [id, JSON.stringify(state)])).rowCount ?? 0) === 1;
  }

  /** Inserts the fork `id` of `from` with `state`; it is queued, so a worker continues it. */
  async insertFork(id: string, from: string, state: unknown): Promise<void> {
    const r = await this.db.run<{ queue: string }>("OpInsertFork", [id, from, JSON.stringify(state)]);
    await this.db.notifyQueues(r.rows.map((x) => x.queue));
  }

  /** A failed workflow queued again from `state` (null: from its first line). */
  async resume(id: string, state: unknown): Promise<boolean> {
    const r = await this.db.run<{ queue: string }>("OpResume", [id, state === null ? null : JSON.stringify(state)]);
    await this.db.notifyQueues(r.rows.map((x) => x.queue));
    return r.rows.length === 1;
  }

  /** A failed task given one more attempt. */
  async requeueTask(id: string): Promise<boolean> {
    const r = await this.db.run<{ queue: string }>("OpRequeueTask", [id]);
    await this.db.notifyQueues(r.rows.map((x) => x.queue));
    return r.rows.length === 1;
  }

  /** New executions (a fork's own tasks and children), inserted in this transaction. */
  async start(items: EnqueueItem[]): Promise<void> {
    if (items.length > 0)
      await enqueue(this.db, items, () => Promise.reject(new Error("operations enqueue in their own transaction")), this.db);
  }

  /** Settlements put in a run's inbox (the run is queued by the operation itself). */
  async addInbox(id: string, items: { handle: number; ok: boolean; value: unknown }[]): Promise<void> {
    if (items.length === 0) return;
    const rows = items.map((i) => ({ execution_id: id, handle: i.handle, ok: i.ok, value: i.value ?? null }));
    await this.db.run("InboxInsert", [JSON.stringify(rows)]);
  }

  /** Timers and signal waits a run waits on again (a fork's copies, a retried run's). */
  async addWaits(
    id: string,
    timers: { handle: number; at: number; kind: TimerKind }[],
    signalWaits: { handle: number; name: string }[],
  ): Promise<void> {
    await addTimers(
      this.db,
      timers.map((t) => ({ execution_id: id, ...t })),
    );
    if (signalWaits.length === 0) return;
    await this.db.run("WaitInsert", [JSON.stringify(signalWaits.map((w) => ({ execution_id: id, ...w })))]);
    // signals buffered for it meanwhile pair with the waits now
    await matchSignals(this.db, [id]);
  }

  /** A line in the run's log saying what an operation changed and who asked. */
  async log(id: string, message: string, level: "info" | "warn" = "info"): Promise<void> {
    await this.db.run("LogInsert", [JSON.stringify([{ execution_id: id, level, message, line: null, source: "operation" }])]);
  }

  /** A stored version by its sha256 or a prefix of it; null when none (or two) match. */
  async version(
    name: string,
    version: string,
  ): Promise<{ version: string; source: string; program: unknown } | null | "ambiguous"> {
    const r = await this.db.run<{ version: string; source: string; program: unknown }>("OpVersion", [name, version]);
    return r.rows.length > 1 ? "ambiguous" : (r.rows[0] ?? null);
  }

  async newestVersion(name: string): Promise<string | null> {
    return newestVersion(this.db, name);
  }

  /** Suspended runs of `name` not on `version`, oldest first. */
  async pausedOf(name: string, version: string, limit: number): Promise<string[]> {
    return (await this.db.run<{ id: string }>("OpPausedOf", [name, version, limit])).rows.map((r) => r.id);
  }

  /** A paused run moved to `version` with `state`, queued to say anew what it waits on. */
  async move(id: string, version: string, state: unknown): Promise<boolean> {
    const r = await this.db.run<{ queue: string }>("OpMove", [id, version, JSON.stringify(state)]);
    await this.db.notifyQueues(r.rows.map((x) => x.queue));
    return r.rows.length === 1;
  }

  async setVersion(id: string, version: string): Promise<void> {
    await this.db.run("OpSetVersion", [id, version]);
  }
}
