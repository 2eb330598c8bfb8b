// Reads for people (the dashboard, the HTTP API): an execution's timeline, queue depths, capped
// status counts, the queues of executions that finished, workflow versions and their source;
// and a person's retry of a failed task.

import type { ExecutionKind, ExecutionStatus } from "../shared/statuses.js";
import type { Db } from "./db.js";

/** Name, type and message of an error (the message cut like the other values of a timeline). */
export interface ErrorSummary {
  name: string | null;
  type: string | null;
  message: string | null;
}

/** A task or child workflow as a timeline shows it. */
export interface TimelineChild {
  id: string;
  kind: ExecutionKind;
  name: string;
  status: ExecutionStatus;
  queue: string;
  /** Attempts started so far; `maxAttempts` null: the task's registration decides. */
  attempt: number;
  maxAttempts: number | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Queued: when it may start (a delay, a retry's backoff). */
  runAt?: string;
  /** JSON text, cut at the timeline's value length (`cut` says when inputs or output were). */
  inputs: string;
  output: string | null;
  cut: boolean;
  error: ErrorSummary | null;
  /** Every failed attempt's error, oldest first. */
  errors: ErrorSummary[];
}

export interface TimelineLog {
  executionId: string;
  level: string;
  message: string;
  line: number | null;
  createdAt: string;
}

/**
 * What a workflow started, its signal waits and its log (its pending timers and buffered signals
 * are in get()'s answer; fired timers and taken signals leave no row).
 */
export interface Timeline {
  /** The tasks and child workflows it started, in the order it started them (the first `CHILDREN`). */
  children: TimelineChild[];
  childCount: number;
  /** Signal waits, in the order they take signals. */
  signalWaits: { name: string }[];
  /** Its log and its children's, the last lines of each, in time order. */
  logs: TimelineLog[];
}

/** Children a timeline lists, log lines per execution, and characters of JSON text per value. */
const CHILDREN = 500;
const LOG_LINES = 200;
const VALUE_CHARS = 2000;

interface TimelineRow {
  children: (Omit<TimelineChild, "maxAttempts" | "createdAt" | "startedAt" | "finishedAt" | "runAt"> & {
    max_attempts: number | null;
    created_at: string;
    started_at: string | null;
    finished_at: string | null;
    run_at: string;
  })[];
  child_count: number;
  signal_waits: { handle: number; name: string }[];
}

function iso(t: string | Date): string {
  return new Date(t).toISOString();
}

/** The timeline of an execution, or null when there is none. */
export async function timeline(db: Db, id: string): Promise<Timeline | null> {
  const [t, logs] = await Promise.all([
    db.run<TimelineRow>("Timeline", [id, CHILDREN, VALUE_CHARS]),
    db.run<{ execution_id: string; level: string; message: string; line: number | null; created_at: Date }>("TimelineLogs", [
      id,
      CHILDREN,
      LOG_LINES,
    ]),
  ]);
  const row = t.rows[0];
  if (!row) return null;
  return {
    children: row.children.map(({ max_attempts, created_at, started_at, finished_at, run_at, ...c }) => ({
      ...c,
      maxAttempts: max_attempts,
      createdAt: iso(created_at),
      startedAt: started_at === null ? null : iso(started_at),
      finishedAt: finished_at === null ? null : iso(finished_at),
      ...(c.status === "queued" ? { runAt: iso(run_at) } : {}),
    })),
    childCount: row.child_count,
    signalWaits: row.signal_waits.map((w) => ({ name: w.name })),
    logs: logs.rows.map((l) => ({
      executionId: l.execution_id,
      level: l.level,
      message: l.message,
      line: l.line,
      createdAt: iso(l.created_at),
    })),
  };
}

/** Queued and running work of one (queue, kind, name). */
export interface QueueDepth {
  queue: string;
  kind: ExecutionKind;
  name: string;
  /** Queued and due now. */
  ready: number;
  /** Queued to run later (a delay, a retry's backoff). */
  later: number;
  running: number;
  /** When the longest-waiting ready one became due. */
  oldestReady: string | null;
  nextLater: string | null;
}

export async function queueDepths(db: Db): Promise<QueueDepth[]> {
  const r = await db.run<{
    queue: string;
    kind: ExecutionKind;
    name: string;
    ready: number;
    later: number;
    running: number;
    oldest_ready: Date | null;
    next_later: Date | null;
  }>("QueueDepths");
  return r.rows.map((q) => ({
    queue: q.queue,
    kind: q.kind,
    name: q.name,
    ready: q.ready,
    later: q.later,
    running: q.running,
    oldestReady: q.oldest_ready === null ? null : iso(q.oldest_ready),
    nextLater: q.next_later === null ? null : iso(q.next_later),
  }));
}

/** How many executions have each status, counting at most `cap` of each. */
export async function statusCounts(db: Db, statuses: ExecutionStatus[], cap: number): Promise<Map<ExecutionStatus, number>> {
  const r = await db.run<{ status: ExecutionStatus; n: number }>("StatusCounts", [statuses, cap]);
  return new Map(r.rows.map((row) => [row.status, row.n]));
}

/** Of these executions, how many finished with each status on each queue. */
export async function finishedByQueue(
  db: Db,
  ids: string[],
): Promise<{ queue: string; status: ExecutionStatus; count: number }[]> {
  const r = await db.run<{ queue: string; status: ExecutionStatus; n: number }>("FinishedByQueue", [ids]);
  return r.rows.map((row) => ({ queue: row.queue, status: row.status, count: row.n }));
}

export interface VersionSummary {
  name: string;
  version: string;
  deployedAt: string;
  /** Size of the source in bytes. */
  bytes: number;
}

/** Every stored version, by workflow name, newest first. */
export async function versionList(db: Db): Promise<VersionSummary[]> {
  const r = await db.run<{ name: string; version: string; deployed_at: Date; bytes: number }>("VersionList");
  return r.rows.map((v) => ({ name: v.name, version: v.version, deployedAt: iso(v.deployed_at), bytes: Number(v.bytes) }));
}

export async function versionSource(
  db: Db,
  name: string,
  version: string,
): Promise<{ name: string; version: string; source: string; deployedAt: string } | null> {
  const r = await db.run<{ name: string; version: string; source: string; deployed_at: Date }>("VersionSource", [name, version]);
  const v = r.rows[0];
  return v ? { name: v.name, version: v.version, source: v.source, deployedAt: iso(v.deployed_at) } : null;
}

/** Queues a failed standalone task again for one more attempt; false when `id` is not one. */
export async function requeueTask(db: Db, id: string): Promise<boolean> {
  const r = await db.run<{ queue: string }>("TaskRequeue", [id]);
  if (r.rows.length === 0) return false;
  await db.notifyQueues([r.rows[0].queue]);
  return true;
}
