// Runs one claimed task attempt: the handler gets its context (AbortSignal, heartbeat, log); the
// lease is kept alive while it runs (or bounded by the task's timeout); the outcome is recorded
// with retries, backoff and jitter, or a NonRetryableError failing at once.

import { durationArgument as duration } from "../shared/durations.js";
import { attemptCancelledError, attemptTimeoutError } from "../shared/flow-errors.js";
import { retryDelayMs, retryPolicy, type RetryPolicy } from "../shared/retries.js";
import type { Store } from "../store/store.js";
import type { Claimed } from "../store/types.js";
import { errorData, taskErrorJson } from "../vm/errors.js";
import type { LeaseHolder, LeaseRenewal } from "./lease-renewal.js";
import type { Registration, TaskContext } from "./registry.js";
import { WorkerTelemetry, type AttemptOutcome, type AttemptTelemetry } from "./telemetry.js";

export const DEFAULT_LEASE_MS = 60_000;

export interface RunningTask {
  /** Ends the attempt: its AbortSignal fires with `reason`, and a handler that ignores it is no
   * longer waited for. A TaskCancelledError records nothing; any other reason fails the attempt. */
  abort(reason: Error): void;
  /** Settles (never rejects) when the outcome is recorded, or could not be: see TaskHooks.ended. */
  done: Promise<void>;
}

/**
 * What the worker does around its attempts: one object for all of them, told which attempt each
 * call is about by the `slot` the worker gave it (closures and promise chains per attempt were a
 * third of the worker's garbage).
 */
export interface TaskHooks<S> {
  /** Writes a log line of the attempt. */
  log(slot: S, claimed: Claimed, message: string): Promise<unknown>;
  /** Records a successful attempt (a worker's group commit); false when the claim is gone. */
  complete(slot: S, claimed: Claimed, output: unknown): Promise<boolean>;
  /** The handler returned or threw (its outcome may still be being written). */
  handlerDone(slot: S): void;
  /** The attempt is over: its outcome recorded, or `error` when that failed. */
  ended(slot: S, error: unknown): void;
  /** Renews the lease of an attempt without a timeout while it runs. */
  renewal: LeaseRenewal;
  /** The attempt's span and metrics. */
  telemetry: WorkerTelemetry;
}

/** What the registration decides when the call did not: read once per registration, not per attempt. */
interface Defaults extends RetryPolicy {
  timeoutMs: number | null;
}

const defaults = new WeakMap<Registration, Defaults>();

function defaultsOf(reg: Registration): Defaults {
  let d = defaults.get(reg);
  if (!d) {
    const registered = retryPolicy(reg.options.retries, `task "${reg.name}"`);
    d = {
      ...registered,
      timeoutMs: reg.options.timeout === undefined ? null : duration(reg.options.timeout, `task "${reg.name}": timeout`),
    };
    defaults.set(reg, d);
  }
  return d;
}

/**
 * One attempt, made to leave little garbage and no timer of its own (S1 worker CPU 42 → 30 µs per
 * task: docs/benchmarks.md). Its AbortController is made only when the handler reads `ctx.signal`
 * (most never do; one cost ~2.5 µs): an abort before that is kept as `reason` and given to the
 * signal when it is made.
 */
class Attempt<S> implements RunningTask, LeaseHolder {
  readonly id: string;
  readonly token: string;
  renewedAt = Date.now();
  done: Promise<void>;
  private reason: Error | null = null;
  private controller: AbortController | null = null;
  /** Ends the handler's race with the abort (see run). */
  private rejectRun: ((e: unknown) => void) | null = null;
  private deadline: NodeJS.Timeout | null = null;
  /** The last log line's write: lines go one after another, so they keep their order on a pool. */
  private logged: Promise<unknown> | null = null;
  private readonly timeoutMs: number | null;
  private readonly telemetry: AttemptTelemetry;
  private ranFor = 0;

