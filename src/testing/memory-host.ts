// The in-memory host: runs workflows without a database, with mocked (or hand-written) tasks,
// a virtual clock, buffered signals and child workflows. It is what `rhythm run` and the
// language corpus use, and what users import from "rhythm-flow/testing" for their own tests.
// Work happens in deterministic steps: tasks and children complete at the host step after the
// one that started them; when nothing else can progress, the clock jumps to the next timer.

import type { CompiledFlow } from "../compiler/index.js";
import { signalTimeoutError } from "../shared/flow-errors.js";
import { taskErrorJson, workflowErrorJson } from "../vm/errors.js";
import { Machine, type ActivationResult, type Limits, type Settlement } from "../vm/machine.js";
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
  status: "running" | "suspended" | "completed" | "failed";
  output: unknown;
  error: unknown;
  parentId: string | null;
  /** Task.run calls of this execution, in call order. */
  taskCalls: TaskCall[];
  /** What the execution waits on, when suspended. */
  waits: ActivationResult["waits"];
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

export class MemoryHost {
  readonly executions = new Map<string, Execution>();
  readonly logs: LogLine[] = [];
  /** Per task name: how many times it was called (mock lists are consumed with it). */
  readonly taskCounts = new Map<string, number>();
  private now: number;
  private readonly random: () => number;
  private timers: Timer[] = [];
  private waits: SignalWait[] = [];
  private buffers = new Map<string, Map<string, unknown[]>>();
  private seq = 0;
  private activations = 0;
  /** Signals handed to waits, until the activation that receives them has run. */
  private delivered = new Map<string, { name: string; payload: unknown }>();
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
    });
    return id;
  }

  /** Buffers a signal for an execution (delivered to its waits in FIFO order). */
  signal(executionId: string, name: string, payload: unknown): void {
    const ex = this.executions.get(executionId);
    if (!ex) throw new Error(`unknown execution "${executionId}"`);
    if (ex.status === "completed" || ex.status === "failed") {
      throw new Error(`execution "${executionId}" has finished (${ex.status}); it takes no more signals`);
    }
    let byName = this.buffers.get(executionId);
    if (!byName) this.buffers.set(executionId, (byName = new Map()));
    const queue = byName.get(name) ?? [];
    queue.push(payload);
    byName.set(name, queue);
  }

  get(executionId: string): ExecutionView {
    const ex = this.executions.get(executionId);
    if (!ex) throw new Error(`unknown execution "${executionId}"`);
    const { id, name, status, output, error, parentId, taskCalls, waits, errorAt } = ex;
    return { id, name, status, output, error, parentId, taskCalls, waits, errorAt };
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
      this.apply(ex, ex.machine.activate(settlements));
      progressed = true;
    }
    return progressed;
  }

  private apply(ex: Execution, result: ActivationResult): void {
    for (const effect of result.effects) {
      switch (effect.type) {
        case "task": {
          ex.taskCalls.push({ name: effect.name, inputs: effect.inputs });
          const count = this.taskCounts.get(effect.name) ?? 0;
          this.taskCounts.set(effect.name, count + 1);
          const mock = this.options.tasks?.[effect.name];
          const taskId = `${ex.id}-task-${ex.taskCalls.length}`;
          const outcome = mockOutcome(mock, effect.name, effect.inputs, count, {
            executionId: taskId,
            attempt: 1,
            parentId: ex.id,
          });
          this.completions.push({
            executionId: ex.id,
            handle: effect.handle,
            outcome: outcome.then((o) => (o.ok ? o : { ok: false as const, error: taskErrorJson(effect.name, 1, o.error) })),
          });
          break;
        }
        case "workflow":
          this.start(effect.name, effect.inputs, { id: ex.id, handle: effect.handle });
          break;
        case "timer":
          this.timers.push({
            at: effect.at,
            seq: this.seq++,
            executionId: ex.id,
            handle: effect.handle,
            settlement: { handle: effect.handle, ok: true, value: null },
          });
          break;
        case "signal":
          this.waits.push({ seq: this.seq++, executionId: ex.id, handle: effect.handle, name: effect.name });
          if (effect.timeoutAt !== null) {
            this.timers.push({
              at: effect.timeoutAt,
              seq: this.seq++,
              executionId: ex.id,
              handle: effect.handle,
              settlement: {
                handle: effect.handle,
                ok: false,
                error: signalTimeoutError(effect.name),
              },
            });
          }
          break;
        case "log":
          this.logs.push({
            executionId: ex.id,
            workflow: ex.name,
            level: effect.level,
            message: effect.message,
            line: effect.line,
            source: effect.source,
          });
          break;
      }
    }
    this.forget(ex.id, new Set(result.dropped));
    // A signal that reached a wait which had given up its place goes back to the buffer front.
    for (const handle of result.ignored) {
      const d = this.delivered.get(`${ex.id}:${handle}`);
      if (!d) continue;
      let byName = this.buffers.get(ex.id);
      if (!byName) this.buffers.set(ex.id, (byName = new Map()));
      byName.set(d.name, [d.payload, ...(byName.get(d.name) ?? [])]);
    }
    for (const key of [...this.delivered.keys()]) if (key.startsWith(`${ex.id}:`)) this.delivered.delete(key);
    ex.waits = result.waits;
    if (result.status === "suspended") {
      ex.status = "suspended";
      if (this.options.resumeMode) {
        const saved = JSON.parse(JSON.stringify(result.state));
        ex.machine = Machine.restore(ex.flow.program, saved, { host: this.machineHost(), limits: this.options.limits });
      }
      return;
    }
    ex.status = result.status;
    ex.output = result.status === "completed" ? result.output : null;
    ex.error = result.status === "failed" ? result.error : null;
    ex.errorAt = result.errorAt ?? null;
    this.forget(ex.id, null);
    if (ex.parentId !== null && ex.parentHandle !== null) {
      const parent = this.executions.get(ex.parentId)!;
      parent.inbox.push(
        result.status === "completed"
          ? { handle: ex.parentHandle, ok: true, value: result.output }
          : { handle: ex.parentHandle, ok: false, error: workflowErrorJson(ex.name, ex.id, result.error) },
      );
    }
  }

  /** Removes timers and signal waits of handles the execution can no longer observe (all: null). */
  private forget(executionId: string, handles: Set<number> | null): void {
    const gone = (x: { executionId: string; handle: number }) =>
      x.executionId === executionId && (handles === null || handles.has(x.handle));
    this.timers = this.timers.filter((t) => !gone(t));
    this.waits = this.waits.filter((w) => !gone(w));
  }

  /** Gives buffered signals to waits, oldest wait first. */
  private matchSignals(): boolean {
    let matched = false;
    for (const w of [...this.waits]) {
      const queue = this.buffers.get(w.executionId)?.get(w.name);
      if (!queue || queue.length === 0) continue;
      const payload = queue.shift();
      this.waits = this.waits.filter((x) => x !== w);
      this.timers = this.timers.filter((t) => !(t.executionId === w.executionId && t.handle === w.handle));
      this.executions.get(w.executionId)!.inbox.push({ handle: w.handle, ok: true, value: payload });
      this.delivered.set(`${w.executionId}:${w.handle}`, { name: w.name, payload });
      matched = true;
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
