// The in-memory host: runs workflows without a database, with mocked (or hand-written) tasks,
// a virtual clock, buffered signals and child workflows. It is what `rhythm run` and the
// language corpus use, and what users import from "rhythm-flow/testing" for their own tests.
// Work happens in deterministic steps: tasks and children complete at the host step after the
// one that started them; when nothing else can progress, the clock jumps to the next timer, task
// attempt due (a `delay`/`runAt`, a retry's backoff). Task.run options act as in the engine:
// retries, delays, idempotency keys (a call whose key is taken awaits the task holding it),
// concurrency keys and rate limits (flow-gates.ts).

import type { CompiledFlow } from "../compiler/index.js";
import { cancelledError, signalTimeoutError, workflowTimeoutError } from "../shared/flow-errors.js";
import { workflowErrorJson } from "../vm/errors.js";
import { pairSignals, planEffects, type EffectsPlan, type Start, type TaskStart } from "../vm/effects-plan.js";
import { Machine, type Settlement } from "../vm/machine.js";
import { inspectState, type Inspection } from "../vm/inspect-state.js";
import type { ShowLimits } from "../vm/show-value.js";
import { FlowGates } from "./flow-gates.js";
import { seededRandom } from "./random.js";
import type { TaskOutcome } from "./mocks.js";
import {
  RunawayError,
  type Buffered,
  type Execution,
  type ExecutionView,
  type LogLine,
  type MemoryHostOptions,
  type SignalWait,
  type Timer,
} from "./memory-host-types.js";
import { afterAttempt, attemptOf, settlementFor, taskRunOf, type TaskRun, type Waiter } from "./task-runs.js";

/** A deadline's timer handle (no workflow handle is negative), as the engine's migration 014. */
const DEADLINE_HANDLE = -1;

export const DEFAULT_START_TIME = Date.UTC(2026, 0, 1);

