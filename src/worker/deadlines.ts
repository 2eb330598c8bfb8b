// A workflow's `timeout` (SPEC §9): the worker fails the workflows whose deadline passed
// (store/deadlines.ts) and, in the same transaction, tells the workflows waiting for them — the
// parent and any awaiter get a WorkflowError caused by the Timeout, as for any failed child.

import type { Store } from "../store/store.js";
import { workflowErrorJson } from "../vm/errors.js";
import { newsOf } from "./awaited-outcome.js";

/** Expires up to `limit` due deadlines; returns how many workflows timed out. */
export async function expireDeadlines(store: Store, limit: number): Promise<number> {
  return store.transaction(async (tx) => {
    const timedOut = await tx.expireDeadlines(limit);
    await tx.deliver(timedOut.flatMap((t) => newsOf(t, false, workflowErrorJson(t.name, t.id, t.error))));
    return timedOut.length;
  });
}
