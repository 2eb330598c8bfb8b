// Natives that reach outside the pure value world: they create host handles and record effects
// (Task, Workflow, Timer, Signal), combine handles (Promise.*), log, or read the host's clock and
// randomness. Pure natives live in stdlib/; `callNative` dispatches to either.

import { durationMs } from "./durations.js";
import {
  TASK_OPTIONS,
  WORKFLOW_OPTIONS,
  callOptions,
  requireName,
  requireWorkflowInputs,
  signalWhenTimeout,
  untilTime,
} from "./host-arguments.js";
import { toJson } from "./json.js";
import type { Machine } from "./machine.js";
import { startCombinator } from "./promises.js";
import { formatLog, natives } from "./stdlib/index.js";
import { registerMembers } from "./stdlib/members.js";
import { FlowThrow, NativeFunction, makeError, newObject, throwTypeError, type FlowObject, type Value } from "./values.js";

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

function handleData(fields: Record<string, Value>): FlowObject {
  const o = newObject();
  Object.assign(o, fields);
  return o;
}

// ── Task, Workflow, Timer, Signal ────────────────────────────────────────────────────────────

define("Task", "run", (m, _t, [name, inputs, options]) => {
  const task = requireName(name, "Task.run: the task name");
  const json = toJson(m, inputs === undefined ? null : inputs, `Task.run("${task}"): the inputs`);
  const opts = callOptions(options, TASK_OPTIONS, `Task.run("${task}")`, m.host.now());
  const h = m.newHandle("task", handleData({ name: task }));
  m.effects.push({ type: "task", handle: h.id, name: task, inputs: json, options: opts });
  return h;
});

define("Workflow", "run", (m, _t, [name, inputs, options]) => {
  const workflow = requireName(name, "Workflow.run: the workflow name");
  requireWorkflowInputs(inputs, `Workflow.run("${workflow}")`);
  const json = toJson(m, inputs ?? newObject(), `Workflow.run("${workflow}"): the inputs`);
  const opts = callOptions(options, WORKFLOW_OPTIONS, `Workflow.run("${workflow}")`, m.host.now());
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
define("Timer", "until", (m, _t, [t]) => timer(m, untilTime(t, "Timer.until: the time")));

define("Signal", "next", (m, _t, [name]) => {
  const signal = requireName(name, "Signal.next: the signal name");
  const h = m.newHandle("signal", handleData({ name: signal }));
  m.effects.push({ type: "signal", handle: h.id, name: signal, timeoutAt: null });
  return h;
});

define("Signal", "when", (m, _t, [name, options]) => {
  const signal = requireName(name, "Signal.when: the signal name");
  const timeout = signalWhenTimeout(options, `Signal.when("${signal}")`);
  const timeoutAt = m.host.now() + durationMs(timeout, `Signal.when("${signal}"): option "timeout"`);
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
    m.log(level, () => formatLog(args, m.limits.maxLogLineChars, m), m.currentLine());
    return undefined;
  });
}

define("Date", "now", (m) => m.host.now());

hostNatives.set("Math.random", (m) => m.host.random());
