// Signals, all of their delivery in one room: a signal sent is given to the oldest wait of its
// name or buffered (send); waits an activation creates take buffered signals when it commits
// (matchSignals); a signal that reached a wait which had given up its place goes back to its place
// in the buffer (rebuffer); a Signal.when whose timeout fired loses its wait (timedOutWaits). The
// rule is SPEC §2.3's as pairSignals (src/vm/effects-plan.ts) states it for both hosts.

import { signalTimeoutError } from "../shared/flow-errors.js";
import { isExecutionId } from "../shared/ids.js";
import { isFinalStatus, type ExecutionKind, type ExecutionStatus } from "../shared/statuses.js";
import type { Db } from "./db.js";
import type { Delivery } from "./types.js";

export interface SignalItem {
  id: string;
  name: string;
  payload: unknown;
  /** Send even when the workflow's version never waits on a signal of this name. */
  force?: boolean;
}

/** What a signal's target is, when it is not a workflow that can take signals. */
export interface Refusal {
  id: string;
  /** null: no such execution. */
  row: { kind: ExecutionKind; status: ExecutionStatus } | null;
  /**
   * A live workflow whose version never waits on a signal of this name (no wait names it
   * literally, and none computes its name): the names it does wait on.
   */
  unknownSignal?: { workflow: string; name: string; names: string[] };
}

/** The signal names a version waits on, as its program stores them (absent before they were). */
interface VersionSignals {
  names: string[];
  computed: boolean;
}

/** The ids of a send, checked before anything is read. */
export function refusedId(items: SignalItem[]): Refusal | null {
  const bad = items.find((i) => !isExecutionId(i.id));
  return bad ? { id: bad.id, row: null } : null;
}

/**
 * Sends signals in one transaction (`db`): every target is locked and checked first, and when one
 * is not a live workflow, or its version never waits on that name (unless the item is `force`d),
 * nothing is written and it is returned. Signals to one workflow keep
 * their order; each round of SignalsSend names a workflow once.
 */
export async function send(db: Db, items: SignalItem[]): Promise<Refusal | null> {
  const ids = [...new Set(items.map((i) => i.id))];
  const locked = await db.run<{
    id: string;
    kind: ExecutionKind;
    status: ExecutionStatus;
    name: string;
    root_id: string;
    signals: VersionSignals | null;
  }>("LockExecutions", [ids]);
  const rows = new Map(locked.rows.map((r) => [r.id, r]));
  for (const i of items) {
    const row = rows.get(i.id);
    if (!row || row.kind !== "workflow" || isFinalStatus(row.status))
      return { id: i.id, row: row ? { kind: row.kind, status: row.status } : null };
    const known = row.signals;
    if (!i.force && known && !known.computed && !known.names.includes(i.name))
      return {
        id: i.id,
        row: { kind: row.kind, status: row.status },
        unknownSignal: { workflow: row.name, name: i.name, names: known.names },
      };
  }
  let rest = items;
  while (rest.length > 0) {
    const seen = new Set<string>();
    const round = [];
    const later = [];
    for (const i of rest) {
      if (seen.has(i.id)) later.push(i);
      else {
        seen.add(i.id);
        round.push({ execution_id: i.id, root_id: rows.get(i.id)!.root_id, name: i.name, payload: i.payload ?? null });
      }
    }
    await db.run("SignalsSend", [JSON.stringify(round), db.channel]);
    rest = later;
  }
  return null;
}

/** Buffered signals given to the waits of these workflows (just suspended with new waits). */
export async function matchSignals(db: Db, executionIds: string[]): Promise<void> {
  if (executionIds.length > 0) await db.run("SignalsMatch", [executionIds, db.channel]);
}

/**
 * Signals the activation was given (`consumed` inbox rows) for handles it could no longer observe
 * go back to the buffer at their own place; true when one did.
 */
export async function rebuffer(db: Db, executionId: string, ignored: number[], consumed: string[]): Promise<boolean> {
  if (ignored.length === 0 || consumed.length === 0) return false;
  return (await db.run("SignalRebuffer", [executionId, ignored, consumed])).rowCount > 0;
}

/** The Signal.when waits whose timeout fired, each rejected with a Timeout; a wait already gone took its signal first. */
export async function timedOutWaits(
  db: Db,
  timers: { execution_id: string; handle: number; root_id: string }[],
): Promise<Map<string, Delivery>> {
  const out = new Map<string, Delivery>();
  if (timers.length === 0) return out;
  const r = await db.run<{ execution_id: string; handle: number; name: string }>("SignalWaitsTimedOut", [
    timers.map((t) => t.execution_id),
    timers.map((t) => t.handle),
    timers.map((t) => t.root_id),
  ]);
  for (const w of r.rows)
    out.set(`${w.execution_id}:${w.handle}`, {
      executionId: w.execution_id,
      handle: w.handle,
      ok: false,
      value: signalTimeoutError(w.name),
    });
  return out;
}
