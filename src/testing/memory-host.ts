// The in-memory host: runs workflows without a database, with mocked (or hand-written) tasks,
// a virtual clock, buffered signals and child workflows. It is what `rhythm run` and the
// language corpus use, and what users import from "rhythm-flow/testing" for their own tests.
// Work happens in deterministic steps: tasks and children complete at the host step after the
// one that started them; when nothing else can progress, the clock jumps to the next timer.

import type { CompiledFlow } from "../compiler/index.js";
import { signalTimeoutError } from "../shared/flow-errors.js";
import type { ExecutionStatus } from "../shared/statuses.js";
import { pairSignals, planEffects, type EffectsPlan } from "../vm/effects-plan.js";
import { taskErrorJson } from "../vm/errors.js";
import { Machine, type Limits, type Settlement, type WaitInfo } from "../vm/machine.js";
import { inspectState, type Inspection } from "../vm/inspect-state.js";
import type { HostHandleInfo, ShowLimits } from "../vm/show-value.js";
import type { SavedState } from "../vm/snapshot.js";
import { seededRandom } from "./random.js";
import { mockOutcome, type TaskMock, type TaskOutcome } from "./mocks.js";

export const DEFAULT_START_TIME = Date.UTC(2026, 0, 1);

export interface MemoryHostOptions {
  /** Finds a workflow by name (for the root and for Workflow.run); null when there is none. */
  loadWorkflow: (name: string) => CompiledFlow | null;
  /** Task name → mock (`{ returns }`, `{ fails }`, `{ echo }`, a list of those, or a function). */
  tasks?: Record<string, TaskMock>;
  limits?: Partial<Limits>;
  /** Virtual clock start, epoch ms (default 2026-01-01T00:00:00Z). */
  startTime?: number;
  /** Seed of Math.random() (default 1). */
  seed?: number;
  /** Save and restore every execution through JSON at each suspension (proves resumability). */
  resumeMode?: boolean;
  /** Activations one `run()` may perform before it gives up (default 100,000): a guard against
   *  workflows that loop on timers forever under virtual time. */
  maxActivations?: number;
  /** Called with every state an execution saves, as it suspends (to look inside runs in tests). */
  onSuspend?: (executionId: string, state: SavedState) => void;
}

/** `run()` performed more activations than `maxActivations` allows. */
export class RunawayError extends Error {}

export interface TaskCall {
  name: string;
  inputs: unknown;
}

export interface LogLine {
  executionId: string;
  workflow: string;
  level: string;
  message: string;
  line: number;
  /** "console" for console.* calls, "runtime" for the interpreter's own notes (unhandled errors). */
  source: "console" | "runtime";
}

export interface ExecutionView {
  id: string;
  name: string;
  status: Exclude<ExecutionStatus, "queued" | "cancelled">;
  output: unknown;
  error: unknown;
  parentId: string | null;
  /** Task.run calls of this execution, in call order. */
  taskCalls: TaskCall[];
  /** What the execution waits on, when suspended. */
  waits: WaitInfo[];
  /** When failed by a thrown error: where it was thrown. */
  errorAt: string | null;
}

interface Execution extends ExecutionView {
  flow: CompiledFlow;
  machine: Machine;
  inbox: Settlement[];
  started: boolean;
  /** Parent's handle to settle when this child ends. */
  parentHandle: number | null;
  /** The state saved at the last suspension (kept when the run then fails), for `inspect`. */
  state: SavedState | null;
  /** What the host knows of the execution's handles: ids of its tasks and children. */
  handles: Map<number, HostHandleInfo>;
}

interface Timer {
  at: number;
  seq: number;
  executionId: string;
  handle: number;
  /** What firing means: a timer resolves to null; a Signal.when timeout rejects. */
  settlement: Settlement;
}

interface SignalWait {
  seq: number;
  executionId: string;
  handle: number;
  name: string;
}

