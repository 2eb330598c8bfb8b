// The standard library as `rhythm check` and deploy see it before anything runs: the members of
// each built-in global, and what Task, Workflow, Timer, Signal and Promise.* require of their
// arguments. Both come from the machine's own tables and argument rules, so a file the checker
// passes cannot fail for these reasons at run time, and the two cannot drift apart.

import { UNKNOWN, type KnownValue, type StdlibSurface } from "../lang/index.js";
import { typeOf } from "./coerce.js";
import { durationMs } from "./durations.js";
import { globalsFor } from "./globals.js";
import {
  TASK_OPTIONS,
  WORKFLOW_OPTIONS,
  callOptions,
  requireCombinable,
  requireName,
  requireWorkflowInputs,
  signalWhenTimeout,
  untilTime,
  type Known,
} from "./host-arguments.js";
import "./host-natives.js"; // registers the members of Task, Workflow, Timer, Signal, Promise, console, Date
import { staticMemberNames } from "./stdlib/members.js";
import { FlowThrow, Namespace, NativeFunction, isFlowObject, newObject, type Value } from "./values.js";

const known: Known = (v) => (v as KnownValue) !== UNKNOWN;

/** Checks a call's arguments; `at(i)` says which argument the checks that follow are about. */
type CallRule = (args: Value[], at: (argument: number) => void) => void;

/** `Task.run("x")` in messages when the name is known, `Task.run(…)` when it is not. */
function label(fn: string, name: Value, what: string): string {
  if (!known(name)) return `${fn}(…)`;
  return `${fn}("${requireName(name, `${fn}: ${what}`)}")`;
}

const combinator = (kind: string): CallRule => {
  return ([source], at) => {
    at(0);
    if (known(source)) requireCombinable(kind, source);
  };
};

/** The checks each host function makes at the call, in the order the call makes them. */
const CALL_RULES: Record<string, CallRule> = {
  "Task.run": ([name, , options], at) => {
    at(0);
    const fn = label("Task.run", name, "the task name");
    at(2);
    callOptions(options, TASK_OPTIONS, fn, null, known);
  },
  "Workflow.run": ([name, inputs, options], at) => {
    at(0);
    const fn = label("Workflow.run", name, "the workflow name");
    at(1);
    if (known(inputs)) requireWorkflowInputs(inputs, fn);
    at(2);
    callOptions(options, WORKFLOW_OPTIONS, fn, null, known);
  },
  "Timer.delay": ([duration], at) => {
    at(0);
    if (known(duration)) durationMs(duration, "Timer.delay: the duration");
  },
  "Timer.until": ([time], at) => {
    at(0);
    if (known(time)) untilTime(time, "Timer.until: the time");
  },
  "Signal.next": ([name], at) => {
    at(0);
    label("Signal.next", name, "the signal name");
  },
  "Signal.when": ([name, options], at) => {
    at(0);
    const fn = label("Signal.when", name, "the signal name");
    at(1);
    if (!known(options)) return;
    const timeout = signalWhenTimeout(options, fn);
    if (known(timeout)) durationMs(timeout, `${fn}: option "timeout"`);
  },
  "Promise.all": combinator("all"),
  "Promise.allSettled": combinator("allSettled"),
  "Promise.any": combinator("any"),
  "Promise.race": combinator("race"),
};

const globals = globalsFor(newObject(), newObject());
const memberSets = new Map<string, ReadonlySet<string> | undefined>();

/** The members of a built-in global: its static members, plus `name` and `length` for a function. */
function membersOf(global: string): ReadonlySet<string> | undefined {
  if (memberSets.has(global)) return memberSets.get(global);
  const v = Object.hasOwn(globals, global) ? globals[global] : undefined;
  let members: Set<string> | undefined;
  if (v instanceof Namespace || v instanceof NativeFunction) {
    members = new Set(staticMemberNames(v.id));
    if (typeOf(v) === "function") members.add("name").add("length");
  }
  memberSets.set(global, members);
  return members;
}

function callProblem(fn: string, args: readonly KnownValue[]): { message: string; argument: number } | null {
  const rule = CALL_RULES[fn];
  if (rule === undefined) return null;
  let argument = 0;
  try {
    rule(args as Value[], (i) => (argument = i));
    return null;
  } catch (e) {
    if (!(e instanceof FlowThrow)) throw e;
    const message = isFlowObject(e.value) ? e.value.message : undefined;
    return { message: typeof message === "string" ? message : String(e.value), argument };
  }
}

/** The standard library's surface, for the loader's checks (`loadFlow(…, { surface })`). */
export const flowSurface: StdlibSurface = { membersOf, callProblem };
