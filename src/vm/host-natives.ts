// Natives that reach outside the pure value world: they create host handles and record effects
// (Task, Workflow, Timer, Signal), combine handles (Promise.*), log, or read the host's clock and
// randomness. Pure natives live in stdlib/; `callNative` dispatches to either.

import { durationMs } from "./durations.js";
import { stringProblem } from "../shared/json-check.js";
import { toJson } from "./json.js";
import type { CallOptions, Machine } from "./machine.js";
import { startCombinator } from "./promises.js";
import { formatLog, natives } from "./stdlib/index.js";
import { registerMembers } from "./stdlib/members.js";
import {
  FlowThrow,
  NativeFunction,
  isFlowObject,
  makeError,
  newObject,
  throwTypeError,
  type FlowObject,
  type Value,
} from "./values.js";

type HostNative = (m: Machine, thisValue: Value, args: Value[]) => Value;

const hostNatives = new Map<string, HostNative>();

function define(namespace: string, name: string, fn: HostNative): void {
  const id = `${namespace}.${name}`;
  hostNatives.set(id, fn);
  registerMembers(namespace, { [name]: new NativeFunction(id) });
}

export function callNative(m: Machine, id: string, thisValue: Value, args: Value[]): Value {
  const host = hostNatives.get(id);
  if (host) return host(m, thisValue, args);
  const pure = natives.get(id);
  if (pure) return pure(m, thisValue, args);
  return throwTypeError(`${id} is not a function`);
}

// ── option checking ──────────────────────────────────────────────────────────────────────────

function describeType(v: Value): string {
  if (v === null) return "null";
  if (v === "" || (typeof v === "string" && v.trim() === "")) return "an empty string";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : typeof v;
}

/** Names and keys are stored in text columns and travel in NOTIFY payloads: the API's rules. */
const MAX_NAME_LENGTH = 255;

function requireName(v: Value, what: string): string {
  if (typeof v !== "string" || v.trim() === "") throwTypeError(`${what} must be a non-empty string, got ${describeType(v)}`);
  if (v.length > MAX_NAME_LENGTH) throwTypeError(`${what} is ${v.length} characters long, over the limit of ${MAX_NAME_LENGTH}`);
  const problem = stringProblem(v);
  if (problem) throwTypeError(`${what} ${problem.replace(/ in JSON$/, "")}`);
  return v;
}

/** Priorities and timeouts (ms) are stored as 32-bit integers; times must fit Postgres and Date. */
const INT32_MAX = 2 ** 31 - 1;
const LATEST_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

function requireTime(ms: number, what: string): number {
  if (!(ms >= 0 && ms <= LATEST_TIME))
    throwTypeError(`${what} is out of range: give a time between 1970 and the end of year 9999`);
  return ms;
}

function timeMs(m: Machine, v: Value, what: string): number {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string") {
    const t = Date.parse(v);
    if (!Number.isNaN(t)) return t;
  }
  return throwTypeError(
    `${what} must be an ISO time string or epoch milliseconds, got ${typeof v === "string" ? JSON.stringify(v) : describeType(v)}`,
  );
}

const TASK_OPTIONS = new Set(["queue", "priority", "retries", "timeout", "runAt", "delay", "idempotencyKey"]);
const WORKFLOW_OPTIONS = new Set(["queue", "priority", "runAt", "delay", "idempotencyKey"]);

/** Validates call options and returns them normalized: durations in ms, `runAt` as epoch ms. */
function callOptions(m: Machine, v: Value, allowed: Set<string>, fn: string): CallOptions {
  const out: CallOptions = {};
  if (v === undefined || v === null) return out;
  if (!isFlowObject(v)) throwTypeError(`${fn}: options must be an object, got ${describeType(v)}`);
  const o = v as FlowObject;
  for (const k of Object.keys(o)) {
    if (!allowed.has(k)) throwTypeError(`${fn}: unknown option "${k}" (allowed: ${[...allowed].join(", ")})`);
  }
  if (o.queue !== undefined) out.queue = requireName(o.queue, `${fn}: option "queue"`);
  if (o.priority !== undefined) {
    if (typeof o.priority !== "number" || !Number.isInteger(o.priority) || Math.abs(o.priority) > INT32_MAX)
      throwTypeError(
        typeof o.priority === "number" && Number.isInteger(o.priority)
          ? `${fn}: option "priority" is out of range: give an integer between -${INT32_MAX} and ${INT32_MAX}`
          : `${fn}: option "priority" must be an integer`,
      );
    out.priority = o.priority;
  }
  if (o.retries !== undefined) out.retries = retries(o.retries, fn);
  if (o.timeout !== undefined) {
    out.timeoutMs = durationMs(o.timeout, `${fn}: option "timeout"`);
    if ((out.timeoutMs as number) > INT32_MAX)
      throwTypeError(`${fn}: option "timeout" is out of range: at most ${INT32_MAX} ms (about 24 days)`);
  }
  if (o.runAt !== undefined && o.delay !== undefined) throwTypeError(`${fn}: give either "runAt" or "delay", not both`);
  if (o.runAt !== undefined) out.runAt = requireTime(timeMs(m, o.runAt, `${fn}: option "runAt"`), `${fn}: option "runAt"`);
  if (o.delay !== undefined)
    out.runAt = requireTime(m.host.now() + durationMs(o.delay, `${fn}: option "delay"`), `${fn}: option "delay" (from now)`);
  if (o.idempotencyKey !== undefined) out.idempotencyKey = requireName(o.idempotencyKey, `${fn}: option "idempotencyKey"`);
  return out;
}

