// The machine: one workflow execution's interpreter state and its activation cycle. An activation
// applies the host's settlements, runs every stack that can run (microtask order), and returns
// the effects it produced plus either the outcome or the saved state. It performs no I/O: time,
// randomness and the set of known workflows come from the injected host.

import type { Program } from "../compiler/program.js";
import { displayName, positionAt, runnableProgram } from "../compiler/program.js";
import { toStr } from "./coerce.js";
import { execute, type Resume } from "./interpreter.js";
import { fromJson, toJson } from "./json.js";
import { enqueue, resolvePromise, runJob, settle, type Job } from "./promises.js";
import { globalsFor } from "./globals.js";
import { restoreState, saveState, type SavedState } from "./snapshot.js";
import { callNative } from "./host-natives.js";
import { printable } from "../shared/json-check.js";
import { isStackOverflow } from "./stdlib/host-errors.js";
import { Fiber, HOST_KINDS, type Frame } from "./fiber.js";
import { callDepthExceeded, DEFAULT_LIMITS, hostStackMessage, type Limits } from "./limits.js";
import { checkBudget, spend, startBudget } from "./budget.js";
import { capLine, LogCounter } from "./log-caps.js";
import {
  Closure,
  FlowThrow,
  Handle,
  LimitExceeded,
  isFlowObject,
  makeError,
  throwTypeError,
  type FlowObject,
  type HandleKind,
  type NativeContext,
  type Value,
  BoundMethod,
  NativeFunction,
} from "./values.js";

export { DEFAULT_LIMITS, type Limits } from "./limits.js";
export { Fiber, HOST_KINDS, type Frame, type Handler } from "./fiber.js";

/** What the interpreter needs from the world. */
export interface MachineHost {
  /** Current time, epoch milliseconds (virtual in tests and `rhythm run`). */
  now(): number;
  /** A number in [0, 1) for Math.random(). */
  random(): number;
  /** Whether a workflow of that name can be started (Workflow.run throws WorkflowError otherwise). */
  hasWorkflow(name: string): boolean;
}

export interface ExecutionContext {
  executionId: string;
  workflowName: string;
  version: string;
  attempt: number;
  parentId: string | null;
  startedAt: string;
}

/** Options a Task.run / Workflow.run call passed, validated and in JSON form. */
export type CallOptions = Record<string, unknown>;

export type Effect =
  | { type: "task"; handle: number; name: string; inputs: unknown; options: CallOptions }
  | { type: "workflow"; handle: number; name: string; inputs: unknown; options: CallOptions }
  | { type: "timer"; handle: number; at: number }
  | { type: "signal"; handle: number; name: string; timeoutAt: number | null }
  | { type: "log"; level: "log" | "info" | "warn" | "error"; message: string; line: number; source: "console" | "runtime" };

export type Settlement = { handle: number; ok: true; value: unknown } | { handle: number; ok: false; error: unknown };

/** A stack blocked on an await, for "what is this execution waiting on". */
export interface WaitInfo {
  /** Host handles that could wake this stack. */
  handles: number[];
  description: string;
  function: string;
  line: number;
  column: number;
}

/** How an activation ended: blocked on handles (its whole state as JSON-safe data), or finished. */
export type ActivationResult =
  | (ActivationBase & { status: "suspended"; state: SavedState; waits: WaitInfo[] })
  | (ActivationBase & { status: "completed"; output: unknown })
  | (ActivationBase & {
      status: "failed";
      error: unknown;
      /** Where a thrown error was thrown, "file:line:col (function)"; null when not known. */
      errorAt: string | null;
    });

/** What every activation reports, however it ended. */
interface ActivationBase {
  effects: Effect[];
  /** Pending host handles the workflow can still observe (none once it ended). */
  pending: number[];
  /** Host handles it can no longer observe (their waits may be cancelled; tasks go on). */
  dropped: number[];
  /** Settlements given to this activation for handles it could no longer observe. */
  ignored: number[];
  instructions: number;
}

