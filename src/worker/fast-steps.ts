// A workflow step in one round trip (issue 17). When a step suspends a workflow on one task that
// it inserted claimed by this worker, the worker keeps what resuming it needs (its saved state,
// wakeups, row version) in a bounded cache. When that task succeeds here, the workflow is
// activated from the cache before anything is sent, and the completion, the activation's writes
// and the next task (claimed by this worker) go as one autocommitted statement (FastStep), which
// writes nothing if anything changed the workflow meanwhile: then the completion takes the usual
// step's transaction (step-commit.ts), which activates it again from what is stored.
// Only workflows waiting on this worker's own task are kept: one suspended on a signal or a timer
// still costs no worker memory.

import { randomUUID } from "node:crypto";
import { isConflict, isDataError } from "../shared/postgres-errors.js";
import type { Store } from "../store/store.js";
import type { Claimed, EnqueueItem, Settled } from "../store/types.js";
import type { Activate, Activated, ActivationInput } from "./activation.js";
import { workflowEvents } from "./events.js";
import { claimableHere, type StepPolicy } from "./step-commit.js";

/** Bytes of saved state the cache holds at most (the least recently kept go first). */
export const FAST_CACHE_BYTES = 32 * 1024 * 1024;

/** A workflow suspended on the task `taskId`, which this worker runs. */
interface Kept {
  taskId: string;
  token: string;
  handle: number;
  /** The input of the activation that suspended it, its state replaced by the one it saved. */
  input: ActivationInput;
  wakeups: number;
  xid: string;
  /** Workflow time when it was kept, and this machine's clock then. */
  dbAt: number;
  localAt: number;
  bytes: number;
}

/** What the fast path needs of its worker. */
export interface FastHost {
  store: Store;
  /** Activations, untraced: a traced worker does not take the fast path (see usable). */
  activator: Activate;
  policy: Pick<StepPolicy, "workerId" | "queues" | "registry" | "leaseMs" | "onError" | "onEvent">;
  /** Whether a step may go the fast way now (running, no tracer, the group commit not loaded). */
  usable(): boolean;
  /** Takes a slot for the next task (false: none free); `freeSlot` gives it back. */
  takeSlot(): boolean;
  freeSlot(): void;
  /** Runs a task taken for this worker. */
  begin(c: Claimed): void;
  inDoubt(tasks: Claimed[]): void;
  /** The usual way: the completion written by the group commit. */
  fallback(c: Claimed, output: unknown): Promise<boolean>;
  /** Told of an activation the fast path committed (metrics). */
  committed(input: ActivationInput, a: Activated): void;
}

/**
 * Fast steps in flight at once at most: each is a commit of its own, where the group commit
 * shares one among a batch — under load (S3) more of them only multiplied the commits.
 */
const MAX_IN_FLIGHT = 1;

export class FastSteps {
  private readonly kept = new Map<string, Kept>();
  private bytes = 0;
  private inFlight = 0;
  /** Steps written the fast way, and those that fell back after the activation ran (tests, bench). */
  taken = 0;
  declined = 0;

  constructor(
    private readonly host: FastHost,
    private readonly capBytes = FAST_CACHE_BYTES,
  ) {}

  /** A committed step's activation: kept when it suspended on one task this worker runs. */
  remember(a: Activated, s: Settled, dbAt = a.input?.dbNow, localAt = a.input?.localAt ?? Date.now()): void {
    const w = a.write;
    if (!a.input || dbAt === undefined || w.outcome.status !== "suspended" || s.row.status !== "suspended") return;
    if (s.dispatched.length !== 1 || w.start.length !== 1 || w.timers.length > 0 || w.signalWaits.length > 0) return;
    const task = s.dispatched[0];
    const handle = w.start[0].parentHandle;
    if (handle == null || s.awaitedFinished.length > 0) return;
    let bytes: number;
    try {
      bytes = 2 * JSON.stringify(w.outcome.state).length + 512;
    } catch {
      return;
    }
    if (bytes > this.capBytes / 4) return;
    this.keep({
      taskId: task.id,
      token: task.claim_token,
      handle,
      input: { ...a.input, state: w.outcome.state, attempt: Math.max(a.input.attempt, 1), inbox: [], handed: [], lost: 0 },
      wakeups: s.row.wakeups,
      xid: s.row.xid,
      dbAt,
      localAt,
      bytes,
    });
  }

  /** The task ended some other way (failed, cancelled, lost): its workflow is not resumed here. */
  forget(taskId: string): void {
    const k = this.kept.get(taskId);
    if (!k) return;
    this.kept.delete(taskId);
    this.bytes -= k.bytes;
  }

  clear(): void {
    this.kept.clear();
    this.bytes = 0;
  }

  /**
   * A task attempt of this worker succeeded: its step the fast way when its workflow is kept
   * here, else null (the caller writes it the usual way).
   */
  complete(c: Claimed, output: unknown): Promise<boolean> | null {
    const k = this.kept.get(c.id);
    if (!k) return null;
    this.forget(c.id);
    if (k.token !== c.claim_token || this.inFlight >= MAX_IN_FLIGHT || !this.host.usable()) return null;
    this.inFlight++;
    return this.step(k, c, output ?? null);
  }