  constructor(
    private readonly store: Store,
    private readonly reg: Registration,
    readonly claimed: Claimed,
    private readonly hooks: TaskHooks<S>,
    private readonly slot: S,
  ) {
    this.id = claimed.id;
    this.token = claimed.claim_token;
    this.telemetry = hooks.telemetry.attemptStarted(claimed);
    // What the call did not set, the registration of this worker decides.
    const registered = defaultsOf(reg);
    this.timeoutMs = claimed.timeout_ms ?? registered.timeoutMs;
    // the claim's lease used the default length: make it the registration's timeout at once
    if (claimed.timeout_ms === null && this.timeoutMs !== null)
      void store.heartbeat(claimed.id, claimed.claim_token, this.timeoutMs).catch(() => {});
    this.armDeadline();
    // Without a timeout the lease is renewed while the handler runs, so only a dead worker loses it.
    if (this.timeoutMs === null) hooks.renewal.add(this);
    this.done = this.run().then(
      (value) => this.afterHandler(true, value, registered),
      (error: unknown) => this.afterHandler(false, error, registered),
    );
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.reason) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  abort(reason: Error): void {
    // like AbortController: the first reason stays
    if (this.reason) return;
    this.reason = reason;
    this.controller?.abort(reason);
    this.rejectRun?.(reason);
  }

  lost(): void {
    this.abort(new TaskCancelledError());
  }

  private armDeadline(): void {
    const ms = this.timeoutMs;
    if (ms === null) return;
    if (this.deadline) clearTimeout(this.deadline);
    this.deadline = setTimeout(() => this.abort(new TaskTimeoutError(ms)), ms);
  }

  async heartbeat(): Promise<void> {
    const h = await this.store.heartbeat(this.id, this.token, this.timeoutMs ?? DEFAULT_LEASE_MS);
    if (!h.held || h.cancelRequested) this.abort(new TaskCancelledError());
    else this.armDeadline();
  }

  /** The outcome is recorded only once the log lines are in: a finished task's log is complete. */
  log(message: string): void {
    this.logged = (this.logged ?? Promise.resolve()).then(() => this.hooks.log(this.slot, this.claimed, message)).catch(() => {});
  }