export class Machine implements NativeContext {
  effects: Effect[] = [];
  /** Settlements of this activation for handles nothing could observe any more. */
  ignored: number[] = [];
  jobs: Job[] = [];
  private jobHead = 0;
  fibers = new Set<Fiber>();
  pendingHost = new Map<number, Handle>();
  /** Rejected async-function promises nobody handled yet (logged when the queue drains). */
  unhandled: Handle[] = [];
  budget = 0;
  /** Budget checkpoints, bytes made and the deadline of this activation (budget.ts). */
  checkpoint = 0;
  allocated = 0;
  deadline = Infinity;
  /** Log lines kept and dropped (log-caps.ts). */
  readonly logs: LogCounter;
  depth = 0;
  current: Fiber | null = null;
  nextId = 1;
  started = false;
  private batches = 0;
  readonly maxValueLength: number;
  readonly maxPayloadBytes: number;

  private constructor(
    readonly program: Program,
    readonly host: MachineHost,
    readonly limits: Limits,
    readonly globals: Record<string, Value>,
    readonly main: Handle,
  ) {
    this.maxValueLength = limits.maxStateBytes;
    this.maxPayloadBytes = limits.maxPayloadBytes;
    this.logs = new LogCounter(limits, 0);
  }

  spend(work: number, bytes: number): void {
    spend(this, work, bytes);
  }

  /** A machine about to run a workflow from its first line. */
  static start(
    program: Program,
    options: { inputs: unknown; context: ExecutionContext; host: MachineHost; limits?: Partial<Limits> },
  ): Machine {
    const limits = { ...DEFAULT_LIMITS, ...options.limits };
    program = runnableProgram(program);
    const inputs = fromJson(options.inputs ?? {});
    if (!isFlowObject(inputs)) throw new TypeError("workflow inputs must be a JSON object");
    const globals = globalsFor(inputs, fromJson(options.context) as FlowObject);
    const m = new Machine(program, options.host, limits, globals, new Handle(0, "promise"));
    const fiber = m.newFiber(m.main);
    fiber.frames.push(m.newFrame(new Closure(0, null), [], false, 0));
    return m;
  }

  /** A machine continuing from a saved state (in this process or any other). */
  static restore(program: Program, state: SavedState, options: { host: MachineHost; limits?: Partial<Limits> }): Machine {
    const limits = { ...DEFAULT_LIMITS, ...options.limits };
    program = runnableProgram(program);
    const r = restoreState(state);
    const m = new Machine(program, options.host, limits, globalsFor(r.inputs, r.context), r.main);
    m.started = true;
    m.nextId = r.nextId;
    m.logs.runLines = r.logLines;
    for (const f of r.fibers) m.fibers.add(f);
    for (const h of r.pendingHost) m.pendingHost.set(h.id, h);
    return m;
  }

  // ── activation ─────────────────────────────────────────────────────────────────────────────

  activate(settlements: Settlement[] = []): ActivationResult {
    this.effects = [];
    this.ignored = [];
    startBudget(this);
    this.logs.startActivation();
    try {
      if (!this.started) {
        this.started = true;
        const fiber = [...this.fibers][0];
        this.runFiber(fiber, null);
      }
      const batch = ++this.batches;
      for (const s of settlements) {
        const h = this.pendingHost.get(s.handle);
        if (!h) {
          // dropped earlier, or settled twice: nothing can observe it. The host learns of it, so
          // a signal delivered to a wait that gave up its place can go back to the buffer.
          this.ignored.push(s.handle);
          continue;
        }
        this.pendingHost.delete(s.handle);
        h.batch = batch;
        if (s.ok) settle(this, h, "fulfilled", fromJson(s.value));
        else settle(this, h, "rejected", fromJson(s.error));
      }
      this.drain();
    } catch (e) {
      if (e instanceof LimitExceeded) return this.abort(e.message);
      // Calls nested through built-ins (sort comparators, toString, JSON.parse revivers …) can use
      // up the host's stack before the call depth limit: the workflow fails, the worker goes on.
      if (isStackOverflow(e)) return this.finish("failed", makeError("RangeError", hostStackMessage(this.limits)));
      throw e;
    }
    if (this.main.state === "fulfilled") {
      let output: unknown;
      try {
        output = toJson(this, this.main.value, "the workflow output");
      } catch (e) {
        if (e instanceof FlowThrow) return this.finish("failed", e.value);
        if (e instanceof LimitExceeded) return this.abort(e.message);
        if (isStackOverflow(e)) return this.finish("failed", makeError("RangeError", hostStackMessage(this.limits)));
        throw e;
      }
      return this.finish("completed", output);
    }
    if (this.main.state === "rejected") return this.finish("failed", this.main.value);
    return this.suspend();
  }