/** A signal sent and not yet taken by a wait; `seq` is its place in the buffer. */
interface Buffered {
  seq: number;
  name: string;
  payload: unknown;
}

export class MemoryHost {
  readonly executions = new Map<string, Execution>();
  readonly logs: LogLine[] = [];
  /** Per task name: how many times it was called (mock lists are consumed with it). */
  readonly taskCounts = new Map<string, number>();
  private now: number;
  private readonly random: () => number;
  private timers: Timer[] = [];
  private waits: SignalWait[] = [];
  /** Per execution, its buffered signals of every name, oldest first. */
  private buffers = new Map<string, Buffered[]>();
  private seq = 0;
  private activations = 0;
  /** Signals handed to waits, until the activation that receives them has run. */
  private delivered = new Map<string, Buffered>();
  private nextExecution = 1;
  /** Task outcomes waiting for the next step, in creation order. */
  private completions: { executionId: string; handle: number; outcome: Promise<TaskOutcome> }[] = [];

  constructor(private readonly options: MemoryHostOptions) {
    this.now = options.startTime ?? DEFAULT_START_TIME;
    this.random = seededRandom(options.seed ?? 1);
  }

  get clock(): number {
    return this.now;
  }

  /** Starts a workflow; it runs at the next `run()`. */
  start(name: string, inputs: unknown = {}, parent?: { id: string; handle: number }): string {
    const flow = this.options.loadWorkflow(name);
    if (!flow) throw new Error(`unknown workflow "${name}"`);
    const id = `exec-${this.nextExecution++}`;
    const machine = Machine.start(flow.program, {
      inputs,
      context: {
        executionId: id,
        workflowName: name,
        version: flow.version,
        attempt: 1,
        parentId: parent?.id ?? null,
        startedAt: new Date(this.now).toISOString(),
      },
      host: this.machineHost(),
      limits: this.options.limits,
    });
    this.executions.set(id, {
      id,
      name,
      status: "running",
      output: null,
      error: null,
      parentId: parent?.id ?? null,
      taskCalls: [],
      waits: [],
      errorAt: null,
      flow,
      machine,
      inbox: [],
      started: false,
      parentHandle: parent?.handle ?? null,
      state: null,
      handles: new Map(),
    });
    if (parent) this.executions.get(parent.id)?.handles.set(parent.handle, { id });
    return id;
  }

  /** Buffers a signal for an execution (delivered to its waits in FIFO order). */
  signal(executionId: string, name: string, payload: unknown): void {
    const ex = this.executions.get(executionId);
    if (!ex) throw new Error(`unknown execution "${executionId}"`);
    if (ex.status === "completed" || ex.status === "failed") {
      throw new Error(`execution "${executionId}" has finished (${ex.status}); it takes no more signals`);
    }
    this.buffer(executionId, { seq: this.seq++, name, payload });
  }

  /** Puts a signal in an execution's buffer at its place (a signal given back keeps its own). */
  private buffer(executionId: string, signal: Buffered): void {
    const list = this.buffers.get(executionId) ?? [];
    let at = list.length;
    while (at > 0 && list[at - 1].seq > signal.seq) at--;
    list.splice(at, 0, signal);
    this.buffers.set(executionId, list);
  }

  get(executionId: string): ExecutionView {
    const ex = this.executions.get(executionId);
    if (!ex) throw new Error(`unknown execution "${executionId}"`);
    const { id, name, status, output, error, parentId, taskCalls, waits, errorAt } = ex;
    return { id, name, status, output, error, parentId, taskCalls, waits, errorAt };
  }

  /**
   * The execution's last saved state read as call stacks with named variables and what it
   * awaits (as `rhythm inspect` shows it); for a failed run, its last saved state. Null when it
   * completed or never suspended.
   */
  inspect(executionId: string, limits?: Partial<ShowLimits>): Inspection | null {
    const ex = this.executions.get(executionId);
    if (!ex) throw new Error(`unknown execution "${executionId}"`);
    if (!ex.state || ex.status === "completed") return null;
    return inspectState({ program: ex.flow.program, state: ex.state, source: ex.flow.source, handles: ex.handles, limits });
  }