function retries(v: Value, fn: string): unknown {
  if (typeof v === "number") {
    if (!Number.isInteger(v) || v < 0 || v >= INT32_MAX)
      throwTypeError(`${fn}: option "retries" must be a non-negative integer below ${INT32_MAX}`);
    return { limit: v };
  }
  if (!isFlowObject(v)) return throwTypeError(`${fn}: option "retries" must be a number or { limit, initial, max, factor }`);
  const r = v as FlowObject;
  const out: Record<string, number> = {};
  for (const k of Object.keys(r)) {
    if (!["limit", "initial", "max", "factor"].includes(k)) throwTypeError(`${fn}: unknown retries field "${k}"`);
  }
  if (r.limit !== undefined) {
    if (typeof r.limit !== "number" || !Number.isInteger(r.limit) || r.limit < 0 || r.limit >= INT32_MAX)
      throwTypeError(`${fn}: retries.limit must be a non-negative integer below ${INT32_MAX}`);
    out.limit = r.limit;
  }
  if (r.initial !== undefined) out.initialMs = durationMs(r.initial, `${fn}: retries.initial`);
  if (r.max !== undefined) out.maxMs = durationMs(r.max, `${fn}: retries.max`);
  if (r.factor !== undefined) {
    if (typeof r.factor !== "number" || !(r.factor >= 1)) throwTypeError(`${fn}: retries.factor must be a number >= 1`);
    out.factor = r.factor;
  }
  return out;
}

function handleData(fields: Record<string, Value>): FlowObject {
  const o = newObject();
  Object.assign(o, fields);
  return o;
}

// ── Task, Workflow, Timer, Signal ────────────────────────────────────────────────────────────

define("Task", "run", (m, _t, [name, inputs, options]) => {
  const task = requireName(name, "Task.run: the task name");
  const json = toJson(m, inputs === undefined ? null : inputs, `Task.run("${task}"): the inputs`);
  const opts = callOptions(m, options, TASK_OPTIONS, `Task.run("${task}")`);
  const h = m.newHandle("task", handleData({ name: task }));
  m.effects.push({ type: "task", handle: h.id, name: task, inputs: json, options: opts });
  return h;
});

define("Workflow", "run", (m, _t, [name, inputs, options]) => {
  const workflow = requireName(name, "Workflow.run: the workflow name");
  if (inputs !== undefined && inputs !== null && !isFlowObject(inputs)) {
    throwTypeError(`Workflow.run("${workflow}"): the inputs must be an object, got ${describeType(inputs)}`);
  }
  const json = toJson(m, inputs ?? newObject(), `Workflow.run("${workflow}"): the inputs`);
  const opts = callOptions(m, options, WORKFLOW_OPTIONS, `Workflow.run("${workflow}")`);
  if (!m.host.hasWorkflow(workflow)) {
    throw new FlowThrow(
      makeError("WorkflowError", `unknown workflow "${workflow}": no stored definition has that name`, { workflow }),
    );
  }
  const h = m.newHandle("workflow", handleData({ name: workflow }));
  m.effects.push({ type: "workflow", handle: h.id, name: workflow, inputs: json, options: opts });
  return h;
});

function timer(m: Machine, at: number): Value {
  const h = m.newHandle("timer", handleData({ at }));
  m.effects.push({ type: "timer", handle: h.id, at });
  return h;
}

define("Timer", "delay", (m, _t, [d]) => timer(m, m.host.now() + durationMs(d, "Timer.delay: the duration")));
define("Timer", "until", (m, _t, [t]) => {
  const at = timeMs(m, t, "Timer.until: the time");
  // any time before 1970 has passed just as surely; past year 9999 nothing can store it
  return timer(m, at < 0 ? 0 : requireTime(at, "Timer.until: the time"));
});

define("Signal", "next", (m, _t, [name]) => {
  const signal = requireName(name, "Signal.next: the signal name");
  const h = m.newHandle("signal", handleData({ name: signal }));
  m.effects.push({ type: "signal", handle: h.id, name: signal, timeoutAt: null });
  return h;
});

define("Signal", "when", (m, _t, [name, options]) => {
  const signal = requireName(name, "Signal.when: the signal name");
  if (!isFlowObject(options) || (options as FlowObject).timeout === undefined) {
    throwTypeError(`Signal.when("${signal}"): options { timeout } are required (use Signal.next to wait without a timeout)`);
  }
  for (const k of Object.keys(options as FlowObject)) {
    if (k !== "timeout") throwTypeError(`Signal.when("${signal}"): unknown option "${k}" (allowed: timeout)`);
  }
  const timeoutAt = m.host.now() + durationMs((options as FlowObject).timeout, `Signal.when("${signal}"): option "timeout"`);
  const h = m.newHandle("signal", handleData({ name: signal, timeoutAt }));
  m.effects.push({ type: "signal", handle: h.id, name: signal, timeoutAt });
  return h;
});

// ── Promise, console, Date, Math.random ──────────────────────────────────────────────────────

for (const kind of ["all", "allSettled", "any", "race"] as const) {
  define("Promise", kind, (m, _t, [source]) => startCombinator(m, kind, source));
}

for (const level of ["log", "info", "warn", "error"] as const) {
  define("console", level, (m, _t, args) => {
    m.log(level, formatLog(args), m.currentLine());
    return undefined;
  });
}

define("Date", "now", (m) => m.host.now());

hostNatives.set("Math.random", (m) => m.host.random());
