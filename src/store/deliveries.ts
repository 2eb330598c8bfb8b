// Settlements delivered to workflows: each goes to its workflow's inbox (in the order given) and
// makes the workflow runnable; workers serving its queue hear of it. (Signals are delivered by
// their own statements: signals.ts.)

import type { ExecutionStatus } from "../shared/statuses.js";
import type { Db } from "./db.js";
import type { Delivery } from "./types.js";

export async function deliver(db: Db, items: Delivery[]): Promise<void> {
  if (items.length === 0) return;
  const woken = await db.run<{ id: string; queue: string; status: ExecutionStatus; root_id: string }>("Wake", [
    items.map((i) => i.executionId),
  ]);
  // A workflow that has finished (a fire-and-forget task outliving it) will never read its
  // inbox again: nothing is written for it.
  const live = new Map(woken.rows.map((r) => [r.id, r.root_id]));
  const rows = items
    .filter((i) => live.has(i.executionId))
    .map((i) => ({
      execution_id: i.executionId,
      handle: i.handle,
      ok: i.ok,
      value: i.value ?? null,
      root_id: live.get(i.executionId),
    }));
  if (rows.length > 0) await db.run("InboxInsert", [JSON.stringify(rows)]);
  await db.notifyQueues(woken.rows.filter((r) => r.status === "queued").map((r) => r.queue));
}
