// A workflow step in one autocommitted statement (FastStep, issue 17): what the worker hands in
// is a task's completion and the activation it already ran from the state it cached. Committed
// with synchronous_commit as configured, like any step; all or nothing (see the query).

import { dispatchedOf } from "./activations.js";
import type { Db } from "./db.js";
import { enqueueRows, type EnqueueRow } from "./enqueue.js";
import { isConnectionError } from "../shared/postgres-errors.js";
import type { Claimed, EnqueueItem, LogSource } from "./types.js";

export interface FastStepWrite {
  task: { id: string; token: string; output: unknown };
  /** The workflow the task woke, its handle of the task, and its row as this worker settled it. */
  workflow: { id: string; rootId: string; handle: number; wakeups: number; xid: string };
  workerId: string;
  outcome: { status: "suspended"; state: unknown; waits: unknown } | { status: "completed"; output: unknown };
  /** The next task, with its claim for this worker (or none). */
  start: EnqueueItem | null;
  logs: { level: string; message: string; line: number; source: LogSource }[];
}

/** What the statement did: nothing (a guard failed), or the step, with the row as now written. */
export type FastStepResult = { ok: false } | { ok: true; wakeups: number; xid: string; dispatched: Claimed[] };

/**
 * `inDoubt` is told of the task the statement inserts claimed when the connection was lost before
 * its answer: it may have committed, and then that task is this worker's to run.
 */
export async function fastStep(pool: Db, w: FastStepWrite, inDoubt: (tasks: Claimed[]) => void): Promise<FastStepResult> {
  const rows = w.start ? await enqueueRows(pool, [w.start]) : [];
  try {
    return await write(pool, w, rows);
  } catch (e) {
    if (rows.length > 0 && isConnectionError(e))
      inDoubt(
        dispatchedOf(
          rows,
          rows.map((r) => r.id),
        ),
      );
    throw e;
  }
}

async function write(pool: Db, w: FastStepWrite, rows: EnqueueRow[]): Promise<FastStepResult> {
  const o = w.outcome;
  const notes = [`d:${w.task.id}`, ...(o.status === "completed" ? [`d:${w.workflow.id}`] : [])];
  const r = await pool.run<{ ok: boolean; done: number; wakeups: number | null; xid: string | null; inserted: string[] }>(
    "FastStep",
    [
      w.task.id,
      w.task.token,
      JSON.stringify(w.task.output ?? null),
      w.workflow.id,
      w.workflow.handle,
      w.workflow.wakeups,
      w.workflow.xid,
      o.status,
      o.status === "suspended" ? JSON.stringify(o.state) : null,
      o.status === "suspended" ? JSON.stringify(o.waits ?? null) : null,
      o.status === "completed" ? JSON.stringify(o.output ?? null) : null,
      JSON.stringify(rows),
      JSON.stringify(w.logs),
      pool.channel,
      notes,
      w.workerId,
      w.workflow.rootId,
    ],
  );
  const row = r.rows[0];
  if (!row.ok) return { ok: false };
  const inserted = new Set(row.inserted);
  return {
    ok: true,
    wakeups: Number(row.wakeups),
    xid: String(row.xid),
    dispatched: dispatchedOf(
      rows,
      rows.map((x) => (inserted.has(x.id) ? x.id : "")),
    ),
  };
}
