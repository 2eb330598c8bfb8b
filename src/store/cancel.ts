// Cancellation: the execution and everything it started that is still going are cancelled; a
// running task handler hears of it (NOTIFY "c:<id>"), and the workflow that started the
// cancelled root is told (its await throws Cancelled), as are the workflows awaiting any of the
// cancelled executions by an idempotency key (they did not start it, and are not cancelled).

import { cancelledError } from "../shared/flow-errors.js";
import type { ExecutionKind } from "../shared/statuses.js";
import { takeAwaiters } from "./awaiters.js";
import type { Db } from "./db.js";
import { deliver } from "./deliveries.js";
import type { Delivery } from "./types.js";

/** Cancels (in one transaction: `db`); returns the cancelled ids, or null when there is no such execution. */
export async function cancel(db: Db, id: string): Promise<string[] | null> {
  const exists = await db.run<{ root_id: string }>("LockExecution", [id]);
  if (exists.rows.length === 0) return null;
  const cancelled: string[] = [];
  await cancelOne(db, id, exists.rows[0].root_id, true, cancelled);
  return cancelled;
}

/**
 * Cancels what `parentId` (of the run `rootId`, which its children share) started that is still
 * going (recursively), adding their ids to `cancelled`.
 */
export async function cancelChildren(db: Db, parentId: string, rootId: string, cancelled: string[]): Promise<void> {
  const children = await db.run<{ id: string }>("Children", [parentId, rootId]);
  for (const c of children.rows) await cancelOne(db, c.id, rootId, false, cancelled);
}

async function cancelOne(db: Db, execId: string, rootId: string, root: boolean, cancelled: string[]): Promise<void> {
  const r = await db.run<{
    kind: ExecutionKind;
    parent_id: string | null;
    parent_handle: number | null;
    name: string;
    awaited: boolean;
  }>("Cancel", [execId, JSON.stringify(cancelledError(`execution ${execId} was cancelled`)), rootId]);
  if (r.rows.length === 0) return;
  cancelled.push(execId);
  await db.run("DropAllWaits", [[execId]]);
  await db.notify(`c:${execId}`);
  await db.notifyFinished([execId]);
  const { kind, parent_id, parent_handle, name, awaited } = r.rows[0];
  // The workflow that started the cancelled root learns of it; children cancelled along with
  // their parent have nobody left to tell. Awaiters are told in any case.
  const value = cancelledError(`${kind} "${name}" was cancelled`);
  const told: Delivery[] = [];
  if (root && parent_id && parent_handle !== null) told.push({ executionId: parent_id, handle: parent_handle, ok: false, value });
  if (awaited)
    for (const a of (await takeAwaiters(db, [execId])).get(execId) ?? [])
      told.push({ executionId: a.workflowId, handle: a.handle, ok: false, value });
  await deliver(db, told);
  await cancelChildren(db, execId, rootId, cancelled);
}