  /**
   * Runs until nothing can progress. With `advanceClock` (default), the virtual clock jumps to
   * the next timer whenever everything else is blocked.
   */
  async run(options: { advanceClock?: boolean } = {}): Promise<void> {
    const advance = options.advanceClock ?? true;
    this.activations = 0;
    for (;;) {
      if (await this.step()) continue;
      if (!advance || !this.fireNextTimers()) return;
    }
  }

  /** Moves the virtual clock forward, firing the timers that come due, then runs. */
  async advance(ms: number): Promise<void> {
    const until = this.now + ms;
    for (;;) {
      await this.run({ advanceClock: false });
      const next = this.earliestTimer();
      if (next === null || next > until) break;
      this.fireNextTimers();
    }
    this.now = until;
    await this.run({ advanceClock: false });
  }

  // ── one step ──────────────────────────────────────────────────────────────────────────────

  /** Delivers what is ready and activates every execution that has something to do. */
  private async step(): Promise<boolean> {
    let progressed = false;
    const completions = this.completions;
    this.completions = [];
    for (const c of completions) {
      const outcome = await c.outcome;
      const ex = this.executions.get(c.executionId)!;
      ex.inbox.push(
        outcome.ok ? { handle: c.handle, ok: true, value: outcome.value } : { handle: c.handle, ok: false, error: outcome.error },
      );
      progressed = true;
    }
    if (this.matchSignals()) progressed = true;
    for (const ex of [...this.executions.values()]) {
      if (ex.status === "completed" || ex.status === "failed") continue;
      if (ex.started && ex.inbox.length === 0) continue;
      const settlements = ex.inbox;
      ex.inbox = [];
      ex.started = true;
      const limit = this.options.maxActivations ?? 100_000;
      if (++this.activations > limit) {
        throw new RunawayError(
          `stopped after ${limit} activations at virtual time ${new Date(this.now).toISOString()}: the workflow seems to loop forever (raise maxActivations)`,
        );
      }
      const result = ex.machine.activate(settlements);
      this.apply(ex, planEffects(result, { id: ex.id, name: ex.name, queue: "default" }));
      progressed = true;
    }
    return progressed;
  }

