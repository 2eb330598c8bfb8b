// Runs one claimed task attempt: the handler gets its context (AbortSignal, heartbeat, log); the
// lease is kept alive while it runs (or bounded by the task's timeout); the outcome is recorded
// with retries, backoff and jitter, or a NonRetryableError failing at once.

import { errorData, taskErrorJson } from "../vm/errors.js";
import type { Claimed, Store } from "../store/store.js";
import type { Registration } from "./registry.js";
import { backoffMs, duration, retryPolicy } from "./retry-policy.js";

export const DEFAULT_LEASE_MS = 60_000;

export interface RunningTask {
  controller: AbortController;
  /** Settles when the handler has returned or thrown (its outcome may still be being written). */
  handlerDone: Promise<void>;
  /** Settles when the outcome is recorded. */
  done: Promise<void>;
}

export function startTask(
  store: Store,
  reg: Registration,
  claimed: Claimed,
  onLog: (message: string) => Promise<unknown>,
  /** Records a successful attempt (a worker's group commit); false when the claim is gone. */
  complete: (output: unknown) => Promise<boolean> = (output) => store.completeTask(claimed.id, claimed.claim_token, output),
): RunningTask {
  const controller = new AbortController();
  // What the call did not set, the registration of this worker decides.
  const registered = retryPolicy(reg.options.retries, `task "${reg.name}"`);
  const maxAttempts = claimed.max_attempts ?? registered.maxAttempts;
  const backoff = claimed.backoff ?? registered.backoff;
  const registeredTimeout =
    reg.options.timeout === undefined ? null : duration(reg.options.timeout, `task "${reg.name}": timeout`);
  const timeoutMs = claimed.timeout_ms ?? registeredTimeout;
  const leaseMs = timeoutMs ?? DEFAULT_LEASE_MS;
  // the claim's lease used the default length: make it the registration's timeout at once
  if (claimed.timeout_ms === null && timeoutMs !== null)
    void store.heartbeat(claimed.id, claimed.claim_token, timeoutMs).catch(() => {});
  let deadline: NodeJS.Timeout | null = null;
  let renew: NodeJS.Timeout | null = null;
  const armDeadline = () => {
    if (timeoutMs === null) return;
    if (deadline) clearTimeout(deadline);
    deadline = setTimeout(() => controller.abort(new TaskTimeoutError(timeoutMs)), timeoutMs);
  };
  armDeadline();
  // Without a timeout the lease is renewed while the handler runs, so only a dead worker loses it.
  if (timeoutMs === null) {
    renew = setInterval(() => {
      store.heartbeat(claimed.id, claimed.claim_token, leaseMs).then(
        (h) => {
          if (!h.held || h.cancelRequested) controller.abort(new TaskCancelledError());
        },
        () => {},
      );
    }, leaseMs / 3);
  }
  // Log lines are written one after another (so they keep their order on a connection pool), and
  // the outcome is recorded only once they are in: a finished task's log is complete.
  let logged: Promise<unknown> = Promise.resolve();
  const ctx = {
    executionId: claimed.id,
    attempt: claimed.attempt,
    parentId: claimed.parent_id,
    signal: controller.signal,
    heartbeat: async () => {
      const h = await store.heartbeat(claimed.id, claimed.claim_token, leaseMs);
      if (!h.held || h.cancelRequested) controller.abort(new TaskCancelledError());
      else armDeadline();
    },
    log: (message: string) => {
      logged = logged.then(() => onLog(message)).catch(() => {});
    },
  };
  let markHandlerDone: () => void = () => {};
  const handlerDone = new Promise<void>((resolve) => (markHandlerDone = resolve));
  const done = (async () => {
    let outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
    try {
      const value = await raceAbort(
        Promise.resolve().then(() => reg.handler(claimed.inputs, ctx)),
        controller.signal,
      );
      outcome = { ok: true, value: jsonSafe(value) };
    } catch (e) {
      outcome = { ok: false, error: e };
    } finally {
      if (deadline) clearTimeout(deadline);
      if (renew) clearInterval(renew);
      markHandlerDone();
    }
    await logged;
    if (controller.signal.aborted && controller.signal.reason instanceof TaskCancelledError) return; // nothing to record
    if (outcome.ok) {
      await complete(outcome.value);
      return;
    }
    const error = errorData(outcome.error);
    const retryable = !(outcome.error as { nonRetryable?: boolean })?.nonRetryable;
    const retry = retryable && claimed.attempt < maxAttempts;
    await store.failTask(
      claimed.id,
      claimed.claim_token,
      { ...error, attempt: claimed.attempt },
      retry ? backoffMs(backoff, claimed.attempt) : null,
      (attempts) => taskErrorJson(claimed.name, attempts, error),
    );
  })();
  return { controller, handlerDone, done };
}

/** A handler that ignores its AbortSignal still lets the attempt end when the signal fires. */
function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
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

export class TaskTimeoutError extends Error {
  constructor(ms: number) {
    super(`the attempt ran longer than its timeout of ${ms} ms`);
    this.name = "Timeout";
  }
}

export class TaskCancelledError extends Error {
  constructor() {
    super("the task was cancelled (or its claim was lost)");
    this.name = "Cancelled";
  }
}
