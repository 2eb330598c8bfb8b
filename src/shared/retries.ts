// Retries of SPEC §4: a number of retries after the first attempt (default 3), or
// { limit, initial, max, factor } — exponential backoff with equal jitter (defaults 1 s, 5 min, 2) —
// and the one decision made after a failed attempt: retry after how long, or fail for good.

import { durationArgument } from "./durations.js";
import { InvalidArgumentError } from "./rhythm-error.js";

/** Exponential backoff, as stored with a task (`executions.backoff`). */
export interface Backoff {
  initialMs: number;
  maxMs: number;
  factor: number;
}

const DEFAULT_BACKOFF: Backoff = { initialMs: 1000, maxMs: 300_000, factor: 2 };

const DEFAULT_RETRIES = 3;

export type RetriesOption = number | { limit?: number; initial?: number | string; max?: number | string; factor?: number };

export interface RetryPolicy {
  maxAttempts: number;
  backoff: Backoff;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: DEFAULT_RETRIES + 1, backoff: DEFAULT_BACKOFF };

/** Parses a `retries` option given from TypeScript (durations as seconds or "10s"). */
export function retryPolicy(option: RetriesOption | undefined, what: string): RetryPolicy {
  if (option === undefined) return DEFAULT_RETRY_POLICY;
  if (typeof option === "number") {
    if (!Number.isInteger(option) || option < 0)
      throw new InvalidArgumentError(`${what}: retries must be a non-negative integer`);
    return { maxAttempts: option + 1, backoff: DEFAULT_BACKOFF };
  }
  const limit = option.limit ?? DEFAULT_RETRIES;
  if (!Number.isInteger(limit) || limit < 0)
    throw new InvalidArgumentError(`${what}: retries.limit must be a non-negative integer`);
  const factor = option.factor ?? DEFAULT_BACKOFF.factor;
  if (!(factor >= 1)) throw new InvalidArgumentError(`${what}: retries.factor must be >= 1`);
  return {
    maxAttempts: limit + 1,
    backoff: {
      initialMs:
        option.initial === undefined ? DEFAULT_BACKOFF.initialMs : durationArgument(option.initial, `${what}: retries.initial`),
      maxMs: option.max === undefined ? DEFAULT_BACKOFF.maxMs : durationArgument(option.max, `${what}: retries.max`),
      factor,
    },
  };
}

/** Delay before attempt `attempt + 1`, after `attempt` failed: exponential, capped, with jitter. */
function backoffMs(backoff: Backoff, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(backoff.maxMs, backoff.initialMs * backoff.factor ** Math.max(0, attempt - 1));
  // "Equal jitter": between half and all of the delay, so retries of many tasks spread out.
  return Math.round(base / 2 + random() * (base / 2));
}

/**
 * After attempt `attempt` of a task failed: the delay before the next one, or null when it fails
 * for good (attempts used up, or a NonRetryableError). What the task was queued with (`maxAttempts`,
 * `backoff`, null when the call gave none) comes first; the registration of the worker that ran
 * it decides the rest. The one rule for a handler's failure and for an expired lease (and for a
 * mock's in `rhythm run`, whose jitter comes from its seeded `random`).
 */
export function retryDelayMs(
  task: { attempt: number; maxAttempts: number | null; backoff: Backoff | null },
  registered: RetryPolicy,
  retryable = true,
  random: () => number = Math.random,
): number | null {
  if (!retryable || task.attempt >= (task.maxAttempts ?? registered.maxAttempts)) return null;
  return backoffMs(task.backoff ?? registered.backoff, task.attempt, random);
}
