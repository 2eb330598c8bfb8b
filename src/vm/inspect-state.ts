// Reads a saved state as a person thinks of a paused run: for each live stack (the workflow's
// main body first), its frames with their function, line and source text, the variables in scope
// there by name with their values, and what the run awaits. Pure: it needs the program, the
// state and what the host knows of its handles (execution ids, fire times), never a running
// machine, so a store can show any saved state — suspended, or the last one of a failed run.

import type { Program } from "../compiler/program.js";
import { displayName, positionAt } from "../compiler/program.js";
import { debugScope, outerOf, scopeAtPc } from "../compiler/debug-table.js";
import { HOST_KINDS, type Frame } from "./fiber.js";
import { describeHandle } from "./machine.js";
import { restoreState, type SavedState } from "./snapshot.js";
import {
  ValueShower,
  handleView,
  setKey,
  simplify,
  type HandleView,
  type HostHandleInfo,
  type Shown,
  type ShowLimits,
} from "./show-value.js";
import { Handle, isFlowObject, type Env, type HandleKind, type Value } from "./values.js";
import type { BindingKind } from "../lang/index.js";

export interface InspectInput {
  program: Program;
  state: SavedState;
  /** The workflow's source, for the text of each frame's line. */
  source?: string;
  /** What the host knows of its pending handles, by handle number. */
  handles?: ReadonlyMap<number, HostHandleInfo> | Readonly<Record<number, HostHandleInfo>>;
  limits?: Partial<ShowLimits>;
}

export interface InspectedFrame {
  /** The stack it belongs to: 0 is the workflow's main body, others are concurrent async calls. */
  fiber: number;
  function: string;
  line: number;
  column: number;
  /** The text of that source line (without its line break), when the source was given. */
  source?: string;
  /** The variables in scope by name (innermost scope first), shown as in show-value.ts. */
  variables: Record<string, Shown>;
  /**
   * On a stack's innermost frame: what that stack waits on (`task "charge"`, `Promise.all of 3`,
   * `async function load (stack 1)` …).
   */
  awaits?: string;
}

/** A pending task, child workflow, timer or signal wait some stack is blocked on. */
export interface AwaitedHandle {
  kind: "task" | "workflow" | "timer" | "signal";
  name?: string;
  handle: number;
  /** The execution id of a task or child workflow (given by the host). */
  id?: string;
  /** When a timer fires or a signal wait times out (ISO). */
  until?: string;
}

export interface Inspection {
  /**
   * False when the program was compiled before debug tables: variables are then keyed by where
   * they live, "(register 3)" or "(closure 0.1)" (environment depth, slot), not by name.
   */
  named: boolean;
  /** Every live stack's frames, innermost first; the main body's stack comes first. */
  stack: InspectedFrame[];
  awaiting: AwaitedHandle[];
}

/**
 * The numbers of the host handles (tasks, children, timers, signal waits) a saved state holds,
 * settled or not: what a host looks up to give {@link InspectInput.handles}. Heap entries of
 * handles are `["h", id, kind, …]` (snapshot.ts).
 */
export function hostHandlesOf(state: SavedState): number[] {
  const out: number[] = [];
  const heap: unknown = state?.heap;
  if (!Array.isArray(heap)) return out; // not a state: inspectState says so
  for (const e of heap) if (Array.isArray(e) && e[0] === "h" && HOST_KINDS.has(e[2] as HandleKind)) out.push(e[1] as number);
  return out;
}

/** Reads a saved state (see the file's opening comment). Throws when the state is not one. */
export function inspectState(input: InspectInput): Inspection {
  const { program, state } = input;
  const restored = restoreState(state);
  const hostInfo = hostLookup(input.handles);
  const shower = new ValueShower(input.limits, hostInfo, (fn) => program.functions[fn]?.name ?? "");
  const lines = input.source === undefined ? null : input.source.split(/\r\n|[\n\r\u2028\u2029]/);
  const named = program.functions[0]?.debug !== undefined;
  // the main body's stack first, then the others in the order they were started
  const fibers = [...restored.fibers].sort((a, b) => Number(b.promise === restored.main) - Number(a.promise === restored.main));
  const stack: InspectedFrame[] = [];
  const awaiting = new Map<number, AwaitedHandle>();
  // an async function's promise → the stack that runs it, so a wait on it can say which
  const stackOf = new Map(fibers.map((f, i) => [f.promise, i]));
  const awaitText = (h: Handle): string => {
    const i = stackOf.get(h);
    if (i === undefined) return describeHandle(h);
    const bottom = fibers[i].frames[0];
    const fn = bottom ? program.functions[bottom.fn] : undefined;
    return `async function ${fn ? displayName(fn) : "<anonymous>"} (stack ${i})`;
  };
  fibers.forEach((fiber, index) => {
    for (let i = fiber.frames.length - 1; i >= 0; i--) {
      const frame = fiber.frames[i];
      const info = program.functions[frame.fn];
      if (!info) throw new Error(`saved state: frame of function ${frame.fn}, which the program does not have`);
      const pos = positionAt(info, Math.max(0, frame.pc - 1));
      const shown = { fiber: index, function: displayName(info), line: pos.line, column: pos.column } as InspectedFrame;
      const text = lines?.[pos.line - 1];
      if (text !== undefined) shown.source = text;
      shown.variables = {};
      const variables = named
        ? frameVariables(program, frame).map((v): [string, Value] => [v.name, v.value])
        : slotVariables(frame);
      for (const [name, value] of variables) setKey(shown.variables, name, shower.show(value));
      if (i === fiber.frames.length - 1 && fiber.awaiting) shown.awaits = awaitText(fiber.awaiting);
      stack.push(shown);
    }
    if (fiber.awaiting)
      for (const h of hostHandlesBehind(fiber.awaiting)) awaiting.set(h.id, awaitedHandle(handleView(h, hostInfo)));
  });
  shower.finish();
  for (const frame of stack)
    for (const k of Object.keys(frame.variables)) setKey(frame.variables, k, simplify(frame.variables[k]));
  return { named, stack, awaiting: [...awaiting.values()] };
}

