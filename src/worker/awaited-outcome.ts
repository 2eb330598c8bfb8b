// What a workflow awaiting an execution it did not start is told (issue 14): its Task.run or
// Workflow.run found the idempotency key taken, and its handle settles as the holder's parent's
// did — the output, or the TaskError, WorkflowError or Cancelled the parent got.

import { cancelledError } from "../shared/flow-errors.js";
import type { AwaitedOutcome } from "../store/awaiters.js";
import type { Awaiter, Delivery } from "../store/types.js";
import { taskErrorJson, workflowErrorJson } from "../vm/errors.js";

/** The settlement of an execution that had already finished, as its parent was given it. */
export function settlementOf(o: AwaitedOutcome): { ok: boolean; value: unknown } {
  if (o.status === "completed") return { ok: true, value: o.output ?? null };
  if (o.status === "cancelled") return { ok: false, value: cancelledError(`${o.kind} "${o.name}" was cancelled`) };
  if (o.kind === "workflow") return { ok: false, value: workflowErrorJson(o.name, o.id, o.error) };
  // rows that failed before migration 5 kept no TaskError: built from the error as stored
  return { ok: false, value: o.awaited_error ?? taskErrorJson(o.name, o.attempt, o.error) };
}

/** The news of an execution that finished: for its parent, if any, then each of its awaiters. */
export function newsOf(
  finished: { parent_id: string | null; parent_handle: number | null; awaiters: Awaiter[] },
  ok: boolean,
  value: unknown,
): Delivery[] {
  const news: Delivery[] = [];
  if (finished.parent_id && finished.parent_handle !== null)
    news.push({ executionId: finished.parent_id, handle: finished.parent_handle, ok, value });
  for (const a of finished.awaiters) news.push({ executionId: a.workflowId, handle: a.handle, ok, value });
  return news;
}
