// Task attempts finishing: completions (many in one statement; standalone ones committed on their
// own), a failed attempt retried later or failed for good (its workflow told), and attempts whose
// lease ran out. Every write matches the attempt's claim token: a second one changes nothing.

import type { Db } from "./db.js";
import { FINISHED_PER_NOTIFY } from "./db.js";
import { deliver } from "./deliveries.js";
import type { Completion, ExpiredRow, Finished } from "./types.js";

/** Completions, in one statement; returns those whose claim was still held, with their parent. */
export async function completeTasks(db: Db, items: Completion[]): Promise<Finished[]> {
  if (items.length === 0) return [];
  const rows = items.map((c) => ({ id: c.id, token: c.token, output: c.output ?? null }));
  const r = await db.run<Finished>("TasksComplete", [JSON.stringify(rows)]);
  // pending until a statement carries it (ActivationsSettle), or the commit
  await db.notifyFinished(r.rows.map((row) => row.id));
  return r.rows;
}

/**
 * Completions of tasks without a parent workflow, in one statement that commits on its own with
 * their notifications: nothing else is written when such a task completes. Each item's answer,
 * in order: true when written, false when its claim was no longer held (S1 11,600 → 17,400
 * tasks/s against a four-statement transaction: docs/benchmarks.md).
 */
export async function completeStandalone(pool: Db, items: Completion[]): Promise<boolean[]> {
  if (items.length === 0) return [];
  const rows = items.map((c) => ({ id: c.id, token: c.token, output: c.output ?? null }));
  const r = await pool.run<{ id: string }>("TasksCompleteStandalone", [JSON.stringify(rows), pool.channel, FINISHED_PER_NOTIFY]);
  const written = new Set(r.rows.map((row) => row.id));
  return items.map((i) => written.has(i.id));
}

/**
 * Records a failed attempt: queued again after `retryInMs`, or failed for good when it is null —
 * then the workflow that started the task, if any, gets `parentError`. False when the claim was
 * no longer held (nothing written).
 */
export async function failAttempt(
  db: Db,
  id: string,
  token: string,
  error: unknown,
  retryInMs: number | null,
  parentError: unknown,
): Promise<boolean> {
  if (retryInMs !== null) {
    const r = await db.run<{ queue: string }>("TaskRetry", [id, token, JSON.stringify(error), retryInMs]);
    // a short backoff must not wait for the next poll: workers serving the queue set a timer
    if (r.rows.length > 0) await db.notifyDue(r.rows[0].queue, retryInMs);
    return r.rows.length > 0;
  }
  const r = await db.run<Omit<Finished, "id">>("TaskFail", [id, token, JSON.stringify(error)]);
  if (r.rows.length === 0) return false;
  const { parent_id, parent_handle } = r.rows[0];
  if (parent_id && parent_handle !== null)
    await deliver(db, [{ executionId: parent_id, handle: parent_handle, ok: false, value: parentError }]);
  await db.notifyFinished([id]);
  return true;
}

/** Claims whose lease ran out (dead worker, timeout), locked (in the caller's transaction) to resolve. */
export async function expiredLeases(db: Db, limit: number): Promise<ExpiredRow[]> {
  return (await db.run<ExpiredRow>("Expired", [limit])).rows;
}

/** An expired workflow activation goes back to its queue; it runs again from its saved state. */
export async function requeueExpired(db: Db, row: ExpiredRow): Promise<void> {
  await db.run("Release", [row.id, row.claim_token]);
  await db.notifyQueues(["*"]);
}
