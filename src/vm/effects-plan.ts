// What one activation's result asks of its host, as plain data: the executions to start (their
// options resolved), timers, signal waits, log lines, handles let go, the outcome and what the
// parent is told. The rules both hosts apply — the engine's worker writes the plan in the step's
// transaction, the in-memory host applies it to its maps — so the two cannot drift apart.

import type { DebounceOption } from "./flow-control-options.js";
import type { Concurrency, RateLimit } from "../shared/flow-control.js";
import { DEFAULT_RETRY_POLICY, type Backoff, type RetryPolicy } from "../shared/retries.js";
import { workflowErrorJson } from "./errors.js";
import type { ActivationResult, Effect, WaitInfo } from "./machine.js";
import type { SavedState } from "./snapshot.js";

/** A task to queue, as `Task.run` asked for it. */
export interface TaskStart {
  kind: "task";
  /** The workflow's handle its outcome settles. */
  handle: number;
  name: string;
  inputs: unknown;
  queue: string;
  priority: number;
  /** Epoch ms; null: now. */
  runAt: number | null;
  /** Retries given with the call (null: the registration of the worker that runs it decides). */
  maxAttempts: number | null;
  backoff: Backoff | null;
  timeoutMs: number | null;
  idempotencyKey: string | null;
  debounce: DebounceOption | null;
  /** The call's, else the registration's (the engine's worker); null: none. */
  concurrency: Concurrency | null;
  rateLimit: RateLimit | null;
}

/** A child workflow to start, as `Workflow.run` asked for it. */
export interface WorkflowStart {
  kind: "workflow";
  handle: number;
  name: string;
  inputs: unknown;
  queue: string;
  priority: number;
  runAt: number | null;
  idempotencyKey: string | null;
  debounce: DebounceOption | null;
  /** The child's `timeout` (SPEC §9): the whole run fails with a Timeout after it. */
  timeoutMs: number | null;
  concurrency: Concurrency | null;
  rateLimit: RateLimit | null;
}

export type Start = TaskStart | WorkflowStart;

export interface PlannedTimer {
  handle: number;
  /** Epoch ms. */
  at: number;
  /** `timer` resolves to null; `signal-timeout` (of a `Signal.when`) rejects with a Timeout. */
  kind: "timer" | "signal-timeout";
}

export interface PlannedLog {
  level: "log" | "info" | "warn" | "error";
  message: string;
  line: number;
  /** "console" for console.* calls, "runtime" for the interpreter's own notes (unhandled errors). */
  source: "console" | "runtime";
}

export type PlannedOutcome =
  | { status: "suspended"; state: SavedState; waits: WaitInfo[] }
  | { status: "completed"; output: unknown }
  | { status: "failed"; error: unknown; errorAt: string | null };

/** How the parent's handle settles when a child workflow ends. */
export type ParentSettlement = { ok: true; value: unknown } | { ok: false; error: unknown };

export interface EffectsPlan {
  outcome: PlannedOutcome;
  /** Tasks and child workflows to start, in call order. */
  start: Start[];
  timers: PlannedTimer[];
  /** Signal waits, in creation order (they take signals in that order: pairSignals); none for a dropped handle. */
  signalWaits: { handle: number; name: string }[];
  logs: PlannedLog[];
  /** Handles the workflow can no longer observe: their signal waits and timers go (tasks and children go on). */
  dropped: number[];
  /** Settlements it was given for handles it could not observe: a signal among them goes back to its place in the buffer. */
  ignored: number[];
  /**
   * When it ended (completed or failed): what its parent's handle settles to, and every wait,
   * timer and unread settlement of it goes. Null while it is suspended.
   */
  toParent: ParentSettlement | null;
}

/** Who is activated: children run on its queue unless told otherwise. */
export interface PlanSubject {
  id: string;
  name: string;
  queue: string;
}

/** What the host knows of a task name: its registration's queue and retries (the engine's worker). */
export type TaskDefaults = (name: string) => {
  queue?: string;
  retries: RetryPolicy;
  concurrency?: Concurrency | null;
  rateLimit?: RateLimit | null;
};

const NO_REGISTRATION: TaskDefaults = () => ({ retries: DEFAULT_RETRY_POLICY });

export function planEffects(
  result: ActivationResult,
  self: PlanSubject,
  taskDefaults: TaskDefaults = NO_REGISTRATION,
): EffectsPlan {
  const plan: EffectsPlan = {
    outcome: outcomeOf(result),
    start: [],
    timers: [],
    signalWaits: [],
    logs: [],
    dropped: result.dropped,
    ignored: result.ignored,
    toParent:
      result.status === "completed"
        ? { ok: true, value: result.output ?? null }
        : result.status === "failed"
          ? { ok: false, error: workflowErrorJson(self.name, self.id, result.error) }
          : null,
  };
  // A wait or timer the workflow let go of in the activation that made it (an unstored race loser)
  // is never made: it gives up its place at once (SPEC §2.3). Its tasks and children still start.
  const dropped = result.dropped.length > 0 ? new Set(result.dropped) : null;
  for (const e of result.effects) {
    if (dropped && (e.type === "signal" || e.type === "timer") && dropped.has(e.handle)) continue;
    addEffect(plan, e, self, taskDefaults);
  }
  return plan;
}

