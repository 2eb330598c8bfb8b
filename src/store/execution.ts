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
  /** get(): when the first timer or Signal.when timeout this await waits on fires, if any. */
  until?: string;
}

/** A task or child workflow a workflow started (get()). */
export interface ChildExecution {
  id: string;
  kind: ExecutionKind;
  name: string;
  status: ExecutionStatus;
  createdAt: string;
  finishedAt: string | null;
  /** Queued: when it may start (a delay, a retry's backoff). */
  runAt?: string;
}

/** A timer or Signal.when timeout of a workflow that has not fired yet (get()). */
export interface PendingTimer {
  kind: "timer" | "signal-timeout";
  /** When it fires, on the database's clock. */
  firesAt: string;
  /** The signal a Signal.when waits for. */
  signal?: string;
}

/** A signal sent to a workflow that no wait has taken yet (get()). */
export interface BufferedSignal {
  name: string;
  payload: unknown;
  sentAt: string;
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
  /** The schedule that started it (absent for everything else). */
  scheduleName?: string;
  /** For a suspended workflow: what each waiting stack waits on, with the line of its await. */
  waitingOn?: WaitingOn[];
  /** Where a failed workflow threw its error, "file:line:col (function)" (the file as deployed), as `rhythm run` reports it. */
  errorAt?: string;
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
  /**
   * get() of a workflow: the tasks and child workflows it started, in the order it started them — the first 100
   * (`childCount` says how many there are; `list({ parentId })` pages through them all).
   */
  children?: ChildExecution[];
  childCount?: number;
  /** get() of a workflow: its timers and Signal.when timeouts that have not fired, soonest first. */
  timers?: PendingTimer[];
  /** get() of a workflow: signals sent to it that no wait has taken yet, oldest first. */
  bufferedSignals?: BufferedSignal[];
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
  error_at: string | null;
  errors: unknown[];
  attempt: number;
  parent_id: string | null;
  waits: { description: string; function: string; line: number; column: number; handles?: number[] }[] | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  schedule_name?: string | null;
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
  if (r.schedule_name) e.scheduleName = r.schedule_name;
  if (r.status === "suspended" && r.waits) {
    e.waitingOn = r.waits.map(({ description, function: fn, line, column }) => ({ description, function: fn, line, column }));
  }
  if (r.error_at) e.errorAt = r.error_at;
  if (r.kind === "task" && r.errors.length > 0) e.errors = r.errors;
  if (r.status === "queued") e.runAt = iso(r.run_at)!;
  return e;
}

/** The columns GetDetailed adds (timestamps arrive as JSON text). */
export interface DetailsRow {
  children: {
    id: string;
    kind: ExecutionKind;
    name: string;
    status: ExecutionStatus;
    handle: number | null;
    run_at: string;
    created_at: string;
    finished_at: string | null;
  }[];
  child_count: number;
  timers: { handle: number; kind: "timer" | "signal-timeout"; fire_at: string; signal: string | null }[];
  buffered: { name: string; payload: unknown; created_at: string }[];
}

/** Adds a workflow's children, timers and buffered signals, and each await's deadline. */
export function withDetails(e: Execution, d: DetailsRow, waits: ExecutionRow["waits"]): void {
  e.children = d.children.map((c) => {
    const child: ChildExecution = {
      id: c.id,
      kind: c.kind,
      name: c.name,
      status: c.status,
      createdAt: iso(c.created_at)!,
      finishedAt: iso(c.finished_at),
    };
    if (c.status === "queued") child.runAt = iso(c.run_at)!;
    return child;
  });
  e.childCount = d.child_count;
  e.timers = d.timers.map((t) => ({
    kind: t.kind,
    firesAt: iso(t.fire_at)!,
    ...(t.signal !== null ? { signal: t.signal } : {}),
  }));
  e.bufferedSignals = d.buffered.map((s) => ({ name: s.name, payload: s.payload ?? null, sentAt: iso(s.created_at)! }));
  // the timers are soonest first: an await's deadline is the first of its handles'
  if (e.waitingOn && waits)
    e.waitingOn.forEach((w, n) => {
      const handles = new Set(waits[n]?.handles ?? []);
      const first = d.timers.find((t) => handles.has(t.handle));
      if (first) w.until = iso(first.fire_at)!;
    });
}
