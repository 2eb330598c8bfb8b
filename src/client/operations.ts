// Operations on paused runs (SPEC §10, docs/operations.md): fork a run, set one of its variables,
// retry a failed workflow from the await whose failure it did not catch. Each is one transaction
// that holds the run's row lock (Store.operate): a worker's claim, a signal or a task completion
// arriving meanwhile waits for it or, when a worker already holds the run, the operation is
// refused. What to do with the saved state is decided here; the store reads and writes it.

import { randomUUID } from "node:crypto";
import { withDebugTables, type Program } from "../compiler/index.js";
import { defaultActor } from "./actor.js";
import { movedState, resolveVersion } from "./upgrade.js";
import { isExecutionId } from "../shared/ids.js";
import type { EnqueueItem, TimerKind } from "../store/types.js";
import type { HandleExecution, LockedRun, OperationsTx } from "../store/operations.js";
import type { Store } from "../store/store.js";
import type { Limits } from "../vm/limits.js";
import { showText, type Shown } from "../vm/show-value.js";
import type { SavedState } from "../vm/snapshot.js";
import {
  pendingHostHandles,
  retargetContext,
  setVariableInState,
  StateEditRefused,
  type PendingHostHandle,
} from "../vm/state-edit.js";
import {
  ExecutionNotFoundError,
  InvalidArgumentError,
  NotAWorkflowError,
  OperationRefusedError,
  RetryRefusedError,
} from "./errors.js";

function actorOf(by: string | undefined): string {
  if (by === undefined) return defaultActor();
  if (typeof by !== "string" || by.trim() === "" || by.length > 200)
    throw new InvalidArgumentError("by must be a non-empty string of at most 200 characters");
  return by;
}

// ── fork ──────────────────────────────────────────────────────────────────────────────────────

/** What `rhythm.fork` did. */
export interface ForkResult {
  /** The new execution. */
  id: string;
  forkedFrom: string;
  /** Tasks and children the fork awaits, started again for it (their originals stay the original's). */
  started: { handle: number; kind: "task" | "workflow"; name: string }[];
  /** Awaited tasks and children that had already completed: their results were copied to the fork. */
  copied: { handle: number; kind: "task" | "workflow"; name: string; from: string }[];
  /** Timers (with their fire times) and signal waits the fork waits on, as the original did. */
  timers: number;
  signalWaits: number;
}

/**
 * A new execution with a copy of a paused (or failed) run's saved state and version. What it
 * awaits is its own: a task or child that has completed gives the fork its result; any other is
 * started again as a new execution for the fork; timers keep their fire times; signal waits wait
 * again, and signals buffered for the original are not copied.
 */
