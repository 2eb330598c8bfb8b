// Task attempts finishing: completions (many in one statement; standalone ones committed on their
// own), a failed attempt retried later or failed for good (its workflow told), and attempts whose
// lease ran out. Every write matches the attempt's claim token: a second one changes nothing.

import { takeAwaiters } from "./awaiters.js";
import type { Db } from "./db.js";
import { FINISHED_PER_NOTIFY } from "./db.js";
import { deliver } from "./deliveries.js";
import type { Completion, Delivery, ExpiredRow, Finished } from "./types.js";

type FinishedRow = Omit<Finished, "awaiters"> & { awaited: boolean };

/** Completions, in one statement; returns those whose claim was still held, with their parent and awaiters. */
export async function completeTasks(db: Db, items: Completion[]): Promise<Finished[]> {
  if (items.length === 0) return [];
  const rows = items.map((c) => ({ id: c.id, token: c.token, output: c.output ?? null }));
  const r = await db.run<FinishedRow>("TasksComplete", [JSON.stringify(rows)]);
  // pending until a statement carries it (ActivationsSettle), or the commit
  await db.notifyFinished(r.rows.map((row) => row.id));
  return withAwaiters(db, r.rows);
}

/** Finished rows with their awaiters, read (and taken) for those marked awaited. */
export async function withAwaiters(db: Db, rows: FinishedRow[]): Promise<Finished[]> {
  const awaiters = await takeAwaiters(
    db,
    rows.filter((row) => row.awaited).map((row) => row.id),
  );
  return rows.map((row) => ({
    id: row.id,
    parent_id: row.parent_id,
    parent_handle: row.parent_handle,
    awaiters: awaiters.get(row.id) ?? [],
  }));
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
 * then the workflow that started the task, if any, and those awaiting it get `parentError` (kept
 * for awaiters that come later). False when the claim was no longer held (nothing written).
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
  const r = await db.run<Omit<FinishedRow, "id">>("TaskFail", [
    id,
    token,
    JSON.stringify(error),
    parentError === null ? null : JSON.stringify(parentError),
  ]);
  if (r.rows.length === 0) return false;
  const [finished] = await withAwaiters(db, [{ id, ...r.rows[0] }]);
  const told: Delivery[] = finished.awaiters.map((a) => ({
    executionId: a.workflowId,
    handle: a.handle,
    ok: false,
    value: parentError,
  }));
  if (finished.parent_id && finished.parent_handle !== null)
    told.unshift({ executionId: finished.parent_id, handle: finished.parent_handle, ok: false, value: parentError });
  await deliver(db, told);
  await db.notifyFinished([id]);
  return true;
}

/** Claims whose lease ran out (dead worker, timeout), locked (in the caller's transaction) to resolve. */
export async function expiredLeases(db: Db, limit: number): Promise<ExpiredRow[]> {
  return (await db.run<ExpiredRow>("Expired", [limit])).rows;
}

/**
 * An expired workflow activation goes back to its queue, counted as lost (its worker stopped or
 * froze, or the activation never ended): it runs again from its saved state, and a few lost in a
 * row fail it (see 007_lost_activations.sql).
 */
export async function requeueExpired(db: Db, row: ExpiredRow): Promise<void> {
  await db.run("ReleaseLost", [row.id, row.claim_token, LEASE_LOST]);
  await db.notifyQueues(["*"]);
}

const LEASE_LOST = "its lease expired (its worker stopped or froze before the activation was saved)";
