// Checks of the flow-control options of SPEC §9 that this helper owns: a workflow's `timeout`
// and `debounce: { key, delay, maxWait? }` (workflows and tasks). The same rules as Task.run /
// Workflow.run in a .flow (vm/flow-control-options.ts); a bad value is an InvalidArgumentError.

import { durationArgument as duration } from "../shared/durations.js";
import type { Debounce } from "../store/types.js";
import { InvalidArgumentError } from "./errors.js";
import { requireName } from "./enqueue-checks.js";

/** `debounce` of startWorkflow / queueTask (SPEC §9). */
export interface DebounceOptions {
  /** Starts with the same key (and kind and name) while the first has not started are one execution. */
  key: string;
  /** Each start moves the run to now + delay (seconds, or "500ms", "10s"). */
  delay: number | string;
  /** Never later than this after the first start of the window. */
  maxWait?: number | string;
}

const INT32_MAX = 2 ** 31 - 1;

function limitedMs(value: number | string, what: string): number {
  const ms = duration(value, what);
  if (ms > INT32_MAX) throw new InvalidArgumentError(`${what} must be at most ${INT32_MAX} ms (about 24 days)`);
  return ms;
}

/** A workflow's `timeout` in ms (null when not given). */
export function runTimeoutMs(timeout: number | string | undefined, what: string): number | null {
  return timeout === undefined ? null : limitedMs(timeout, `${what}: timeout`);
}

/**
 * The debounce of an enqueue, checked (null when not given). Debounce decides when the run
 * starts and which execution a start is, so runAt, delay and idempotencyKey are refused with it.
 */
export function debounceOf(
  o: { debounce?: DebounceOptions; runAt?: unknown; delay?: unknown; idempotencyKey?: unknown },
  what: string,
): Debounce | null {
  const d = o.debounce;
  if (d === undefined) return null;
  if (d === null || typeof d !== "object" || Array.isArray(d))
    throw new InvalidArgumentError(`${what}: debounce must be an object { key, delay, maxWait? }`);
  for (const k of Object.keys(d))
    if (!["key", "delay", "maxWait"].includes(k))
      throw new InvalidArgumentError(`${what}: unknown debounce field "${k}" (allowed: key, delay, maxWait)`);
  for (const k of ["runAt", "delay", "idempotencyKey"] as const)
    if (o[k] !== undefined) throw new InvalidArgumentError(`${what}: debounce cannot be combined with ${k}`);
  requireName(d.key, `${what}: debounce.key`);
  if (d.delay === undefined) throw new InvalidArgumentError(`${what}: debounce needs a delay`);
  const delayMs = limitedMs(d.delay, `${what}: debounce.delay`);
  const maxWaitMs = d.maxWait === undefined ? null : limitedMs(d.maxWait, `${what}: debounce.maxWait`);
  if (maxWaitMs !== null && maxWaitMs < delayMs)
    throw new InvalidArgumentError(`${what}: debounce.maxWait (${maxWaitMs} ms) must be at least debounce.delay (${delayMs} ms)`);
  return { key: d.key, delayMs, maxWaitMs };
}
