// The plain data the store's operations take and return. Programs and saved states are opaque
// JSON here; the worker turns an activation's plan into an ActivationWrite.

import type { Concurrency, RateLimit } from "../shared/flow-control.js";
import type { Backoff } from "../shared/retries.js";
import type { ExecutionKind, ExecutionStatus } from "../shared/statuses.js";
import type { AwaitedOutcome } from "./awaiters.js";

export interface EnqueueItem {
  kind: ExecutionKind;
  name: string;
  version?: string | null;
  inputs: unknown;
  queue?: string;
  priority?: number;
  /** Epoch ms; or `delayMs` from the database's now. */
  runAt?: number | null;
  delayMs?: number | null;
  /** null or absent: the registration of the worker that runs the task decides. */
  maxAttempts?: number | null;
  backoff?: Backoff | null;
  timeoutMs?: number | null;
  parentId?: string | null;
  parentHandle?: number | null;
  /** The root of the parent's run (docs/scale.md); absent: read from the parent's row at insert. */
  rootId?: string | null;
  idempotencyKey?: string | null;
  /** Workflows: the whole run fails with a Timeout this long after its first activation began. */
  runTimeoutMs?: number | null;
  /** A start that replaces a queued one of the same key instead, until it starts (SPEC §9; store/debounce.ts). */
  debounce?: Debounce | null;
  /** Inserted already claimed (running, attempt 1) by this worker, to run once its transaction commits. */
  claim?: TaskClaim | null;
  /** The W3C traceparent its spans join (telemetry); null when its start was not traced. */
  trace?: string | null;
  /** A concurrency key (never inserted claimed: a claim takes its slot, migration 008). */
  concurrency?: Concurrency | null;
  /** A rate limit (never inserted claimed: a claim counts its start). */
  rateLimit?: RateLimit | null;
}

/** `debounce: { key, delay, maxWait? }` in ms. */
export interface Debounce {
  key: string;
  delayMs: number;
  maxWaitMs: number | null;
}

/** The claim a step gives a task it starts for its own worker. */
export interface TaskClaim {
  workerId: string;
  token: string;
  leaseMs: number;
}

/** An execution claimed by this worker: an object of one fixed shape, always built by claimedOf. */
export interface Claimed {
  id: string;
  kind: ExecutionKind;
  name: string;
  version: string | null;
  queue: string;
  inputs: unknown;
  attempt: number;
  max_attempts: number | null;
  backoff: Backoff | null;
  timeout_ms: number | null;
  parent_id: string | null;
  /** The run's root (migration 017), the distribution key of docs/scale.md. */
  root_id: string;
  claim_token: string;
  state: unknown;
  wakeups: number;
  /** Workflows: when the execution started (null for a task). */
  started_at: Date | null;
  /** Workflows: the database's clock at claim, whole epoch ms (null for a task). */
  db_now: number | null;
  /** Workflows: the settlements waiting for this activation, in arrival order (none for a task). */
  inbox: InboxItem[];
  /** The W3C traceparent its spans join (telemetry), or null. */
  trace: string | null;
  /** How long it waited, once runnable, before this claim (ms; 0 for a task taken in a step). */
  waited_ms: number;
  /** Workflows: activations lost in a row before this claim, and the last reason (null for a task). */
  activation_failures?: number | null;
  activation_error?: string | null;
}

/** A settlement read from a workflow's inbox; `seq` (a bigint) is what consuming it deletes. */
export interface InboxItem {
  seq: string;
  execution_id: string;
  handle: number;
  ok: boolean;
  value: unknown;
}

/** A settlement on its way to a workflow: a task's or a child's outcome, a timer. */
export interface Delivery {
  executionId: string;
  handle: number;
  ok: boolean;
  value: unknown;
}

/** A task attempt that succeeded, for a completion write. */
export interface Completion {
  id: string;
  token: string;
  output: unknown;
}

/** A workflow awaiting an execution it did not start: its Task.run/Workflow.run found the idempotency key taken. */
export interface Awaiter {
  workflowId: string;
  handle: number;
}

/** A finished execution and the workflows waiting for it: the one that started it (and its handle), if any, and its awaiters. */
export interface Finished {
  id: string;
  parent_id: string | null;
  parent_handle: number | null;
  awaiters: Awaiter[];
}