  /** Carries out what an activation asked for (the engine writes the same plan in one transaction). */
  private apply(ex: Execution, plan: EffectsPlan): void {
    for (const start of plan.start) {
      if (start.kind === "workflow") {
        this.start(start.name, start.inputs, { id: ex.id, handle: start.handle });
        continue;
      }
      ex.taskCalls.push({ name: start.name, inputs: start.inputs });
      const count = this.taskCounts.get(start.name) ?? 0;
      this.taskCounts.set(start.name, count + 1);
      const mock = this.options.tasks?.[start.name];
      const taskId = `${ex.id}-task-${ex.taskCalls.length}`;
      ex.handles.set(start.handle, { id: taskId });
      const outcome = mockOutcome(mock, start.name, start.inputs, count, { executionId: taskId, attempt: 1, parentId: ex.id });
      this.completions.push({
        executionId: ex.id,
        handle: start.handle,
        outcome: outcome.then((o) => (o.ok ? o : { ok: false as const, error: taskErrorJson(start.name, 1, o.error) })),
      });
    }
    for (const w of plan.signalWaits) this.waits.push({ seq: this.seq++, executionId: ex.id, handle: w.handle, name: w.name });
    for (const t of plan.timers) {
      const signal = plan.signalWaits.find((w) => w.handle === t.handle)?.name ?? "";
      this.timers.push({
        at: t.at,
        seq: this.seq++,
        executionId: ex.id,
        handle: t.handle,
        settlement:
          t.kind === "timer"
            ? { handle: t.handle, ok: true, value: null }
            : { handle: t.handle, ok: false, error: signalTimeoutError(signal) },
      });
    }
    for (const l of plan.logs) this.logs.push({ executionId: ex.id, workflow: ex.name, ...l });
    this.forget(ex.id, new Set(plan.dropped));
    // A signal that reached a wait which had given up its place goes back to its place in the buffer.
    for (const handle of plan.ignored) {
      const d = this.delivered.get(`${ex.id}:${handle}`);
      if (d) this.buffer(ex.id, d);
    }
    for (const key of [...this.delivered.keys()]) if (key.startsWith(`${ex.id}:`)) this.delivered.delete(key);
    const outcome = plan.outcome;
    if (outcome.status === "suspended") {
      ex.status = "suspended";
      ex.waits = outcome.waits;
      ex.state = outcome.state;
      this.options.onSuspend?.(ex.id, outcome.state);
      if (this.options.resumeMode) {
        const saved = JSON.parse(JSON.stringify(outcome.state));
        ex.machine = Machine.restore(ex.flow.program, saved, { host: this.machineHost(), limits: this.options.limits });
      }
      return;
    }
    ex.status = outcome.status;
    ex.waits = [];
    ex.output = outcome.status === "completed" ? outcome.output : null;
    ex.error = outcome.status === "failed" ? outcome.error : null;
    ex.errorAt = outcome.status === "failed" ? outcome.errorAt : null;
    this.forget(ex.id, null);
    if (ex.parentId !== null && ex.parentHandle !== null && plan.toParent) {
      const parent = this.executions.get(ex.parentId)!;
      parent.inbox.push({ handle: ex.parentHandle, ...plan.toParent });
    }
  }

  /** Removes timers and signal waits of handles the execution can no longer observe (all: null). */
  private forget(executionId: string, handles: Set<number> | null): void {
    const gone = (x: { executionId: string; handle: number }) =>
      x.executionId === executionId && (handles === null || handles.has(x.handle));
    this.timers = this.timers.filter((t) => !gone(t));
    this.waits = this.waits.filter((w) => !gone(w));
  }

  /** Gives buffered signals to waits (pairSignals: per name, oldest wait with oldest signal). */
  private matchSignals(): boolean {
    let matched = false;
    for (const [executionId, buffered] of this.buffers) {
      const waits = this.waits.filter((w) => w.executionId === executionId);
      for (const [w, signal] of pairSignals(waits, buffered)) {
        this.waits = this.waits.filter((x) => x !== w);
        this.timers = this.timers.filter((t) => !(t.executionId === w.executionId && t.handle === w.handle));
        buffered.splice(buffered.indexOf(signal), 1);
        this.executions.get(w.executionId)!.inbox.push({ handle: w.handle, ok: true, value: signal.payload });
        this.delivered.set(`${w.executionId}:${w.handle}`, signal);
        matched = true;
      }
    }
    return matched;
  }

  private earliestTimer(): number | null {
    return this.timers.length === 0 ? null : Math.min(...this.timers.map((t) => t.at));
  }

  /** Jumps the clock to the earliest timer and fires every timer due then. */
  private fireNextTimers(): boolean {
    const next = this.earliestTimer();
    if (next === null) return false;
    if (next > this.now) this.now = next;
    const due = this.timers.filter((t) => t.at <= this.now).sort((a, b) => a.at - b.at || a.seq - b.seq);
    this.timers = this.timers.filter((t) => t.at > this.now);
    for (const t of due) {
      this.waits = this.waits.filter((w) => !(w.executionId === t.executionId && w.handle === t.handle));
      this.executions.get(t.executionId)!.inbox.push(t.settlement);
    }
    return due.length > 0;
  }

  private machineHost() {
    return {
      now: () => this.now,
      random: this.random,
      hasWorkflow: (name: string) => this.options.loadWorkflow(name) !== null,
    };
  }
}