  /**
   * Fails the activation on a limit: it stopped part-way, so what it started (tasks, children,
   * timers, signal waits) is dropped with it and only its log lines are kept. Nothing it created
   * exists anywhere yet, so no host learns of those handles either.
   */
  private abort(message: string): ActivationResult {
    const kept: Effect[] = [];
    for (const e of this.effects) {
      if (e.type === "log") kept.push(e);
      else this.pendingHost.delete(e.handle);
    }
    this.effects = kept;
    return this.finish("failed", makeError("RangeError", message));
  }

  /** Ends the activation's log: one line says how many lines the caps dropped. */
  private closeLog(): void {
    const message = this.logs.droppedMessage();
    if (message !== undefined) this.effects.push({ type: "log", level: "warn", message, line: 0, source: "runtime" });
    this.logs.dropped = 0;
  }

  private instructionsUsed(): number {
    return Math.round(this.limits.maxInstructions - this.budget);
  }

  private finish(status: "completed" | "failed", result: unknown): ActivationResult {
    this.closeLog();
    const dropped = [...this.pendingHost.keys()];
    this.pendingHost.clear();
    const base = {
      effects: this.effects,
      pending: [],
      dropped,
      ignored: this.ignored,
      instructions: this.instructionsUsed(),
    };
    if (status === "completed") return { status, output: result, ...base };
    return { status, error: errorToJson(this, result as Value), errorAt: this.throwLocation(result as Value) ?? null, ...base };
  }

  private suspend(): ActivationResult {
    this.closeLog();
    const saved = saveState(this, this.limits.maxStateBytes);
    if (saved.state === undefined) {
      return this.abort(
        `state size limit exceeded: the saved state would be ${saved.atLeast ? "at least " : ""}${saved.bytes} bytes, more than the limit of ${this.limits.maxStateBytes} (raise it with the maxStateBytes limit)`,
      );
    }
    const { state, reachableHost } = saved;
    const dropped: number[] = [];
    for (const id of [...this.pendingHost.keys()]) {
      if (!reachableHost.has(id)) {
        dropped.push(id);
        this.pendingHost.delete(id);
      }
    }
    return {
      status: "suspended",
      effects: this.effects,
      pending: [...this.pendingHost.keys()],
      dropped,
      ignored: this.ignored,
      waits: this.waitInfo(),
      state,
      instructions: this.instructionsUsed(),
    };
  }

  /** Runs queued microtasks until none is left or the workflow's main body has settled. */
  private drain(): void {
    while (this.jobHead < this.jobs.length && this.main.state === "pending") {
      const job = this.jobs[this.jobHead++];
      runJob(this, job);
      if (this.jobHead > 1024 && this.jobHead * 2 > this.jobs.length) {
        this.jobs = this.jobs.slice(this.jobHead);
        this.jobHead = 0;
      }
    }
    this.jobs = [];
    this.jobHead = 0;
    for (const h of this.unhandled) {
      if (!h.handled) {
        this.log("error", `unhandled error in a concurrent function: ${describeError(this, h.value)}`, 0, "runtime");
        h.handled = true;
      }
    }
    this.unhandled = [];
  }

  // ── fibers, frames and calls ───────────────────────────────────────────────────────────────

  newId(): number {
    return this.nextId++;
  }

  newHandle(kind: HandleKind, data: Value = null): Handle {
    const h = new Handle(this.newId(), kind, data);
    if (HOST_KINDS.has(kind)) this.pendingHost.set(h.id, h);
    return h;
  }

