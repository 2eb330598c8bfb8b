// Timers on the database clock: Timer.delay/until resolve to null when they fire, a Signal.when
// timeout rejects its wait with a Timeout (unless a signal took the wait first).

import type { Db } from "./db.js";
import { deliver } from "./deliveries.js";
import { timedOutWaits } from "./signals.js";
import type { ActivationWrite, Delivery, TimerKind } from "./types.js";

export async function addTimers(db: Db, timers: (ActivationWrite["timers"][number] & { execution_id: string })[]): Promise<void> {
  if (timers.length === 0) return;
  await db.run("TimerInsert", [JSON.stringify(timers)]);
  // workers read the next timer again
  await db.notify("t");
}

/** Fires up to `limit` due timers (in one transaction: `db`); returns how many fired. */
export async function fireTimers(db: Db, limit: number): Promise<number> {
  const due = await db.run<{ execution_id: string; handle: number; kind: TimerKind; root_id: string }>("TimersDue", [limit]);
  const timedOut = await timedOutWaits(
    db,
    due.rows.filter((t) => t.kind === "signal-timeout"),
  );
  const deliveries: Delivery[] = [];
  for (const t of due.rows) {
    if (t.kind === "timer") deliveries.push({ executionId: t.execution_id, handle: t.handle, ok: true, value: null });
    else {
      // the signal won the race when its wait is gone
      const d = timedOut.get(`${t.execution_id}:${t.handle}`);
      if (d) deliveries.push(d);
    }
  }
  await deliver(db, deliveries);
  return due.rows.length;
}

/** When a worker has something to do next without being told: null for nothing. */
export interface NextDue {
  /** Milliseconds until the next timer (negative when one is due). */
  timerMs: number | null;
  /** Milliseconds until the earliest queued execution of the queues asked about comes due. */
  dueMs: number | null;
}

export async function nextDue(db: Db, queues: string[]): Promise<NextDue> {
  const r = await db.run<{ timer_ms: string | number | null; due_ms: string | number | null }>("NextDue", [queues]);
  const ms = (v: string | number | null | undefined) => (v === null || v === undefined ? null : Number(v));
  return { timerMs: ms(r.rows[0]?.timer_ms), dueMs: ms(r.rows[0]?.due_ms) };
}