  private keep(k: Kept): void {
    this.forget(k.taskId);
    this.kept.set(k.taskId, k);
    this.bytes += k.bytes;
    for (const [id, old] of this.kept) {
      if (this.bytes <= this.capBytes) break;
      this.kept.delete(id);
      this.bytes -= old.bytes;
    }
  }

  private async step(k: Kept, c: Claimed, output: unknown): Promise<boolean> {
    let flying = true;
    const landed = () => {
      if (flying) this.inFlight--;
      flying = false;
    };
    if (!this.host.takeSlot()) {
      landed();
      return this.host.fallback(c, output);
    }
    let slot = true;
    try {
      const localAt = Date.now();
      // workflow time goes on from when it was kept, on this machine's clock (as an activation's does)
      const dbNow = k.dbAt + Math.max(0, localAt - k.localAt);
      const input: ActivationInput = {
        ...k.input,
        // the settlement counts as the wakeup Wake would have counted (as lockedActivation)
        wakeups: k.wakeups + 1,
        dbNow,
        localAt,
        hold: { kind: "locked", handed: 1 },
        handed: [{ executionId: k.input.id, handle: k.handle, ok: true, value: output }],
      };
      let a: Activated;
      try {
        a = await this.host.activator.run(input, true);
      } catch {
        // (a crash, a program not loaded: the usual step deals with it)
        return this.decline(c, output);
      }
      const start = this.nextTask(a);
      if (start === undefined) return this.decline(c, output);
      const o = a.write.outcome;
      const r = await this.host.store.fastStep(
        {
          task: { id: k.taskId, token: k.token, output },
          workflow: { id: k.input.id, rootId: k.input.rootId, handle: k.handle, wakeups: k.wakeups, xid: k.xid },
          workerId: this.host.policy.workerId,
          outcome:
            o.status === "completed"
              ? { status: "completed", output: o.output }
              : (o as Extract<typeof o, { status: "suspended" }>),
          start,
          logs: a.write.logs,
        },
        (tasks) => this.host.inDoubt(tasks),
      );
      if (!r.ok) return this.decline(c, output);
      this.taken++;
      this.host.committed(input, a);
      this.report(a);
      if (r.dispatched.length > 0) {
        const row = { status: "suspended" as const, wakeups: r.wakeups, xid: r.xid };
        const settled: Settled = {
          parent_id: null,
          parent_handle: null,
          awaiters: [],
          awaitedFinished: [],
          dispatched: r.dispatched,
          row,
        };
        this.remember(a, settled, dbNow, localAt);
        slot = false;
        this.host.freeSlot();
        // (its completion may take the fast path in turn)
        landed();
        this.host.begin(r.dispatched[0]);
      }
      return true;
    } catch (e) {
      // nothing was written (or, with the connection lost, perhaps all of it: the usual step's
      // completion then matches no claim, and the task it took is run by inDoubt). A deadlock or
      // a refused value is the usual step's to meet and report, once.
      if (!isConflict(e) && !isDataError(e)) this.host.policy.onError(e);
      return this.host.fallback(c, output);
    } finally {
      landed();
      if (slot) this.host.freeSlot();
    }
  }

  private decline(c: Claimed, output: unknown): Promise<boolean> {
    this.declined++;
    // (the group commit writes it: another step may go the fast way meanwhile)
    return this.host.fallback(c, output);
  }

  /**
   * The next task of an activation the fast path can write (null: none), claimed for this worker;
   * undefined when the statement cannot write it: a failure, a parent to tell, timers, signal
   * waits, handles let go, several starts or one this worker does not take.
   */
  private nextTask(a: Activated): EnqueueItem | null | undefined {
    const w = a.write;
    if (w.outcome.status === "failed" || (w.outcome.status === "completed" && a.input?.parentId != null)) return undefined;
    if (w.timers.length > 0 || w.signalWaits.length > 0 || w.dropped.length > 0 || w.ignored.length > 0) return undefined;
    if (w.consumed.length > 0 || w.start.length > 1) return undefined;
    if (w.start.length === 0) return null;
    const i = w.start[0];
    if (!claimableHere(i, this.host.policy)) return undefined;
    // (a traced worker never comes here: the trace the workflow's tasks join is its own)
    const trace = a.input?.trace ?? null;
    return {
      ...i,
      trace,
      claim: { workerId: this.host.policy.workerId, token: randomUUID(), leaseMs: this.host.policy.leaseMs },
    };
  }

  private report(a: Activated): void {
    const onEvent = this.host.policy.onEvent;
    if (!onEvent) return;
    for (const event of workflowEvents(a.write, a.facts)) {
      try {
        onEvent(event);
      } catch (e) {
        this.host.policy.onError(e);
      }
    }
  }
}