export async function forkExecution(store: Store, id: string, options: { by?: string } = {}): Promise<ForkResult> {
  const by = actorOf(options.by);
  if (!isExecutionId(id)) throw new ExecutionNotFoundError(id);
  return store.operate(async (tx) => {
    const run = await lockedWorkflow(tx, id, "only workflows can be forked");
    const refuse = (why: string) => new OperationRefusedError("FORK_REFUSED", id, why);
    if (run.claimed) throw refuse("a worker is running it now; fork it once it pauses");
    if (run.state === null) throw refuse(noStateReason(run));
    const forkId = randomUUID();
    const state = retargetContext(run.state as SavedState, forkId, null);
    const pending = pendingHostHandles(state);
    const waits = waitsOf(pending);
    const execs = executionsByHandle(
      await tx.handleExecutions(
        id,
        pending.filter(isCall).map((p) => p.handle),
      ),
    );
    const result: ForkResult = {
      id: forkId,
      forkedFrom: id,
      started: [],
      copied: [],
      timers: waits.timers.length,
      signalWaits: waits.signalWaits.length,
    };
    const starts: EnqueueItem[] = [];
    const inbox: { handle: number; ok: boolean; value: unknown }[] = [];
    for (const p of pending.filter(isCall)) {
      const x = execs.get(p.handle);
      if (!x) throw refuse(`it awaits ${p.kind} "${p.name}" (handle ${p.handle}), which was never stored`);
      if (x.status === "completed") {
        inbox.push({ handle: p.handle, ok: true, value: x.output });
        result.copied.push({ handle: p.handle, kind: x.kind as "task", name: x.name, from: x.id });
        continue;
      }
      // its own execution of the same call (without the idempotency key, which the original holds)
      starts.push({
        kind: x.kind,
        name: x.name,
        inputs: x.inputs,
        queue: x.queue,
        priority: x.priority,
        maxAttempts: x.kind === "task" ? x.max_attempts : null,
        backoff: x.kind === "task" ? x.backoff : null,
        timeoutMs: x.kind === "task" ? x.timeout_ms : null,
        parentId: forkId,
        parentHandle: p.handle,
      });
      result.started.push({ handle: p.handle, kind: x.kind as "task", name: x.name });
    }
    await tx.insertFork(forkId, id, state);
    await tx.start(starts);
    await tx.addInbox(forkId, inbox);
    await tx.addWaits(forkId, waits.timers, waits.signalWaits);
    await tx.log(id, `forked by ${by} as ${forkId}`);
    await tx.log(
      forkId,
      `forked by ${by} from ${id} (${run.status}): ${result.started.length} awaited task(s)/child(ren) started again, ` +
        `${result.copied.length} result(s) copied, ${result.timers} timer(s), ${result.signalWaits} signal wait(s)`,
    );
    return result;
  });
}

// ── set ───────────────────────────────────────────────────────────────────────────────────────

/** What `rhythm.setVariable` changed. */
export interface VariableChange {
  id: string;
  name: string;
  frame: number;
  function: string;
  line: number;
  /** The value before, as `rhythm inspect` shows it. */
  old: Shown;
  new: unknown;
  by: string;
}

export interface SetVariableOptions {
  /** The frame, as `rhythm inspect` numbers its stack (default 0: the main body's innermost). */
  frame?: number;
  /** Who asked (recorded in the run's log); default the OS user. */
  by?: string;
  limits?: Partial<Limits>;
}

/**
 * Sets a variable of a suspended (or failed) workflow by name, in one transaction holding its row
 * lock: refused while a worker runs it or it is queued to run, when the name is not in scope at
 * that frame's paused line, or when the value breaks a limit. Logged with old and new value.
 */
export async function setVariable(
  store: Store,
  id: string,
  name: string,
  value: unknown,
  options: SetVariableOptions = {},
): Promise<VariableChange> {
  const by = actorOf(options.by);
  const frame = options.frame ?? 0;
  if (typeof name !== "string" || name === "") throw new InvalidArgumentError("the variable name must be a non-empty string");
  if (!Number.isInteger(frame) || frame < 0) throw new InvalidArgumentError("frame must be a whole number ≥ 0");
  if (value === undefined) throw new InvalidArgumentError("the value must be JSON (undefined is not)");
  const read = isExecutionId(id) ? await store.savedState(id) : null;
  if (!read) throw new ExecutionNotFoundError(id);
  return store.operate(async (tx) => {
    const run = await lockedWorkflow(tx, id, "only a workflow's variables can be set");
    const refuse = (why: string) => new OperationRefusedError("EDIT_REFUSED", id, why);
    if (run.claimed) throw refuse("a worker is running it now; set it once it pauses");
    if (run.status === "queued") throw refuse("it is queued: a worker is about to continue it; set it once it pauses");
    if (run.state === null) throw refuse(noStateReason(run));
    if (run.version !== read.version || read.program === null || read.source === null)
      throw refuse(`its version ${run.version} is not stored`);
    const program = withDebugTables(read.program as Program, read.source);
    if (program.functions[0]?.debug === undefined)
      throw refuse("its version was compiled before Rhythm kept variable names, so they cannot be found");
    let edited;
    try {
      edited = setVariableInState(program, run.state as SavedState, { name, frame, value }, options.limits);
    } catch (e) {
      if (e instanceof StateEditRefused) throw refuse(e.message);
      throw e;
    }
    if (!(await tx.writeState(id, edited.state))) throw refuse("a worker is running it now; set it once it pauses");
    await tx.log(
      id,
      `set ${name} = ${JSON.stringify(value)} (was ${showText(edited.old)}) in frame ${frame} (${edited.function}, line ${edited.line}) by ${by}`,
    );
    return { id, name, frame, function: edited.function, line: edited.line, old: edited.old, new: value, by };
  });
}

