// Changes to a saved state made by a person, not by the workflow (docs/operations.md): a variable
// set by name in one frame (`rhythm set`), the execution id a fork's state answers in
// `Context.executionId`, and the list of host handles a state still waits on (what a fork or a
// retry must give the run again: tasks, children, timers, signal waits). Pure: state in, state out.

import type { Program } from "../compiler/program.js";
import { jsonDataProblem } from "../shared/json-check.js";
import { HOST_KINDS, type Frame } from "./fiber.js";
import { frameVariables, inspectState } from "./inspect-state.js";
import { fromJson } from "./json.js";
import { DEFAULT_LIMITS, type Limits } from "./limits.js";
import { Machine, type MachineHost } from "./machine.js";
import type { Shown } from "./show-value.js";
import { restoreState, saveState, type SavedState } from "./snapshot.js";
import { isFlowObject, UNINITIALIZED } from "./values.js";

/** Why an edit was refused; nothing was changed. */
export class StateEditRefused extends Error {}

/** A restored state is never run here: the host is never asked anything. */
const NO_HOST: MachineHost = {
  now: () => {
    throw new Error("a state being edited does not run");
  },
  random: () => 0,
  hasWorkflow: () => false,
};

export interface VariableEdit {
  name: string;
  /** Index in the stack as `rhythm inspect` lists it (0: the main body's innermost frame). */
  frame: number;
  /** The new value, as JSON data. */
  value: unknown;
}

export interface EditedState {
  state: SavedState;
  /** The value before, as `rhythm inspect` shows it. */
  old: Shown;
  /** Where the variable was changed. */
  function: string;
  line: number;
}

/**
 * Sets a variable of a saved state by name. Refused (StateEditRefused) when the frame does not
 * exist, the name is not in scope at that frame's paused line (or not initialized there yet),
 * the value is not JSON Postgres can store or breaks the payload limit, the new state breaks the
 * state size limit, or the old value held the only reference to something the run still awaits.
 */
export function setVariableInState(
  program: Program,
  state: SavedState,
  edit: VariableEdit,
  limits?: Partial<Limits>,
): EditedState {
  const lim = { ...DEFAULT_LIMITS, ...limits };
  const problem = jsonDataProblem(edit.value);
  if (problem) throw new StateEditRefused(`the value is not JSON that can be stored: ${problem}`);
  const bytes = Buffer.byteLength(JSON.stringify(edit.value) ?? "null");
  if (bytes > lim.maxPayloadBytes)
    throw new StateEditRefused(
      `the value is ${bytes} bytes of JSON, over the payload limit of ${lim.maxPayloadBytes} (maxPayloadBytes)`,
    );
  const before = inspectState({ program, state });
  const shownFrame = before.stack[edit.frame];
  if (!Number.isInteger(edit.frame) || edit.frame < 0 || !shownFrame)
    throw new StateEditRefused(
      `there is no frame ${edit.frame}: the paused run has ${before.stack.length} (0 to ${before.stack.length - 1}; see rhythm inspect)`,
    );
  const m = Machine.restore(program, state, { host: NO_HOST, limits });
  const frame = framesInInspectOrder(m)[edit.frame];
  const variables = frameVariables(program, frame);
  const v = variables.find((x) => x.name === edit.name);
  const where = `frame ${edit.frame} (${shownFrame.function}, line ${shownFrame.line})`;
  if (!v) {
    const names = variables.map((x) => x.name);
    throw new StateEditRefused(
      `no variable "${edit.name}" is in scope in ${where}` +
        (names.length > 0 ? `: it has ${names.join(", ")}` : ": it has none"),
    );
  }
  if (v.value === UNINITIALIZED)
    throw new StateEditRefused(`"${edit.name}" is not initialized yet at ${where}: its declaration has not run`);
  if (v.kind === "self") throw new StateEditRefused(`"${edit.name}" is a function expression's own name, which cannot change`);
  const pendingBefore = new Set(m.pendingHost.keys());
  const value = fromJson(edit.value);
  if ("register" in v.place) frame.locals[v.place.register] = value;
  else v.place.env.slots[v.place.slot] = value;
  const saved = saveState(m, lim.maxStateBytes);
  if (saved.state === undefined || saved.bytes > lim.maxStateBytes)
    throw new StateEditRefused(
      `the saved state would be ${saved.state === undefined ? "at least " : ""}${saved.bytes} bytes, over the state size limit of ${lim.maxStateBytes} (maxStateBytes)`,
    );
  const lost = [...pendingBefore].filter((h) => !saved.reachableHost.has(h));
  if (lost.length > 0)
    throw new StateEditRefused(
      `"${edit.name}" holds the only reference to something the run still awaits (handle ${lost.join(", ")}); it would be lost`,
    );
  return { state: saved.state, old: shownFrame.variables[edit.name], function: shownFrame.function, line: shownFrame.line };
}

/** The frames of every live stack as inspectState lists them: the main body's first, innermost first. */
function framesInInspectOrder(m: Machine): Frame[] {
  const fibers = [...m.fibers].sort((a, b) => Number(b.promise === m.main) - Number(a.promise === m.main));
  return fibers.flatMap((f) => [...f.frames].reverse());
}

/** A pending task, child workflow, timer or signal wait of a saved state, with what its call said. */
export interface PendingHostHandle {
  handle: number;
  kind: "task" | "workflow" | "timer" | "signal";
  /** The task, workflow or signal name. */
  name?: string;
  /** A timer's fire time, epoch ms. */
  at?: number;
  /** A `Signal.when` timeout, epoch ms. */
  timeoutAt?: number;
}

/** The host handles a saved state still waits on (settled ones are part of the state already). */
export function pendingHostHandles(state: SavedState): PendingHostHandle[] {
  return restoreState(state)
    .pendingHost.filter((h) => HOST_KINDS.has(h.kind))
    .map((h) => {
      const data = isFlowObject(h.data) ? h.data : {};
      const out: PendingHostHandle = { handle: h.id, kind: h.kind as PendingHostHandle["kind"] };
      if (typeof data.name === "string") out.name = data.name;
      if (typeof data.at === "number") out.at = data.at;
      if (typeof data.timeoutAt === "number") out.timeoutAt = data.timeoutAt;
      return out;
    })
    .sort((a, b) => a.handle - b.handle);
}

/**
 * The state with `Context.executionId` (and `Context.parentId`) saying another execution: what a
 * fork's copy answers. Edits the Context object's heap entry in place of a copy.
 */
export function retargetContext(state: SavedState, executionId: string, parentId: string | null): SavedState {
  const copy = structuredClone(state);
  const entry = copy.heap[copy.context];
  if (!entry || entry[0] !== "o") throw new Error("saved state: the Context object is not where the state says");
  const flat = entry[1] as unknown[];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    if (flat[i] === "executionId") flat[i + 1] = executionId;
    if (flat[i] === "parentId") flat[i + 1] = parentId;
  }
  return copy;
}