  /**
   * The handler's result, or its error, or the abort's reason if that comes first. The handler is
   * called at once (a synchronous throw fails the attempt like a rejection); what follows it
   * always runs later, from a promise reaction.
   */
  private run(): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.rejectRun = reject;
      let result: unknown;
      try {
        result = WorkerTelemetry.within(this.telemetry, () => this.reg.handler(this.claimed.inputs, new Context(this)));
      } catch (e) {
        reject(e);
        return;
      }
      if (isThenable(result)) result.then(resolve, reject);
      else resolve(result);
    });
  }

  /**
   * After the handler: the attempt's timers stop, its slot is given back, and its outcome is
   * recorded. Promise reactions rather than an async function: its suspended frame was the
   * largest piece of garbage an attempt left (~1.5 KB).
   */
  private afterHandler(ok: boolean, result: unknown, registered: Defaults): Promise<void> {
    let value: unknown = null;
    if (ok) {
      try {
        value = jsonSafe(result);
      } catch (e) {
        ok = false;
        result = e;
      }
    }
    if (this.deadline) clearTimeout(this.deadline);
    if (this.timeoutMs === null) this.hooks.renewal.delete(this);
    this.ranFor = this.hooks.telemetry.handlerEnded(this.telemetry);
    this.hooks.handlerDone(this.slot);
    const recorded = this.logged
      ? this.logged.then(() => this.record(ok, value, result, registered))
      : this.record(ok, value, result, registered);
    return recorded.then(
      () => this.hooks.ended(this.slot, null),
      (e: unknown) => this.hooks.ended(this.slot, e),
    );
  }

  private record(ok: boolean, value: unknown, thrown: unknown, registered: Defaults): Promise<unknown> {
    try {
      // cancelled: nothing to record
      if (this.reason instanceof TaskCancelledError) {
        this.ended("cancelled", null);
        return Promise.resolve();
      }
      if (ok) {
        this.ended("completed", null);
        return this.hooks.complete(this.slot, this.claimed, value);
      }
      const c = this.claimed;
      const { error, retryable } = readThrown(thrown);
      const retry = retryDelayMs({ attempt: c.attempt, maxAttempts: c.max_attempts, backoff: c.backoff }, registered, retryable);
      // a task that fails for good is a TaskError for the workflows awaiting it (its parent, and
      // any that found its idempotency key taken, now or later)
      const parentError = retry === null ? taskErrorJson(c.name, c.attempt, error) : null;
      this.ended(retry === null ? "failed" : "retry", thrown);
      return this.store.failTask(c.id, c.claim_token, { ...error, attempt: c.attempt }, retry, parentError);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  private ended(outcome: AttemptOutcome, error: unknown): void {
    this.hooks.telemetry.attemptEnded(this.telemetry, this.claimed, this.ranFor, outcome, error);
  }
}

/**
 * What a handler threw, as stored data, and whether it may be retried. Any value may be thrown —
 * a Proxy whose every trap throws included — and the attempt's failure is still recorded now
 * (an error escaping here was recorded as LeaseExpired when the lease ran out).
 */
function readThrown(thrown: unknown): { error: Record<string, unknown>; retryable: boolean } {
  let error: Record<string, unknown>;
  try {
    error = errorData(thrown);
  } catch {
    error = { name: "Error", message: "the task threw a value that could not be read" };
  }
  let retryable = true;
  try {
    retryable = !(thrown as { nonRetryable?: boolean })?.nonRetryable;
  } catch {
    // a value whose getters throw says nothing of itself: the attempt is retried as usual
  }
  return { error, retryable };
}

/**
 * The handler's `ctx`. `signal` is a getter (on the prototype) that makes the AbortController on
 * first use; an object literal with that getter cost ~0.7 KB per attempt.
 */
class Context implements TaskContext {
  readonly executionId: string;
  readonly attempt: number;
  readonly parentId: string | null;
  readonly heartbeat: () => Promise<void>;
  readonly log: (message: string) => void;

  constructor(private readonly owner: Attempt<unknown>) {
    this.executionId = owner.claimed.id;
    this.attempt = owner.claimed.attempt;
    this.parentId = owner.claimed.parent_id;
    // own functions, so that `const { log } = ctx` works
    this.heartbeat = () => owner.heartbeat();
    this.log = (message) => owner.log(message);
  }

  get signal(): AbortSignal {
    return this.owner.signal;
  }
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (typeof v === "object" || typeof v === "function") && v !== null && typeof (v as { then?: unknown }).then === "function";
}

export function startTask<S>(store: Store, reg: Registration, claimed: Claimed, hooks: TaskHooks<S>, slot: S): RunningTask {
  return new Attempt(store, reg, claimed, hooks, slot);
}

/**
 * Handler results leave as JSON. A value JSON cannot write (BigInt, cycle) fails the attempt at
 * once: the handler would return it again. (Handlers registered with rhythm.task are checked
 * more fully, size and depth included, before they get here.)
 */
function jsonSafe(v: unknown): unknown {
  let text: string | undefined;
  try {
    text = JSON.stringify(v);
  } catch (e) {
    const error = new Error(`the task's result cannot be written as JSON: ${e instanceof Error ? e.message : String(e)}`);
    throw Object.assign(error, { name: "InvalidTaskResultError", nonRetryable: true });
  }
  return text === undefined ? null : JSON.parse(text);
}

/** The reason an attempt that ran past its timeout is aborted with, and fails with (`Timeout`). */
class TaskTimeoutError extends Error {
  constructor(ms: number) {
    const { message, ...fields } = attemptTimeoutError(ms);
    super(message);
    Object.assign(this, fields);
  }
}

/** The reason a cancelled attempt (or one whose claim was lost) is aborted with: nothing is recorded. */
export class TaskCancelledError extends Error {
  constructor() {
    const { message, ...fields } = attemptCancelledError();
    super(message);
    Object.assign(this, fields);
  }
}