// ── retry ─────────────────────────────────────────────────────────────────────────────────────

/** What `rhythm.retry` of a workflow did. */
export interface WorkflowRetry {
  id: string;
  /** "saved state": continued from its last pause; "start": it failed before pausing, so from its first line. */
  from: "saved state" | "start";
  /** The awaited tasks given a new attempt and children retried (the same executions). */
  retried: { handle: number; kind: "task" | "workflow"; name: string; id: string }[];
  /** Awaited tasks and children that completed while it was failed: their results are delivered. */
  delivered: { handle: number; kind: "task" | "workflow"; name: string; id: string }[];
}

/**
 * Continues a failed workflow from its last saved state: the awaited task or child whose failure
 * it did not catch gets a new attempt (a child workflow is retried the same way), results that
 * arrived after it failed are delivered, timers and signal waits wait again. No task that had
 * finished before runs again. One that failed before its first pause starts from its first line.
 */
export async function retryWorkflow(
  store: Store,
  id: string,
  options: { by?: string; version?: string } = {},
): Promise<WorkflowRetry> {
  const by = actorOf(options.by);
  if (!isExecutionId(id)) throw new ExecutionNotFoundError(id);
  if (options.version !== undefined && options.version !== "latest" && !/^[0-9a-f]{6,64}$/.test(options.version))
    throw new InvalidArgumentError('version must be "latest" or a version (its sha256, or at least its first 6 hex digits)');
  return store.operate((tx) => retryIn(tx, id, by, new Set(), options.version));
}

