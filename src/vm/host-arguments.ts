// The rules for the arguments of Task.run, Workflow.run, Timer, Signal and Promise.*: what a call
// checks before it queues anything, written once for the natives (at run time) and for
// `rhythm check` (before running, on what the source gives as literals). A value the check cannot
// know is skipped: `known` says which, and `now` is null when there is no clock yet.

import { readConcurrency, readRateLimit } from "../shared/flow-control.js";
import { stringProblem } from "../shared/json-check.js";
import { durationMs } from "./durations.js";
import { debounceOption, refuseWithDebounce } from "./flow-control-options.js";
import type { CallOptions } from "./machine.js";
import { isFlowObject, throwTypeError, type FlowObject, type Value } from "./values.js";

/** Which values are known: all of them at run time; only literals before running. */
export type Known = (v: Value) => boolean;

export const ALL_KNOWN: Known = () => true;

export function describeType(v: Value): string {
  if (v === null) return "null";
  if (v === "" || (typeof v === "string" && v.trim() === "")) return "an empty string";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : typeof v;
}

/** Names and keys are stored in text columns and travel in NOTIFY payloads: the API's rules. */
const MAX_NAME_LENGTH = 255;

export function requireName(v: Value, what: string): string {
  if (typeof v !== "string" || v.trim() === "") throwTypeError(`${what} must be a non-empty string, got ${describeType(v)}`);
  if (v.length > MAX_NAME_LENGTH) throwTypeError(`${what} is ${v.length} characters long, over the limit of ${MAX_NAME_LENGTH}`);
  const problem = stringProblem(v);
  if (problem) throwTypeError(`${what} ${problem.replace(/ in JSON$/, "")}`);
  return v;
}

/** Priorities and timeouts (ms) are stored as 32-bit integers; times must fit Postgres and Date. */
const INT32_MAX = 2 ** 31 - 1;
const LATEST_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

export function requireTime(ms: number, what: string): number {
  if (!(ms >= 0 && ms <= LATEST_TIME))
    throwTypeError(`${what} is out of range: give a time between 1970 and the end of year 9999`);
  return ms;
}

export function timeMs(v: Value, what: string): number {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string") {
    const t = Date.parse(v);
    if (!Number.isNaN(t)) return t;
  }
  return throwTypeError(
    `${what} must be an ISO time string or epoch milliseconds, got ${typeof v === "string" ? JSON.stringify(v) : describeType(v)}`,
  );
}

/** Timer.until's time: epoch ms (a time before 1970 has passed just as surely: 0). */
export function untilTime(v: Value, what: string): number {
  const at = timeMs(v, what);
  // past year 9999 nothing can store it
  return at < 0 ? 0 : requireTime(at, what);
}

export const TASK_OPTIONS: ReadonlySet<string> = new Set([
  "queue",
  "priority",
  "retries",
  "timeout",
  "runAt",
  "delay",
  "idempotencyKey",
  "debounce",
  "concurrency",
  "rateLimit",
]);
export const WORKFLOW_OPTIONS: ReadonlySet<string> = new Set([
  "queue",
  "priority",
  "runAt",
  "delay",
  "idempotencyKey",
  "debounce",
  "timeout",
  "concurrency",
  "rateLimit",
]);
const RETRIES_FIELDS = ["limit", "initial", "max", "factor"];

/**
 * Validates call options and returns them normalized: durations in ms, `runAt` as epoch ms (a
 * `delay` becomes one only when `now` is given).
 */
export function callOptions(
  v: Value,
  allowed: ReadonlySet<string>,
  fn: string,
  now: number | null,
  known = ALL_KNOWN,
): CallOptions {
  const out: CallOptions = {};
  if (v === undefined || v === null || !known(v)) return out;
  if (!isFlowObject(v)) throwTypeError(`${fn}: options must be an object, got ${describeType(v)}`);
  const o = v as FlowObject;
  for (const k of Object.keys(o)) {
    if (!allowed.has(k)) throwTypeError(`${fn}: unknown option "${k}" (allowed: ${[...allowed].join(", ")})`);
  }
  const given = (k: string): boolean => o[k] !== undefined && known(o[k]);
  if (given("queue")) out.queue = requireName(o.queue, `${fn}: option "queue"`);
  if (given("priority")) {
    if (typeof o.priority !== "number" || !Number.isInteger(o.priority) || Math.abs(o.priority) > INT32_MAX)
      throwTypeError(
        typeof o.priority === "number" && Number.isInteger(o.priority)
          ? `${fn}: option "priority" is out of range: give an integer between -${INT32_MAX} and ${INT32_MAX}`
          : `${fn}: option "priority" must be an integer`,
      );
    out.priority = o.priority;
  }
  if (given("retries")) out.retries = retries(o.retries, fn, known);
  if (given("timeout")) {
    out.timeoutMs = durationMs(o.timeout, `${fn}: option "timeout"`);
    if (out.timeoutMs === 0) throwTypeError(`${fn}: option "timeout" must be more than 0 ms: no attempt could finish within it`);
    if ((out.timeoutMs as number) > INT32_MAX)
      throwTypeError(`${fn}: option "timeout" is out of range: at most ${INT32_MAX} ms (about 24 days)`);
  }
  if (o.runAt !== undefined && o.delay !== undefined) throwTypeError(`${fn}: give either "runAt" or "delay", not both`);
  if (given("runAt")) out.runAt = requireTime(timeMs(o.runAt, `${fn}: option "runAt"`), `${fn}: option "runAt"`);
  if (given("delay")) {
    const delay = durationMs(o.delay, `${fn}: option "delay"`);
    if (now !== null) out.runAt = requireTime(now + delay, `${fn}: option "delay" (from now)`);
  }
  if (given("idempotencyKey")) out.idempotencyKey = requireName(o.idempotencyKey, `${fn}: option "idempotencyKey"`);
  refuseWithDebounce(o, fn);
  if (given("debounce")) {
    const d = debounceOption(o.debounce, fn, known, requireName);
    if (d) out.debounce = d;
  }
  flowControl(o, fn, known, out);
  return out;
}