/** A variable of a frame, where it lives (what changing it would write), and its value. */
export interface FrameVariable {
  name: string;
  kind: BindingKind;
  value: Value;
  /** A register of the frame (`frame.locals`), or a slot of an environment of its chain. */
  place: { register: number } | { env: Env; slot: number };
}

/**
 * The bindings in scope at a frame's pc, innermost first, each with its value: the function's
 * own scopes (registers and environment slots), then those of the functions it was made in
 * (only what they keep in environments: their registers belong to their own frames). A name
 * shadowed by an inner scope is left out. Empty for a program without debug tables.
 */
export function frameVariables(program: Program, frame: Frame): FrameVariable[] {
  const out: FrameVariable[] = [];
  const names = new Set<string>();
  let fn = frame.fn;
  let table = program.functions[fn].debug;
  let scope = table ? scopeAtPc(table, Math.max(0, frame.pc - 1)) : -1;
  let env: Env | null = frame.env;
  let own = true;
  while (table) {
    while (scope !== -1) {
      const s = debugScope(table, scope);
      for (const b of s.bindings) {
        if (names.has(b.name)) continue;
        // A binding the frame cannot reach (an enclosing function's register) still hides the
        // outer ones of the same name: it is what the name means here, it is just not shown.
        names.add(b.name);
        if (b.register !== undefined) {
          if (own) out.push({ name: b.name, kind: b.kind, value: frame.locals[b.register], place: { register: b.register } });
        } else if (env) out.push({ name: b.name, kind: b.kind, value: env.slots[b.slot!], place: { env, slot: b.slot! } });
      }
      if (s.hasEnv) env = env?.parent ?? null;
      scope = s.parent;
    }
    const outer = outerOf(table);
    if (outer.fn < 0) break;
    // the closure's own chain: where this function's scopes end, its captured environments begin
    if (own) env = frame.callee.env;
    own = false;
    fn = outer.fn;
    table = program.functions[fn]?.debug;
    scope = outer.scope;
  }
  return out;
}

/** A frame of a program without debug tables: its registers and environments, by position. */
function slotVariables(frame: Frame): [string, Value][] {
  const out: [string, Value][] = frame.locals.map((v, i) => [`(register ${i})`, v]);
  let depth = 0;
  for (let env = frame.env; env; env = env.parent, depth++) env.slots.forEach((v, i) => out.push([`(closure ${depth}.${i})`, v]));
  return out;
}

/** The pending host handles whose settlement could wake a stack blocked on `h`. */
function hostHandlesBehind(h: Handle): Handle[] {
  if (HOST_KINDS.has(h.kind)) return h.state === "pending" ? [h] : [];
  if (h.state !== "pending") return [];
  const inputs = isFlowObject(h.data) ? h.data.inputs : undefined;
  if (!Array.isArray(inputs)) return [];
  return inputs.flatMap((x) => (x instanceof Handle ? hostHandlesBehind(x) : []));
}

function awaitedHandle(v: HandleView): AwaitedHandle {
  const out = { kind: v.kind } as AwaitedHandle;
  if (v.name !== undefined) out.name = v.name;
  out.handle = v.handle;
  if (v.id !== undefined) out.id = v.id;
  if (v.until !== undefined) out.until = v.until;
  return out;
}

function hostLookup(handles: InspectInput["handles"]): ((handle: number) => HostHandleInfo | undefined) | undefined {
  if (!handles) return undefined;
  if (handles instanceof Map) return (h) => handles.get(h);
  const record = handles as Readonly<Record<number, HostHandleInfo>>;
  return (h) => (Object.hasOwn(record, h) ? record[h] : undefined);
}
