// A stack of the interpreter (a fiber) and its frames: what `await` suspends, what the snapshot
// saves, and what the dispatch loop runs. Plain data holders, shared by the machine, the
// interpreter and the snapshot without any of them importing another.

import type { Closure, Env, Handle, HandleKind, Value } from "./values.js";

export interface Handler {
  pc: number;
  sp: number;
  env: Env | null;
}

export interface Frame {
  fn: number;
  pc: number;
  env: Env | null;
  locals: Value[];
  args: Value[];
  callee: Closure;
  handlers: Handler[];
  /** Stack height when the frame started: a return drops anything above it. */
  base: number;
  /** A frame called from host code (a native's callback): returning hands the value back. */
  boundary: boolean;
}

export class Fiber {
  frames: Frame[] = [];
  stack: Value[] = [];
  /** The handle this stack is blocked on, if any (for diagnostics and reachability). */
  awaiting: Handle | null = null;
  constructor(
    readonly id: number,
    /** The promise the async function resolves; the workflow's result for the main stack. */
    readonly promise: Handle,
  ) {}
}

/** Handles the host settles between activations (the others settle inside the machine). */
export const HOST_KINDS: ReadonlySet<HandleKind> = new Set(["task", "workflow", "timer", "signal"]);