async function retryIn(tx: OperationsTx, id: string, by: string, seen: Set<string>, version?: string): Promise<WorkflowRetry> {
  seen.add(id);
  const run = await tx.lock(id);
  if (!run) throw new ExecutionNotFoundError(id);
  if (run.status !== "failed") throw new RetryRefusedError(id, `it is ${run.status}; only a failed execution can be retried`);
  let moved = "";
  if (version !== undefined && run.state !== null) {
    // retried on another version: its state moves first, by the upgrade rule, or nothing happens
    const target = await resolveVersion(tx, run.name, version);
    if (target.startsWith("!")) throw new RetryRefusedError(id, target.slice(1));
    if (target !== run.version) {
      const verdict = await movedState(tx, run.name, run.version!, target, run.state as SavedState);
      if (!verdict.ok) throw new RetryRefusedError(id, `it cannot move to version ${target.slice(0, 12)}: ${verdict.reason}`);
      run.state = verdict.state;
      await tx.setVersion(id, target);
      moved = ` on version ${target.slice(0, 12)} (continuing at line ${verdict.to.line})`;
    }
  }
  if (run.state === null) {
    if (version !== undefined) {
      const target = await resolveVersion(tx, run.name, version);
      if (target.startsWith("!")) throw new RetryRefusedError(id, target.slice(1));
      await tx.setVersion(id, target);
    }
    await tx.resume(id, null);
    await tx.log(id, `retried by ${by} from its first line (it failed before it first paused, so no state was kept)`);
    return { id, from: "start", retried: [], delivered: [] };
  }
  const pending = pendingHostHandles(run.state as SavedState);
  const waits = waitsOf(pending);
  const execs = executionsByHandle(
    await tx.handleExecutions(
      id,
      pending.filter(isCall).map((p) => p.handle),
    ),
  );
  const out: WorkflowRetry = { id, from: "saved state", retried: [], delivered: [] };
  const inbox: { handle: number; ok: boolean; value: unknown }[] = [];
  const children: string[] = [];
  for (const p of pending.filter(isCall)) {
    const x = execs.get(p.handle);
    if (!x) throw new RetryRefusedError(id, `it awaits ${p.kind} "${p.name}" (handle ${p.handle}), which was never stored`);
    const entry = { handle: p.handle, kind: x.kind as "task", name: x.name, id: x.id };
    if (x.status === "completed") {
      inbox.push({ handle: p.handle, ok: true, value: x.output });
      out.delivered.push(entry);
    } else if (x.status === "failed" || x.status === "cancelled") {
      if (x.via_awaiter)
        throw new RetryRefusedError(
          id,
          `it awaits ${x.kind} ${x.id}, which another run started and which ${x.status}: retry that one first`,
        );
      if (x.kind === "task") await tx.requeueTask(x.id);
      else if (x.status === "cancelled") throw new RetryRefusedError(id, `its child workflow ${x.id} was cancelled`);
      else if (!seen.has(x.id)) children.push(x.id);
      out.retried.push(entry);
    }
    // queued, running or suspended: its outcome is delivered when it ends
  }
  await tx.resume(id, run.state);
  await tx.addInbox(id, inbox);
  await tx.addWaits(id, waits.timers, waits.signalWaits);
  for (const child of children) await retryIn(tx, child, by, seen);
  const what = out.retried.map((r) => `${r.kind} "${r.name}" ${r.id}`).join(", ");
  await tx.log(
    id,
    `retried by ${by} from its last saved state${moved}` +
      (what ? `; given a new attempt: ${what}` : "") +
      (out.delivered.length > 0 ? `; ${out.delivered.length} result(s) that arrived after it failed delivered` : ""),
  );
  return out;
}

// ── shared ────────────────────────────────────────────────────────────────────────────────────

async function lockedWorkflow(tx: OperationsTx, id: string, why: string): Promise<LockedRun> {
  const run = await tx.lock(id);
  if (!run) throw new ExecutionNotFoundError(id);
  if (run.kind !== "workflow") throw new NotAWorkflowError(id, why);
  return run;
}

function noStateReason(run: LockedRun): string {
  if (run.status === "queued" || run.status === "running") return "it has not paused yet, so it has no saved state";
  if (run.status === "failed") return "it failed before it first paused, so it has no saved state";
  return `it is ${run.status} and its state is no longer kept`;
}

const isCall = (p: PendingHostHandle): boolean => p.kind === "task" || p.kind === "workflow";

/** The execution each handle stands for: the one the run started, else the one it awaits. */
function executionsByHandle(rows: HandleExecution[]): Map<number, HandleExecution> {
  const out = new Map<number, HandleExecution>();
  for (const r of rows) if (!out.has(r.handle) || !r.via_awaiter) out.set(r.handle, r);
  return out;
}

/** Timers (with their fire times) and signal waits (with their timeouts) of the pending handles. */
function waitsOf(pending: PendingHostHandle[]): {
  timers: { handle: number; at: number; kind: TimerKind }[];
  signalWaits: { handle: number; name: string }[];
} {
  const timers: { handle: number; at: number; kind: TimerKind }[] = [];
  const signalWaits: { handle: number; name: string }[] = [];
  for (const p of pending) {
    if (p.kind === "timer" && p.at !== undefined) timers.push({ handle: p.handle, at: p.at, kind: "timer" });
    if (p.kind === "signal" && p.name !== undefined) {
      signalWaits.push({ handle: p.handle, name: p.name });
      if (p.timeoutAt !== undefined) timers.push({ handle: p.handle, at: p.timeoutAt, kind: "signal-timeout" });
    }
  }
  return { timers, signalWaits };
}