/** A workflow's row as WakeLock locked and read it, for an activation inside that transaction. */
export interface LockedRow {
  id: string;
  kind: ExecutionKind;
  status: ExecutionStatus;
  name: string;
  version: string | null;
  queue: string;
  /** Queued and runnable now (not waiting for a later run_at). */
  due: boolean;
  inputs: unknown;
  attempt: number;
  parent_id: string | null;
  root_id: string;
  state: unknown;
  wakeups: number;
  started_at: Date;
  /** The database's clock, whole epoch ms (pg's numeric: a string). */
  db_now: number | string;
  /** Only for queued or suspended rows. */
  inbox: InboxItem[] | null;
  /** The W3C traceparent its spans join (telemetry), or null. */
  trace: string | null;
}

/**
 * How an activation holds its workflow's row: the token of a claim (Claim), or the row lock of the
 * transaction it ran in (WakeLock), which `handed` settlements were given to directly.
 */
export type Hold = { kind: "claimed"; token: string } | { kind: "locked"; handed: number };

/** Where a log line comes from: a workflow's console.*, the interpreter itself, a task handler's ctx.log. */
export type LogSource = "console" | "runtime" | "task" | "operation";

/** A timer resolves to null when it fires; a signal timeout rejects its Signal.when with a Timeout. */
export type TimerKind = "timer" | "signal-timeout";

/** What one workflow activation writes, all in the transaction of its step. */
export interface ActivationWrite {
  id: string;
  hold: Hold;
  /** `wakeups` as the activation saw it: a higher value at commit means news arrived meanwhile. */
  wakeups: number;
  /** The inbox rows (seqs) it was given, and so consumes. */
  consumed: string[];
  outcome:
    | { status: "suspended"; state: unknown; waits: unknown }
    | { status: "completed"; output: unknown }
    | { status: "failed"; error: unknown; errorAt: string | null };
  /** Tasks and child workflows it starts, in call order. */
  start: EnqueueItem[];
  timers: { handle: number; at: number; kind: TimerKind }[];
  signalWaits: { handle: number; name: string }[];
  /** Handles it can no longer observe: their waits and timers go. */
  dropped: number[];
  /** Inbox handles it could no longer observe (a signal among them goes back to the buffer). */
  ignored: number[];
  logs: { level: string; message: string; line: number; source: LogSource }[];
}

/** A settled activation (null in its place: its claim was no longer held, and nothing was written). */
export interface Settled {
  /** The workflow that started it, when it has one (its outcome is that workflow's news). */
  parent_id: string | null;
  parent_handle: number | null;
  /** When it ended: the workflows that awaited it by an idempotency key (its outcome is their news too). */
  awaiters: Awaiter[];
  /**
   * Its calls whose idempotency key an execution held that had already finished: each handle
   * settles with that execution's outcome at once.
   */
  awaitedFinished: { handle: number; outcome: AwaitedOutcome }[];
  /** The tasks it started claimed for this worker, to run now. */
  dispatched: Claimed[];
  /** Its row as the settlement wrote it (what a later FastStep checks is unchanged). */
  row: SettledRow;
}

/** A workflow's row as a settlement left it: its status, wakeups and row version (xmin). */
export interface SettledRow {
  status: ExecutionStatus;
  wakeups: number;
  xid: string;
}

/** A claim whose lease ran out (dead worker, timeout), locked for the caller to resolve. */
export interface ExpiredRow {
  id: string;
  kind: ExecutionKind;
  name: string;
  attempt: number;
  max_attempts: number | null;
  backoff: Backoff | null;
  parent_id: string | null;
  parent_handle: number | null;
  claim_token: string;
}

export interface ListFilter {
  status?: ExecutionStatus;
  name?: string;
  queue?: string;
  kind?: ExecutionKind;
  limit?: number;
  /** Cursor: the id of the last execution of the previous page. */
  after?: string;
  /** Only the tasks and child workflows this workflow started. */
  parentId?: string;
  /** Only executions no workflow started (workflows and tasks started from code, the CLI or the API). */
  topLevel?: boolean;
}
