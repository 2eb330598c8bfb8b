// Workflow activations: woken workflows locked and read inside a step's transaction, and one
// settlement for every activation — its row, the executions it starts, its effects (timers,
// signal waits, logs, consumed inbox, handles let go), whether it was claimed or ran on a row
// its transaction locked.

import { addAwaiters, type AwaitRequest } from "./awaiters.js";
import { claimedOf } from "./claims.js";
import type { Db } from "./db.js";
import { startedIds } from "./debounce.js";
import { enqueueRows, type EnqueueRow } from "./enqueue.js";
import { matchSignals, rebuffer } from "./signals.js";
import { addTimers } from "./timers.js";
import { withAwaiters } from "./tasks.js";
import type { ActivationWrite, Claimed, Finished, LockedRow, Settled, SettledRow } from "./types.js";

/**
 * Locks the rows of these workflows (in id order) and reads them, with their inbox, for
 * activations in this transaction. Read again once every row is held when one changed after the
 * statement's snapshot: its inbox was read in that snapshot (the row lock waited for a delivery,
 * or an activation).
 */
export async function lockWoken(db: Db, ids: string[]): Promise<LockedRow[]> {
  if (ids.length === 0) return [];
  const rows = (await db.run<LockedRow & { stale: boolean }>("WakeLock", [ids])).rows;
  return rows.some((r) => r.stale) ? (await db.run<LockedRow>("WakeLock", [ids])).rows : rows;
}

/**
 * Settles activations, in one statement with the executions they start (ActivationsSettle), then
 * writes what they leave, each kind of effect in one statement for all. Answers, in order, what
 * each settled (null: its claim was no longer held, and nothing of it was written). An activation
 * on a row this transaction locked is always settled.
 */
export async function settleActivations(db: Db, writes: ActivationWrite[], workerId: string): Promise<(Settled | null)[]> {
  if (writes.length === 0) return [];
  const rows = writes.map((w) => ({
    id: w.id,
    token: w.hold.kind === "claimed" ? w.hold.token : null,
    n: w.hold.kind === "locked" ? w.hold.handed : 0,
    wakeups: w.wakeups,
    status: w.outcome.status,
    state: w.outcome.status === "suspended" ? w.outcome.state : null,
    waits: w.outcome.status === "suspended" ? w.outcome.waits : null,
    output: w.outcome.status === "completed" ? (w.outcome.output ?? null) : null,
    error: w.outcome.status === "failed" ? w.outcome.error : null,
    error_at: w.outcome.status === "failed" ? w.outcome.errorAt : null,
  }));
  const starts = await enqueueRows(
    db,
    writes.flatMap((w) => w.start),
  );
  const r = await db.run<{ settled: (Omit<Finished, "awaiters"> & { awaited: boolean } & SettledRow)[]; inserted: string[] }>(
    "ActivationsSettle",
    // debounced starts are upserted after it, for the activations it settled (startedIds)
    [JSON.stringify(rows), workerId, JSON.stringify(starts.filter((s) => s.debounce_key === null)), db.channel, db.takeNotes()],
  );
  const ended = new Set(writes.filter((w) => w.outcome.status !== "suspended").map((w) => w.id));
  // the awaiters of workflows that ended (read after their rows were updated: see AwaitersAdd)
  const finished = await withAwaiters(
    db,
    r.rows[0].settled.map((s) => ({ ...s, awaited: s.awaited && ended.has(s.id) })),
  );
  const settled = new Map(finished.map((s) => [s.id, s]));
  const written = new Map(r.rows[0].settled.map((s) => [s.id, { status: s.status, wakeups: s.wakeups, xid: s.xid }]));
  const lost = writes.filter((w) => w.hold.kind === "locked" && !settled.has(w.id)).length;
  if (lost > 0) throw new Error(`${lost} activations lost the row lock of their own transaction`);

  const inserted = new Set(r.rows[0].inserted);
  // What each settled activation started: the first execution's id for a repeated idempotency
  // key. A call whose key was taken started nothing: it awaits the execution holding the key.
  const answers: (Settled | null)[] = [];
  const awaits: AwaitRequest[] = [];
  let at = 0;
  for (const w of writes) {
    const own = starts.slice(at, (at += w.start.length));
    const row = settled.get(w.id);
    if (!row) {
      answers.push(null);
      continue;
    }
    const ids = await startedIds(db, own, inserted);
    own.forEach((start, n) => {
      if (ids[n] !== start.id && start.parent_handle !== null)
        awaits.push({ executionId: ids[n], workflowId: w.id, handle: start.parent_handle });
    });
    answers.push({
      parent_id: row.parent_id,
      parent_handle: row.parent_handle,
      awaiters: row.awaiters,
      awaitedFinished: [],
      dispatched: dispatchedOf(own, ids),
      row: written.get(w.id)!,
    });
  }
  const byWorkflow = new Map(writes.map((w, n) => [w.id, answers[n]]));
  for (const { request, outcome } of await addAwaiters(db, awaits))
    byWorkflow.get(request.workflowId)?.awaitedFinished.push({ handle: request.handle, outcome });
  const live = writes.filter((w) => settled.has(w.id));
  await writeEffects(db, live);
  const done = live.filter((w) => w.outcome.status !== "suspended").map((w) => w.id);
  if (done.length > 0) await db.run("DropAllWaits", [done]);
  await db.notifyFinished(done);
  return answers;
}