function outcomeOf(r: ActivationResult): PlannedOutcome {
  if (r.status === "suspended") return { status: "suspended", state: r.state, waits: r.waits };
  if (r.status === "completed") return { status: "completed", output: r.output };
  return { status: "failed", error: r.error, errorAt: r.errorAt };
}

/** Call options as the machine validated them (durations in ms, runAt as epoch ms). */
interface CallOptions {
  queue?: string;
  priority?: number;
  retries?: { limit?: number; initialMs?: number; maxMs?: number; factor?: number };
  timeoutMs?: number;
  runAt?: number;
  idempotencyKey?: string;
  debounce?: DebounceOption;
  concurrency?: Concurrency;
  rateLimit?: RateLimit;
}

function addEffect(plan: EffectsPlan, e: Effect, self: PlanSubject, taskDefaults: TaskDefaults): void {
  switch (e.type) {
    case "task": {
      const o = e.options as CallOptions;
      const registered = taskDefaults(e.name);
      // Retries given with the call are stored, what they leave out taken from the registration;
      // without any, the worker that runs the task decides.
      const r = o.retries;
      plan.start.push({
        kind: "task",
        handle: e.handle,
        name: e.name,
        inputs: e.inputs,
        queue: o.queue ?? registered.queue ?? "default",
        priority: o.priority ?? 0,
        runAt: o.runAt ?? null,
        maxAttempts: r === undefined ? null : r.limit !== undefined ? r.limit + 1 : registered.retries.maxAttempts,
        backoff:
          r === undefined
            ? null
            : {
                initialMs: r.initialMs ?? registered.retries.backoff.initialMs,
                maxMs: r.maxMs ?? registered.retries.backoff.maxMs,
                factor: r.factor ?? registered.retries.backoff.factor,
              },
        timeoutMs: o.timeoutMs ?? null,
        idempotencyKey: o.idempotencyKey ?? null,
        debounce: o.debounce ?? null,
        concurrency: o.concurrency ?? registered.concurrency ?? null,
        rateLimit: o.rateLimit ?? registered.rateLimit ?? null,
      });
      return;
    }
    case "workflow": {
      const o = e.options as CallOptions;
      plan.start.push({
        kind: "workflow",
        handle: e.handle,
        name: e.name,
        inputs: e.inputs,
        queue: o.queue ?? self.queue,
        priority: o.priority ?? 0,
        runAt: o.runAt ?? null,
        idempotencyKey: o.idempotencyKey ?? null,
        debounce: o.debounce ?? null,
        timeoutMs: o.timeoutMs ?? null,
        concurrency: o.concurrency ?? null,
        rateLimit: o.rateLimit ?? null,
      });
      return;
    }
    case "timer":
      plan.timers.push({ handle: e.handle, at: e.at, kind: "timer" });
      return;
    case "signal":
      plan.signalWaits.push({ handle: e.handle, name: e.name });
      if (e.timeoutAt !== null) plan.timers.push({ handle: e.handle, at: e.timeoutAt, kind: "signal-timeout" });
      return;
    case "log":
      plan.logs.push({ level: e.level, message: e.message, line: e.line, source: e.source });
      return;
  }
}

/**
 * The signal rule of SPEC §2.3: for each name, waits take buffered signals in the order both were
 * created — the k-th oldest wait gets the k-th oldest signal. Both lists are given oldest first;
 * the pairs come in wait order. A wait that gave up its place (a dropped handle) is not among the
 * waits any more; a signal that reached one anyway comes back (`ignored`) and is buffered again at
 * its own place. The engine's SQL implements the same rule (SignalsMatch, SignalsSend).
 */
export function pairSignals<W extends { name: string }, S extends { name: string }>(waits: W[], signals: S[]): [W, S][] {
  const byName = new Map<string, S[]>();
  for (const s of signals) {
    const list = byName.get(s.name);
    if (list) list.push(s);
    else byName.set(s.name, [s]);
  }
  const taken = new Map<string, number>();
  const pairs: [W, S][] = [];
  for (const w of waits) {
    const n = taken.get(w.name) ?? 0;
    const s = byName.get(w.name)?.[n];
    if (s === undefined) continue;
    taken.set(w.name, n + 1);
    pairs.push([w, s]);
  }
  return pairs;
}