export { RunawayError, type ExecutionView, type LogLine, type MemoryHostOptions, type TaskCall } from "./memory-host-types.js";

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
  /** Task attempts' outcomes waiting for the next step, in the order the attempts started. */
  private completions: { run: TaskRun; outcome: Promise<TaskOutcome> }[] = [];
  /** Task attempts waiting for the clock: a delayed task's first, a retry after its backoff. */
  private scheduled: ({ at: number; seq: number; run: TaskRun } | { at: number; seq: number; gated: Execution })[] = [];
  /** Concurrency keys and rate limits, with the engine's meaning. */
  private readonly gates = new FlowGates();
  /** Idempotency keys taken, by kind, name and key: the task or child workflow holding each. */
  private readonly keys = new Map<string, TaskRun | string>();
  /** Debounce keys (kind, name, key): the task or child workflow of the window, and its maxWait cap. */
  private readonly debounced = new Map<string, { holder: TaskRun | string; until: number }>();

  constructor(private readonly options: MemoryHostOptions) {
    this.now = options.startTime ?? DEFAULT_START_TIME;
    this.random = seededRandom(options.seed ?? 1);
  }

  get clock(): number {
    return this.now;
  }

  /** Starts a workflow; it runs at the next `run()`. */
  start(
    name: string,
    inputs: unknown = {},
    parent?: { id: string; handle: number },
    options: { timeoutMs?: number | null } = {},
  ): string {
    const flow = this.options.loadWorkflow(name);
    if (!flow) throw new Error(`unknown workflow "${name}"`);
    const id = `exec-${this.nextExecution++}`;
    const machine = this.machineFor(flow, id, name, inputs, parent?.id ?? null);
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
      awaiters: [],
      settled: null,
      timeoutMs: options.timeoutMs ?? null,
      startAt: null,
      concurrency: null,
      rateLimit: null,
      gated: false,
    });
    if (parent) this.executions.get(parent.id)?.handles.set(parent.handle, { id });
    return id;
  }

  private machineFor(flow: CompiledFlow, id: string, name: string, inputs: unknown, parentId: string | null): Machine {
    return Machine.start(flow.program, {
      inputs,
      context: {
        executionId: id,
        workflowName: name,
        version: flow.version,
        attempt: 1,
        parentId,
        startedAt: new Date(this.now).toISOString(),
      },
      host: this.machineHost(),
      limits: this.options.limits,
    });
  }

  /** Buffers a signal for an execution (delivered to its waits in FIFO order). */
  signal(executionId: string, name: string, payload: unknown): void {
    const ex = this.executions.get(executionId);
    if (!ex) throw new Error(`unknown execution "${executionId}"`);
    if (ex.status === "completed" || ex.status === "failed" || ex.status === "cancelled") {
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
    for (const { run, outcome } of completions) {
      const next = afterAttempt(run, await outcome, this.random);
      progressed = true;
      this.gates.leave(run.concurrency);
      if ("retryInMs" in next) {
        this.scheduled.push({ at: this.now + next.retryInMs, seq: this.seq++, run });
        continue;
      }
      run.settled = next.settled;
      for (const w of run.waiters) this.executions.get(w.executionId)!.inbox.push(settlementFor(w, next.settled));
    }
    if (this.matchSignals()) progressed = true;
    for (const ex of [...this.executions.values()]) {
      if (ex.status === "completed" || ex.status === "failed" || ex.status === "cancelled") continue;
      if ((ex.started && ex.inbox.length === 0) || ex.gated) continue;
      if (!ex.started && ex.startAt !== null && ex.startAt > this.now) continue;
      // the deadline counts from the first activation, as in the engine (store/deadlines.ts)
      if (!ex.started && ex.timeoutMs !== null) this.timers.push(this.deadlineOf(ex.id, this.now + ex.timeoutMs));
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
      const caller = { executionId: ex.id, handle: start.handle };
      // a key already taken starts nothing: the call awaits what holds it (as in the engine)
      const key = start.idempotencyKey === null ? null : `${start.kind}\u0000${start.name}\u0000${start.idempotencyKey}`;
      const holder = key === null ? undefined : this.keys.get(key);
      if (holder !== undefined) {
        this.await(holder, caller);
        continue;
      }
      const debounceKey = start.debounce && `${start.kind}\u0000${start.name}\u0000${start.debounce.key}`;
      if (debounceKey && this.joinDebounced(debounceKey, start, caller)) continue;
      if (start.kind === "workflow") {
        const child = this.start(start.name, start.inputs, { id: ex.id, handle: start.handle }, { timeoutMs: start.timeoutMs });
        if (key !== null) this.keys.set(key, child);
        if (debounceKey && start.debounce) {
          this.executions.get(child)!.startAt = this.now + start.debounce.delayMs;
          this.debounced.set(debounceKey, { holder: child, until: this.debounceUntil(start) });
        }
        const cx = this.executions.get(child)!;
        cx.concurrency = start.concurrency;
        cx.rateLimit = start.rateLimit;
        if (cx.concurrency !== null || cx.rateLimit !== null) this.admit(cx);
        continue;
      }
      ex.taskCalls.push({ name: start.name, inputs: start.inputs });
      const taskId = `${ex.id}-task-${ex.taskCalls.length}`;
      ex.handles.set(start.handle, { id: taskId });
      const run = taskRunOf(taskId, start, caller);
      if (key !== null) this.keys.set(key, run);
      if (debounceKey && start.debounce) {
        this.debounced.set(debounceKey, { holder: run, until: this.debounceUntil(start) });
        this.begin(run, { ...start, runAt: this.now + start.debounce.delayMs });
      } else this.begin(run, start);
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
    this.gates.leave(ex.concurrency);
    ex.settled = plan.toParent;
    if (plan.toParent) {
      const waiters =
        ex.parentId !== null && ex.parentHandle !== null ? [{ executionId: ex.parentId, handle: ex.parentHandle }] : [];
      for (const w of [...waiters, ...ex.awaiters])
        this.executions.get(w.executionId)!.inbox.push({ handle: w.handle, ...plan.toParent });
    }
  }

  /** A task's first attempt: now, or when its `delay`/`runAt` comes (virtual time). */
  private begin(run: TaskRun, start: TaskStart): void {
    if (start.runAt !== null && start.runAt > this.now) this.scheduled.push({ at: start.runAt, seq: this.seq++, run });
    else this.attempt(run);
  }

  /** Calls the task's mock for its next attempt (the next mock of its name: one counter per name). */
  private attempt(run: TaskRun): void {
    const gate = this.gates.enter(run.concurrency, run.rateLimit, this.now, () => this.attempt(run));
    if (gate === false) return;
    if (gate !== true) {
      this.scheduled.push({ at: gate.waitUntil, seq: this.seq++, run });
      return;
    }
    const count = this.taskCounts.get(run.name) ?? 0;
    this.taskCounts.set(run.name, count + 1);
    this.completions.push({ run, outcome: attemptOf(run, this.options.tasks?.[run.name], count) });
  }

  /** A child workflow with a key or a rate limit: activated once it has a slot and its start is allowed. */
  private admit(ex: Execution): void {
    ex.gated = true;
    const gate = this.gates.enter(ex.concurrency, ex.rateLimit, this.now, () => this.admit(ex));
    if (gate === true) ex.gated = false;
    else if (gate !== false) this.scheduled.push({ at: gate.waitUntil, seq: this.seq++, gated: ex });
  }

  /** A call whose idempotency key `holder` (a task, or a child workflow's id) holds: settled when it ends, or now. */
  private await(holder: TaskRun | string, caller: Waiter): void {
    const ex = this.executions.get(caller.executionId)!;
    ex.handles.set(caller.handle, { id: typeof holder === "string" ? holder : holder.id });
    const inbox = ex.inbox;
    if (typeof holder !== "string") {
      if (holder.settled) inbox.push(settlementFor(caller, holder.settled));
      else holder.waiters.push(caller);
      return;
    }
    const child = this.executions.get(holder)!;
    if (child.settled) inbox.push({ handle: caller.handle, ...child.settled });
    else child.awaiters.push(caller);
  }

  private debounceUntil(start: Start): number {
    const max = start.debounce?.maxWaitMs;
    return max === null || max === undefined ? Infinity : this.now + max;
  }

  /**
   * A debounced call whose key an execution that has not started holds (SPEC §9): that one takes
   * its inputs and starts at now + delay (capped), and the call awaits it. False: start a new one.
   */
  private joinDebounced(key: string, start: Start, caller: Waiter): boolean {
    const held = this.debounced.get(key);
    if (!held || !start.debounce) return false;
    const at = Math.min(this.now + start.debounce.delayMs, held.until);
    if (typeof held.holder === "string") {
      const child = this.executions.get(held.holder)!;
      if (child.started) return false;
      child.machine = this.machineFor(child.flow, child.id, child.name, start.inputs, child.parentId);
      child.startAt = at;
    } else {
      const run = held.holder;
      const waiting = this.scheduled.find((s) => "run" in s && s.run === run);
      if (!waiting || run.attempt > 0) return false;
      run.inputs = start.inputs;
      waiting.at = at;
      // the call that started it lists the inputs it runs with, as the engine's row holds them
      const call = Number(run.id.slice(run.id.lastIndexOf("-") + 1));
      const owner = this.executions.get(run.parentId)?.taskCalls[call - 1];
      if (owner) owner.inputs = start.inputs;
    }
    this.await(held.holder, caller);
    return true;
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

  /** The earliest timer or task attempt waiting for the clock. */
  private earliestTimer(): number | null {
    const times = [...this.timers.map((t) => t.at), ...this.scheduled.map((s) => s.at)];
    // child workflows whose debounced start is still to come
    for (const ex of this.executions.values())
      if (!ex.started && ex.startAt !== null && ex.startAt > this.now) times.push(ex.startAt);
    return times.length === 0 ? null : Math.min(...times);
  }

  /** Jumps the clock to the earliest timer (or task attempt due) and fires every one due then, in time order. */
  private fireNextTimers(): boolean {
    const next = this.earliestTimer();
    if (next === null) return false;
    const moved = next > this.now;
    if (moved) this.now = next;
    const due = [...this.timers.filter((t) => t.at <= this.now), ...this.scheduled.filter((s) => s.at <= this.now)].sort(
      (a, b) => a.at - b.at || a.seq - b.seq,
    );
    this.timers = this.timers.filter((t) => t.at > this.now);
    this.scheduled = this.scheduled.filter((s) => s.at > this.now);
    for (const t of due) {
      if ("run" in t) {
        this.attempt(t.run);
        continue;
      }
      if ("gated" in t) {
        this.admit(t.gated);
        continue;
      }
      if (t.handle === DEADLINE_HANDLE) {
        this.timeOut(t.executionId);
        continue;
      }
      this.waits = this.waits.filter((w) => !(w.executionId === t.executionId && w.handle === t.handle));
      this.executions.get(t.executionId)!.inbox.push(t.settlement);
    }
    return due.length > 0 || moved;
  }

  private deadlineOf(executionId: string, at: number): Timer {
    const settlement: Settlement = { handle: DEADLINE_HANDLE, ok: false, error: null };
    return { at, seq: this.seq++, executionId, handle: DEADLINE_HANDLE, settlement };
  }

  /**
   * A workflow past its `timeout`: it fails with a Timeout, its parent and awaiters are told (a
   * WorkflowError), and its child workflows still going are cancelled, recursively; its tasks'
   * outcomes and delayed attempts are dropped (a mock has no AbortSignal to hear it by).
   */
  private timeOut(executionId: string): void {
    const ex = this.executions.get(executionId)!;
    ex.status = "failed";
    ex.error = workflowTimeoutError(ex.timeoutMs ?? 0);
    ex.errorAt = null;
    ex.settled = { ok: false, error: workflowErrorJson(ex.name, ex.id, ex.error) };
    const waiters =
      ex.parentId !== null && ex.parentHandle !== null ? [{ executionId: ex.parentId, handle: ex.parentHandle }] : [];
    for (const w of [...waiters, ...ex.awaiters])
      this.executions.get(w.executionId)!.inbox.push({ handle: w.handle, ...ex.settled });
    this.endRun(ex);
  }

  /** What a run that ended from outside leaves: no waits, timers, inbox, delayed tasks or live children. */
  private endRun(ex: Execution): void {
    ex.waits = [];
    ex.inbox = [];
    this.forget(ex.id, null);
    this.scheduled = this.scheduled.filter((s) => !("run" in s && s.run.waiters.some((w) => w.executionId === ex.id)));
    for (const child of this.executions.values()) {
      if (child.parentId !== ex.id || !["running", "suspended"].includes(child.status)) continue;
      child.status = "cancelled";
      child.error = cancelledError(`workflow "${child.name}" was cancelled`);
      // its parent is ending; the workflows awaiting it by its idempotency key are told
      child.settled = { ok: false, error: child.error };
      for (const w of child.awaiters) this.executions.get(w.executionId)!.inbox.push({ handle: w.handle, ...child.settled });
      this.endRun(child);
    }
  }

  private machineHost() {
    return {
      now: () => this.now,
      random: this.random,
      hasWorkflow: (name: string) => this.options.loadWorkflow(name) !== null,
    };
  }
}