  private newFiber(promise: Handle): Fiber {
    const f = new Fiber(this.newId(), promise);
    this.fibers.add(f);
    return f;
  }

  newFrame(callee: Closure, args: Value[], boundary: boolean, base: number): Frame {
    const info = this.program.functions[callee.fn];
    // Calls are charged to the instruction budget (with backward jumps: see the interpreter).
    if (--this.budget < this.checkpoint && this.started) checkBudget(this);
    if (++this.depth > this.limits.maxCallDepth) callDepthExceeded(this.limits);
    return {
      fn: callee.fn,
      pc: 0,
      env: callee.env,
      locals: new Array<Value>(info.locals).fill(undefined),
      args,
      callee,
      handlers: [],
      base,
      boundary,
    };
  }

  /** Runs (or resumes) a stack until it blocks or ends. */
  runFiber(fiber: Fiber, resume: Resume | null): void {
    const outer = this.current;
    const outerDepth = this.depth;
    if (resume) this.depth += fiber.frames.length;
    this.current = fiber;
    try {
      execute(this, fiber, resume);
    } finally {
      this.current = outer;
      this.depth = outerDepth;
    }
  }

  /** Called when a stack's bottom frame returns or throws. */
  fiberDone(fiber: Fiber, ok: boolean, value: Value): void {
    this.fibers.delete(fiber);
    if (ok) resolvePromise(this, fiber.promise, value);
    else settle(this, fiber.promise, "rejected", value);
  }

  /** Starts an async function: a new stack that runs at once until its first blocking await. */
  startAsync(callee: Closure, args: Value[]): Handle {
    const promise = new Handle(this.newId(), "promise");
    const fiber = this.newFiber(promise);
    fiber.frames.push(this.newFrame(callee, args, false, 0));
    this.runFiber(fiber, null);
    return promise;
  }

  /** NativeContext.call: calls any callable from host code and returns its result. */
  call(fn: Value, thisValue: Value, args: Value[]): Value {
    if (fn instanceof Closure) {
      if (this.program.functions[fn.fn].isAsync) return this.startAsync(fn, args);
      let fiber = this.current;
      if (!fiber) {
        fiber = new Fiber(this.newId(), new Handle(0, "promise"));
      }
      const frame = this.newFrame(fn, args, true, fiber.stack.length);
      fiber.frames.push(frame);
      const outer = this.current;
      this.current = fiber;
      try {
        return execute(this, fiber, null, frame);
      } finally {
        this.current = outer;
      }
    }
    if (fn instanceof NativeFunction) return callNative(this, fn.id, thisValue, args);
    if (fn instanceof BoundMethod) return callNative(this, fn.id, fn.receiver, args);
    return throwTypeError(`${typeof fn === "string" ? JSON.stringify(fn) : String(fn)} is not a function`);
  }

  functionLength(fn: Closure): number {
    return this.program.functions[fn.fn].length;
  }

  /** Where each thrown error object was first thrown (for the failure's location). */
  private throwSites = new WeakMap<object, { fn: number; pc: number }>();

  noteThrowSite(value: Value, frame: Frame): void {
    if (typeof value === "object" && value !== null && !this.throwSites.has(value)) {
      this.throwSites.set(value, { fn: frame.fn, pc: frame.pc });
    }
  }

  /** "file:line:col (function)" of where an error was thrown, when known. */
  throwLocation(value: Value): string | undefined {
    if (typeof value !== "object" || value === null) return undefined;
    const site = this.throwSites.get(value);
    if (!site) return undefined;
    const info = this.program.functions[site.fn];
    const pos = positionAt(info, Math.max(0, site.pc - 1));
    return `${this.program.file}:${pos.line}:${pos.column} (${displayName(info)})`;
  }

