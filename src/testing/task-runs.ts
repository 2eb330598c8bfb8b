// Tasks in the in-memory host as the engine runs them: an attempt calls the task's mock (the
// next of its list: one counter per task name, as a handler is called once per attempt); a failed
// attempt is retried per the call's `retries` (on the virtual clock, jitter from the host's seeded
// random), or settles every handle awaiting the task with its TaskError. A function mock slower
// than the call's `timeout` fails its attempt with the engine's Timeout error.

import type { Concurrency, RateLimit } from "../shared/flow-control.js";
import { attemptTimeoutError } from "../shared/flow-errors.js";
import { retryDelayMs, type Backoff, type RetryPolicy } from "../shared/retries.js";
import type { TaskStart } from "../vm/effects-plan.js";
import { errorData, taskErrorJson } from "../vm/errors.js";
import type { Settlement } from "../vm/machine.js";
import { mockOutcome, type TaskMock, type TaskOutcome } from "./mocks.js";

/** A handle waiting for a task: the caller's, or that of a call that found its idempotency key taken. */
export interface Waiter {
  executionId: string;
  handle: number;
}

/** One task: its attempts so far, who awaits it, and how it ended. */
export interface TaskRun {
  id: string;
  name: string;
  inputs: unknown;
  parentId: string;
  /** Whose handles its outcome settles, the caller's first. */
  waiters: Waiter[];
  /** Attempts started so far. */
  attempt: number;
  /** From the call's `retries`; without them a mock runs once (`rhythm run` has no registration). */
  maxAttempts: number;
  backoff: Backoff | null;
  timeoutMs: number | null;
  /** Each attempt takes a slot of this key and counts against this rate limit (flow-gates.ts). */
  concurrency: Concurrency | null;
  rateLimit: RateLimit | null;
  /** Its final settlement (without a handle), once it ended. */
  settled: { ok: true; value: unknown } | { ok: false; error: unknown } | null;
}

/** Without retries given with the call, the mock runs once; with them, the registration's defaults fill the rest. */
const NO_RETRIES: RetryPolicy = { maxAttempts: 1, backoff: { initialMs: 1000, maxMs: 300_000, factor: 2 } };

export function taskRunOf(id: string, start: TaskStart, parent: Waiter): TaskRun {
  return {
    id,
    name: start.name,
    inputs: start.inputs,
    parentId: parent.executionId,
    waiters: [parent],
    attempt: 0,
    maxAttempts: start.maxAttempts ?? NO_RETRIES.maxAttempts,
    backoff: start.backoff,
    timeoutMs: start.timeoutMs,
    concurrency: start.concurrency,
    rateLimit: start.rateLimit,
    settled: null,
  };
}

/** Runs the next attempt of `run`: its outcome, once the mock answers (`count`: the mock's 0-based call number). */
export function attemptOf(run: TaskRun, mock: TaskMock | undefined, count: number): Promise<TaskOutcome> {
  run.attempt++;
  const ctx = { executionId: run.id, attempt: run.attempt, parentId: run.parentId };
  const outcome = mockOutcome(mock, run.name, run.inputs, count, ctx);
  const ms = run.timeoutMs;
  if (ms === null || typeof mock !== "function") return outcome;
  // a handler slower than its timeout: the engine aborts it and records its Timeout
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<TaskOutcome>((resolve) => {
    timer = setTimeout(() => {
      const { message, ...fields } = attemptTimeoutError(ms);
      resolve({ ok: false, error: errorData(Object.assign(new Error(message), fields)) });
    }, ms);
  });
  return Promise.race([outcome, timedOut]).finally(() => clearTimeout(timer));
}

/**
 * What follows an attempt's outcome: `retryInMs` before the next attempt, or the task's final
 * settlement (a TaskError after the last failed attempt, or a NonRetryableError's first).
 */
export function afterAttempt(
  run: TaskRun,
  outcome: TaskOutcome,
  random: () => number,
): { retryInMs: number } | { settled: NonNullable<TaskRun["settled"]> } {
  if (outcome.ok) return { settled: { ok: true, value: outcome.value } };
  const retryable = outcome.error.nonRetryable !== true;
  const retryInMs = retryDelayMs(
    { attempt: run.attempt, maxAttempts: run.maxAttempts, backoff: run.backoff },
    NO_RETRIES,
    retryable,
    random,
  );
  if (retryInMs !== null) return { retryInMs };
  return { settled: { ok: false, error: taskErrorJson(run.name, run.attempt, outcome.error) } };
}

/** The settlement of `waiter`'s handle by a task (or child) that ended with `settled`. */
export function settlementFor(waiter: Waiter, settled: NonNullable<TaskRun["settled"]>): Settlement {
  return settled.ok
    ? { handle: waiter.handle, ok: true, value: settled.value }
    : { handle: waiter.handle, ok: false, error: settled.error };
}
