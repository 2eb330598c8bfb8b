// The in-memory host's data: its options, what it records (executions, log lines) and its
// internal queues (timers, signal waits, buffered signals).

import type { CompiledFlow } from "../compiler/index.js";
import type { Concurrency, RateLimit } from "../shared/flow-control.js";
import type { ExecutionStatus } from "../shared/statuses.js";
import type { ParentSettlement } from "../vm/effects-plan.js";
import type { Limits, Machine, Settlement, WaitInfo } from "../vm/machine.js";
import type { HostHandleInfo } from "../vm/show-value.js";
import type { SavedState } from "../vm/snapshot.js";
import type { TaskMock } from "./mocks.js";
import type { Waiter } from "./task-runs.js";

export interface MemoryHostOptions {
  /** Finds a workflow by name (for the root and for Workflow.run); null when there is none. */
  loadWorkflow: (name: string) => CompiledFlow | null;
  /** Task name → mock (`{ returns }`, `{ fails }`, `{ echo }`, a list of those, or a function). */
  tasks?: Record<string, TaskMock>;
  limits?: Partial<Limits>;
  /** Virtual clock start, epoch ms (default 2026-01-01T00:00:00Z). */
  startTime?: number;
  /** Seed of Math.random() (default 1). */
  seed?: number;
  /** Save and restore every execution through JSON at each suspension (proves resumability). */
  resumeMode?: boolean;
  /** Activations one `run()` may perform before it gives up (default 100,000): a guard against
   *  workflows that loop on timers forever under virtual time. */
  maxActivations?: number;
  /** Called with every state an execution saves, as it suspends (to look inside runs in tests). */
  onSuspend?: (executionId: string, state: SavedState) => void;
}

/** `run()` performed more activations than `maxActivations` allows. */
export class RunawayError extends Error {}

export interface TaskCall {
  name: string;
  inputs: unknown;
}

export interface LogLine {
  executionId: string;
  workflow: string;
  level: string;
  message: string;
  line: number;
  /** "console" for console.* calls, "runtime" for the interpreter's own notes (unhandled errors). */
  source: "console" | "runtime";
}

export interface ExecutionView {
  id: string;
  name: string;
  /** "cancelled": a child workflow whose parent ran past its `timeout`. */
  status: Exclude<ExecutionStatus, "queued">;
  output: unknown;
  error: unknown;
  parentId: string | null;
  /** Task.run calls of this execution, in call order. */
  taskCalls: TaskCall[];
  /** What the execution waits on, when suspended. */
  waits: WaitInfo[];
  /** When failed by a thrown error: where it was thrown. */
  errorAt: string | null;
}

export interface Execution extends ExecutionView {
  flow: CompiledFlow;
  machine: Machine;
  inbox: Settlement[];
  started: boolean;
  /** Parent's handle to settle when this child ends. */
  parentHandle: number | null;
  /** The state saved at the last suspension (kept when the run then fails), for `inspect`. */
  state: SavedState | null;
  /** What the host knows of the execution's handles: ids of its tasks and children. */
  handles: Map<number, HostHandleInfo>;
  /** Calls of other workflows (or the parent's own, again) that found its idempotency key taken. */
  awaiters: Waiter[];
  /** What its parent's handle settled to, once it ended (for awaiters that come later). */
  settled: ParentSettlement | null;
  /** Its `timeout` (SPEC §9): from its first activation, the whole run fails with a Timeout. */
  timeoutMs: number | null;
  /** Not activated before this time (a debounced start's delay); null: at once. */
  startAt: number | null;
  /** A child's concurrency key (held from its first activation until it ends) and rate limit. */
  concurrency: Concurrency | null;
  rateLimit: RateLimit | null;
  /** Waiting for a slot of its key or its rate limit's next window: not activated yet. */
  gated: boolean;
}

export interface Timer {
  at: number;
  seq: number;
  executionId: string;
  handle: number;
  /** What firing means: a timer resolves to null; a Signal.when timeout rejects; a deadline (handle -1) fails the run. */
  settlement: Settlement;
}

export interface SignalWait {
  seq: number;
  executionId: string;
  handle: number;
  name: string;
}

/** A signal sent and not yet taken by a wait; `seq` is its place in the buffer. */
export interface Buffered {
  seq: number;
  name: string;
  payload: unknown;
}