  log(
    level: "log" | "info" | "warn" | "error",
    message: string | (() => string),
    line: number,
    source: "console" | "runtime" = "console",
  ): void {
    if (!this.logs.take()) return; // over a line cap: not even formatted
    // a formatter caps its own line as it writes it (console.log); a runtime line is cut here
    const text = typeof message === "string" ? capLine(message, this.limits.maxLogLineChars) : message();
    this.logs.activationChars += text.length;
    // Log lines are text in Postgres, which refuses U+0000 and lone surrogates: shown as U+FFFD
    this.effects.push({ type: "log", level, message: printable(text), line, source });
  }

  enqueue(job: Job): void {
    enqueue(this, job);
  }

  /** Source line of the instruction a frame is at (for logs and waits). */
  lineOf(frame: Frame): { line: number; column: number } {
    return positionAt(this.program.functions[frame.fn], Math.max(0, frame.pc - 1));
  }

  /** Line of the instruction running now in the current stack. */
  currentLine(): number {
    const f = this.current?.frames.at(-1);
    return f ? this.lineOf(f).line : 0;
  }

  private waitInfo(): WaitInfo[] {
    const out: WaitInfo[] = [];
    for (const fiber of this.fibers) {
      const frame = fiber.frames.at(-1);
      if (!frame || !fiber.awaiting) continue;
      const pos = this.lineOf(frame);
      out.push({
        handles: hostHandlesBehind(fiber.awaiting),
        description: describeHandle(fiber.awaiting),
        function: displayName(this.program.functions[frame.fn]),
        line: pos.line,
        column: pos.column,
      });
    }
    return out;
  }
}

/** The pending host handles whose settlement could settle `h`. */
function hostHandlesBehind(h: Handle): number[] {
  if (HOST_KINDS.has(h.kind)) return h.state === "pending" ? [h.id] : [];
  const inputs = (h.data as FlowObject | null)?.inputs;
  if (!Array.isArray(inputs)) return [];
  return inputs.flatMap((x) => (x instanceof Handle ? hostHandlesBehind(x) : []));
}

export function describeHandle(h: Handle): string {
  const data = h.data as FlowObject | null;
  switch (h.kind) {
    case "task":
      return `task "${String(data?.name)}"`;
    case "workflow":
      return `child workflow "${String(data?.name)}"`;
    case "timer":
      return `timer until ${new Date(Number(data?.at)).toISOString()}`;
    case "signal":
      return `signal "${String(data?.name)}"`;
    case "promise":
      return "an async function";
    default: {
      const inputs = data?.inputs;
      const n = Array.isArray(inputs) ? inputs.length : 0;
      return `Promise.${h.kind} of ${n}`;
    }
  }
}

/** SPEC §2.2: an uncaught non-error value is reported as { name: "Error", …, value }. */
export function errorToJson(ctx: NativeContext, v: Value): unknown {
  if (isFlowObject(v) && typeof v.message === "string" && (typeof v.type === "string" || typeof v.name === "string")) {
    const copy = Object.assign(Object.create(null), v) as FlowObject;
    if (typeof copy.type !== "string") copy.type = copy.name;
    if (typeof copy.name !== "string") copy.name = copy.type;
    // an error whose other fields cannot be written (a cycle, too large, U+0000) keeps what says what it is
    return (
      safeJson(ctx, copy) ?? {
        name: printable(String(copy.name)),
        type: printable(String(copy.type)),
        message: printable(String(copy.message)),
      }
    );
  }
  return { name: "Error", type: "Error", message: printable(describeValue(ctx, v)), value: safeJson(ctx, v) };
}

function safeJson(ctx: NativeContext, v: Value): unknown {
  try {
    return toJson(ctx, v, "the error");
  } catch {
    return null;
  }
}

/** SPEC §2.2: the message of a thrown non-error value is String(value). */
function describeValue(ctx: NativeContext, v: Value): string {
  try {
    return toStr(v, ctx);
  } catch {
    // its own toString threw or ran out of budget: fall back to what JavaScript would print
    return isFlowObject(v) ? "[object Object]" : typeof v;
  }
}

export function describeError(ctx: NativeContext, v: Value): string {
  if (isFlowObject(v) && typeof v.message === "string") return `${String(v.name ?? v.type ?? "Error")}: ${v.message}`;
  return describeValue(ctx, v);
}
