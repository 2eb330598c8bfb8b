// The workers table: each running worker's row (written at start and every 10 s, deleted at stop),
// and what follows for work that waits (issue 4: a workflow calling a task no worker registers
// waits visibly, and get/list say why). Rhythm cannot know a worker that is about to start; it can
// say that none of those running now will take the work.

import type { ExecutionKind } from "../shared/statuses.js";
import type { Db } from "./db.js";
import type { Execution } from "./execution.js";
import type { NextDue } from "./timers.js";

/** How often a worker writes its row. */
export const WORKER_BEAT_MS = 10_000;
/** A worker whose row is older than this is taken for gone (three beats missed). */
const WORKER_LIVE_MS = 3 * WORKER_BEAT_MS;

export interface LiveWorker {
  id: string;
  queues: string[];
  tasks: string[];
  startedAt: string;
  seenAt: string;
}

interface Waiting {
  id: string;
  kind: ExecutionKind;
  name: string;
  queue: string;
}

/** What a beat reads besides writing the row: when the worker's next timed work comes. */
export interface Beat extends NextDue {
  /** Milliseconds until the earliest lease of any running execution expires (null: none running). */
  leaseMs: number | null;
}

/**
 * Writes a worker's row (at start, then every WORKER_BEAT_MS; losing one write is harmless) and
 * reads, in the same statement, the next timer, due work of `queues` and lease expiry.
 */
export async function workerBeat(pool: Db, id: string, queues: string[], tasks: string[]): Promise<Beat> {
  const r = await pool.relaxed<{ timer_ms: Ms; due_ms: Ms; lease_ms: Ms }>("WorkerBeat", [id, queues, tasks]);
  const row = r.rows[0];
  return { timerMs: ms(row?.timer_ms), dueMs: ms(row?.due_ms), leaseMs: ms(row?.lease_ms) };
}

type Ms = string | number | null;
const ms = (v: Ms | undefined) => (v === null || v === undefined ? null : Number(v));

export async function workerGone(db: Db, id: string): Promise<void> {
  await db.run("WorkerGone", [id]);
}

/** The workers that have written their row within WORKER_LIVE_MS, oldest first. */
export async function liveWorkers(db: Db): Promise<LiveWorker[]> {
  const r = await db.run<{ id: string; queues: string[]; tasks: string[]; started_at: Date; seen_at: Date }>("LiveWorkers", [
    WORKER_LIVE_MS,
  ]);
  return r.rows.map((w) => ({
    id: w.id,
    queues: w.queues,
    tasks: w.tasks,
    startedAt: new Date(w.started_at).toISOString(),
    seenAt: new Date(w.seen_at).toISOString(),
  }));
}

/** Why no running worker will start `e` (a queued execution), or null when one will. */
export function whyNoWorker(e: Omit<Waiting, "id">, workers: LiveWorker[]): string | null {
  const serving = workers.filter((w) => w.queues.includes(e.queue));
  if (serving.length === 0) {
    return workers.length === 0
      ? `no worker is running (none has checked in for ${WORKER_LIVE_MS / 1000} s)`
      : `no running worker serves queue "${e.queue}"`;
  }
  // any worker serving the queue runs any deployed workflow; a task needs its handler
  if (e.kind === "task" && !serving.some((w) => w.tasks.includes(e.name))) {
    const n = serving.length;
    return `no running worker registers task "${e.name}" (${n} worker${n === 1 ? "" : "s"} serve${n === 1 ? "s" : ""} queue "${e.queue}")`;
  }
  return null;
}

/**
 * Sets `blocked` on executions nothing running will move: a queued one no worker takes, and a
 * suspended workflow whose queued children (tasks or child workflows) no worker takes.
 */
export function explainBlocked(
  list: Execution[],
  workers: LiveWorker[],
  queuedChildren: (Waiting & { parentId: string })[],
): void {
  const byParent = new Map<string, string[]>();
  for (const c of queuedChildren) {
    const why = whyNoWorker(c, workers);
    if (why === null) continue;
    const reasons = byParent.get(c.parentId) ?? [];
    reasons.push(`its ${c.kind} "${c.name}" (${c.id}) cannot start: ${why}`);
    byParent.set(c.parentId, reasons);
  }
  for (const e of list) {
    const why =
      e.status === "queued"
        ? whyNoWorker(e, workers)
        : e.status === "suspended"
          ? (byParent.get(e.id)?.join("; ") ?? null)
          : null;
    if (why) e.blocked = why;
  }
}
