// A workflow's `timeout` (SPEC §9): when its deadline timer is due, the run fails with a Timeout
// error, whatever it was doing (suspended, queued again, or mid-activation on some worker), and
// everything it started that is still going is cancelled, recursively. The worker tells the
// workflows waiting for it, in the same transaction (worker/deadlines.ts).

import { workflowTimeoutError } from "../shared/flow-errors.js";
import { cancelChildren } from "./cancel.js";
import type { Db } from "./db.js";
import { withAwaiters } from "./tasks.js";
import type { Finished } from "./types.js";

/** A workflow its deadline failed: who waits for it, its error, and what was cancelled with it. */
export interface TimedOut extends Finished {
  name: string;
  error: unknown;
  cancelled: string[];
}

/** Fails up to `limit` workflows whose deadline passed (in one transaction: `db`); returns them. */
export async function expireDeadlines(db: Db, limit: number): Promise<TimedOut[]> {
  const due = await db.run<{ id: string; root_id: string; status: string; run_timeout_ms: number | null }>("DeadlinesDue", [
    limit,
  ]);
  const out: TimedOut[] = [];
  for (const d of due.rows) {
    const error = workflowTimeoutError(d.run_timeout_ms ?? 0);
    const r = await db.run<{
      id: string;
      name: string;
      parent_id: string | null;
      parent_handle: number | null;
      awaited: boolean;
    }>("TimeOut", [d.id, JSON.stringify(error), d.root_id]);
    // its timers (the deadline among them), waits and unread inbox go, as for any run that ended
    await db.run("DropAllWaits", [[d.id]]);
    if (r.rows.length === 0) continue;
    await db.notifyFinished([d.id]);
    const [finished] = await withAwaiters(db, r.rows);
    const cancelled: string[] = [];
    await cancelChildren(db, d.id, d.root_id, cancelled);
    out.push({ ...finished, name: r.rows[0].name, error, cancelled });
  }
  return out;
}