/** `concurrency` and `rateLimit` (shared/flow-control.ts has the rules); a field not known is skipped. */
function flowControl(o: FlowObject, fn: string, known: Known, out: CallOptions): void {
  const fail = (message: string): never => throwTypeError(`${fn}: ${message}`);
  const isKnown = (v: unknown) => known(v as Value);
  if (o.concurrency !== undefined && known(o.concurrency)) {
    if (!isFlowObject(o.concurrency)) fail(`option "concurrency" must be an object { key, limit }`);
    const c = readConcurrency(o.concurrency, "concurrency", fail, isKnown);
    if (c.key !== null) out.concurrency = { key: c.key, limit: c.limit };
  }
  if (o.rateLimit !== undefined && known(o.rateLimit)) {
    if (!isFlowObject(o.rateLimit)) fail(`option "rateLimit" must be an object { key, limit, per }`);
    const r = readRateLimit(o.rateLimit, "rateLimit", fail, isKnown);
    if (r.key !== null && r.limit !== null && r.perMs !== null) out.rateLimit = { key: r.key, limit: r.limit, perMs: r.perMs };
  }
}

function retries(v: Value, fn: string, known: Known): unknown {
  if (typeof v === "number") {
    if (!Number.isInteger(v) || v < 0 || v >= INT32_MAX)
      throwTypeError(`${fn}: option "retries" must be a non-negative integer below ${INT32_MAX}`);
    return { limit: v };
  }
  if (!isFlowObject(v)) return throwTypeError(`${fn}: option "retries" must be a number or { limit, initial, max, factor }`);
  const r = v as FlowObject;
  const out: Record<string, number> = {};
  for (const k of Object.keys(r)) {
    if (!RETRIES_FIELDS.includes(k)) throwTypeError(`${fn}: unknown retries field "${k}"`);
  }
  const given = (k: string): boolean => r[k] !== undefined && known(r[k]);
  if (given("limit")) {
    if (typeof r.limit !== "number" || !Number.isInteger(r.limit) || r.limit < 0 || r.limit >= INT32_MAX)
      throwTypeError(`${fn}: retries.limit must be a non-negative integer below ${INT32_MAX}`);
    out.limit = r.limit;
  }
  if (given("initial")) out.initialMs = durationMs(r.initial, `${fn}: retries.initial`);
  if (given("max")) out.maxMs = durationMs(r.max, `${fn}: retries.max`);
  if (given("factor")) {
    if (typeof r.factor !== "number" || !(r.factor >= 1)) throwTypeError(`${fn}: retries.factor must be a number >= 1`);
    out.factor = r.factor;
  }
  return out;
}

/** Workflow.run's inputs: an object (or nothing). */
export function requireWorkflowInputs(v: Value, fn: string): void {
  if (v !== undefined && v !== null && !isFlowObject(v)) {
    throwTypeError(`${fn}: the inputs must be an object, got ${describeType(v)}`);
  }
}

/** Signal.when's options: `{ timeout }`, required; returns the timeout as given. */
export function signalWhenTimeout(options: Value, fn: string): Value {
  if (!isFlowObject(options) || (options as FlowObject).timeout === undefined) {
    throwTypeError(`${fn}: options { timeout } are required (use Signal.next to wait without a timeout)`);
  }
  for (const k of Object.keys(options as FlowObject)) {
    if (k !== "timeout") throwTypeError(`${fn}: unknown option "${k}" (allowed: timeout)`);
  }
  return (options as FlowObject).timeout;
}

/** Promise.all/allSettled/any/race take an array or an object of handles and values. */
export function requireCombinable(kind: string, source: Value): void {
  if (!Array.isArray(source) && !isFlowObject(source)) {
    throwTypeError(`Promise.${kind} expects an array or an object of handles, got ${source === null ? "null" : typeof source}`);
  }
}
