// The public shape of an execution (SPEC §4), as get/wait/list return it and the CLI prints it,
// and the mapping from a database row.

import type { ExecutionKind, ExecutionStatus } from "../shared/statuses.js";

export type { ExecutionStatus };

export interface WaitingOn {
  /** What the stack waits on: `task "send-email"`, `signal "approval"`, `timer until …`, … */
  description: string;
  /** The function and source line of the `await`. */
  function: string;
  line: number;
  column: number;
}

export interface Execution {
  id: string;
  kind: ExecutionKind;
  name: string;
  status: ExecutionStatus;
  inputs: unknown;
  output: unknown;
  error: unknown;
  queue: string;
  priority: number;
  attempt: number;
  parentId: string | null;
  version: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** For a suspended workflow: what each waiting stack waits on, with the line of its await. */
  waitingOn?: WaitingOn[];
  /** Every failed attempt's error, oldest first (tasks). */
  errors?: unknown[];
  /** When the execution is queued to run at a later time. */
  runAt?: string;
  /**
   * Why it does not move, when no running worker will take it: for a queued execution, that no
   * worker serves its queue or registers its task; for a suspended workflow, the same of a child
   * (task or workflow) it waits on. Absent when a running worker will take it. Read at the call.
   */
  blocked?: string;
}

export interface ExecutionRow {
  id: string;
  kind: ExecutionKind;
  name: string;
  version: string | null;
  status: ExecutionStatus;
  queue: string;
  priority: number;
  run_at: Date;
  inputs: unknown;
  output: unknown;
  error: unknown;
  errors: unknown[];
  attempt: number;
  parent_id: string | null;
  waits: { description: string; function: string; line: number; column: number }[] | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

function iso(d: Date | string | null): string | null {
  if (d === null) return null;
  return (d instanceof Date ? d : new Date(d)).toISOString();
}

export function toExecution(r: ExecutionRow): Execution {
  const e: Execution = {
    id: r.id,
    kind: r.kind,
    name: r.name,
    status: r.status,
    inputs: r.inputs,
    output: r.output ?? null,
    error: r.error ?? null,
    queue: r.queue,
    priority: r.priority,
    attempt: r.attempt,
    parentId: r.parent_id,
    version: r.version,
    createdAt: iso(r.created_at)!,
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
  };
  if (r.status === "suspended" && r.waits) {
    e.waitingOn = r.waits.map(({ description, function: fn, line, column }) => ({ description, function: fn, line, column }));
  }
  if (r.kind === "task" && r.errors.length > 0) e.errors = r.errors;
  if (r.status === "queued") e.runAt = iso(r.run_at)!;
  return e;
}
