// Workflows awaiting an execution they did not start (issue 14): a Task.run or Workflow.run whose
// idempotency key another execution holds awaits that one. Recorded under its row lock
// (AwaitersAdd), so that whoever finishes it — a task's completion or failure, a workflow's last
// activation, a cancellation, in any transaction — reads its awaiters after (takeAwaiters) and
// tells them what its parent is told; one that has already finished is answered at once.

import type { ExecutionKind, ExecutionStatus } from "../shared/statuses.js";
import type { Db } from "./db.js";
import type { Awaiter } from "./types.js";

/** A workflow's call whose idempotency key `executionId` holds. */
export interface AwaitRequest {
  executionId: string;
  workflowId: string;
  handle: number;
}

/** An execution that had already finished when a workflow came to await it, and how it ended. */
export interface AwaitedOutcome {
  id: string;
  kind: ExecutionKind;
  name: string;
  status: ExecutionStatus;
  attempt: number;
  output: unknown;
  error: unknown;
  /** A task that failed for good: the TaskError its parent got (null on rows older than migration 5). */
  awaited_error: unknown;
}

/**
 * Records the awaiters of executions still going; answers, for each request whose execution had
 * already finished, that execution's outcome (the caller settles the handle with it).
 */
export async function addAwaiters(
  db: Db,
  requests: AwaitRequest[],
): Promise<{ request: AwaitRequest; outcome: AwaitedOutcome }[]> {
  if (requests.length === 0) return [];
  const rows = requests.map((r) => ({ execution_id: r.executionId, workflow_id: r.workflowId, handle: r.handle }));
  const r = await db.run<{ marked: string[] }>("AwaitersAdd", [JSON.stringify(rows)]);
  const marked = new Set(r.rows[0].marked);
  const finished = requests.filter((q) => !marked.has(q.executionId));
  if (finished.length === 0) return [];
  // a statement of its own: its snapshot sees the commit that finished them
  const outcomes = await db.run<AwaitedOutcome>("AwaitedOutcomes", [[...new Set(finished.map((q) => q.executionId))]]);
  const byId = new Map(outcomes.rows.map((o) => [o.id, o]));
  return finished.flatMap((request) => {
    const outcome = byId.get(request.executionId);
    return outcome ? [{ request, outcome }] : [];
  });
}

/** The awaiters of executions this transaction just finished (and so holds the rows of), by execution, in the order they came. */
export async function takeAwaiters(db: Db, ids: string[]): Promise<Map<string, Awaiter[]>> {
  const out = new Map<string, Awaiter[]>();
  if (ids.length === 0) return out;
  const r = await db.run<{ execution_id: string; workflow_id: string; handle: number }>("AwaitersTake", [ids]);
  for (const row of r.rows) {
    const list = out.get(row.execution_id) ?? [];
    list.push({ workflowId: row.workflow_id, handle: row.handle });
    out.set(row.execution_id, list);
  }
  return out;
}