/** The tasks inserted claimed for this worker, to run once the transaction commits. */
export function dispatchedOf(rows: EnqueueRow[], ids: string[]): Claimed[] {
  const out: Claimed[] = [];
  rows.forEach((row, n) => {
    if (row.claim_token === null || ids[n] !== row.id) return;
    out.push(
      claimedOf({
        id: row.id,
        kind: "task",
        name: row.name,
        version: null,
        queue: row.queue,
        inputs: row.inputs,
        attempt: 1,
        max_attempts: row.max_attempts,
        backoff: row.backoff,
        timeout_ms: row.timeout_ms,
        parent_id: row.parent_id,
        // a task a step inserted claimed: the step gave its workflow's root (ActivationInput.rootId)
        root_id: row.root_id!,
        claim_token: row.claim_token,
        state: null,
        wakeups: 0,
        started_at: null,
        db_now: null,
        trace: row.trace,
        waited_ms: 0,
      }),
    );
  });
  return out;
}

/** What settled activations leave, each kind of effect in one statement for the whole step. */
async function writeEffects(db: Db, live: ActivationWrite[]): Promise<void> {
  const rebuffered = new Set<string>();
  for (const w of live) {
    // signals delivered to waits that had given up their place go back to the buffer (rare)
    if (await rebuffer(db, w.id, w.ignored, w.consumed)) rebuffered.add(w.id);
    if (w.dropped.length > 0) await db.run("DropHandles", [w.id, w.dropped]);
  }
  const consumed = live.flatMap((w) => w.consumed);
  if (consumed.length > 0) await db.run("InboxConsume", [consumed]);
  await addTimers(
    db,
    live.flatMap((w) => w.timers.map((t) => ({ execution_id: w.id, ...t }))),
  );
  const waits = live.flatMap((w) => w.signalWaits.map((x) => ({ execution_id: w.id, ...x })));
  if (waits.length > 0) await db.run("WaitInsert", [JSON.stringify(waits)]);
  const logs = live.flatMap((w) => w.logs.map((l) => ({ execution_id: w.id, ...l })));
  if (logs.length > 0) await db.run("LogInsert", [JSON.stringify(logs)]);
  await matchSignals(
    db,
    live.filter((w) => w.outcome.status === "suspended" && (w.signalWaits.length > 0 || rebuffered.has(w.id))).map((w) => w.id),
  );
}
