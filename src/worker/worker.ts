// The worker: claims runnable executions in batches (FOR UPDATE SKIP LOCKED), runs task handlers
// and workflow activations, fires due timers, takes back expired leases, and sleeps between
// rounds until a NOTIFY or the poll interval wakes it. Suspended workflows hold no memory here.

import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { isTransientError } from "../shared/postgres-errors.js";
import type { ExecutionKind } from "../shared/statuses.js";
import { DatabaseUnavailableError } from "../store/connection-errors.js";
import type { Store } from "../store/store.js";
import type { Claimed, Completion } from "../store/types.js";
import type { NextDue } from "../store/timers.js";
import { WORKER_BEAT_MS, type Beat } from "../store/workers.js";
import { ActivationCrashedError } from "../shared/activation-crash.js";
import { Activator, runActivation, type Activate, type Activated } from "./activation.js";
import { expireDeadlines } from "./deadlines.js";
import { GroupCommit } from "./group-commit.js";
import { expireLeases } from "./lease-expiry.js";
import { LeaseRenewal } from "./lease-renewal.js";
import { RetentionRunner, retentionAges } from "./retention.js";
import { ScheduleTicker } from "./schedule-ticker.js";
import { failLost, loseActivation, lostTooOften } from "./lost-activations.js";
import type { ProgramCache } from "./program-cache.js";
import { perWorkerLimit, type TaskRegistry } from "./registry.js";
import { StepCommit, type StepItem, type StepPolicy } from "./step-commit.js";
import { tracing, WorkerTelemetry } from "./telemetry.js";
import { FastSteps } from "./fast-steps.js";
import { Sleeper } from "./sleeper.js";
import type { WorkerOptions } from "./worker-options.js";
import { DEFAULT_LEASE_MS, startTask, TaskCancelledError, type RunningTask, type TaskHooks } from "./task-runner.js";

export type { WorkerOptions };

/** Fast steps only while the group commit is idle (under load, its batches are cheaper). */
const FAST_STEP_MAX_LOAD = 1;

/** A workflow activation takes milliseconds; its lease only covers a worker dying mid-way. */
const ACTIVATION_LEASE_MS = 30_000;

/** An execution this worker is running; `running` until its slot is given back. */
interface InFlight {
  id: string;
  kind: ExecutionKind;
  name: string;
  task?: RunningTask;
  token: string;
  running: boolean;
  done: Promise<void>;
}

export class Worker {
  readonly id = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly queues: string[];
  private readonly concurrency: number;
  private readonly pollMs: number;
  private running = false;
  private loop: Promise<void> | null = null;
  /** The main loop's and the backoffs' sleeps (poked awake by notifications and stop()). */
  private readonly sleeper = new Sleeper(() => {
    // a poll, or a timer or due time reached: whatever a missed notification would have said, the
    // next round reads again (and runnable work may have come without one: a delay or a backoff ending)
    this.timersDirty = true;
    this.maybeMore = true;
  });
  private unlisten: (() => Promise<void>) | null = null;
  private readonly inflight = new Map<string, InFlight>();
  /** Executions holding one of the `concurrency` slots: a task's slot is free again as soon as
   * its handler returns, while its outcome waits for the next group commit — so the next claim
   * overlaps that write instead of following it. */
  private occupied = 0;
  private lastBeat = 0;
  /** When the earliest lease of a running execution expires (local clock), read with each beat. */
  private nextLeaseAt: number | null = null;
  private nextTimerAt: number | null = null;
  /**
   * When queued work of this worker's queues that was not runnable yet (a delay, a runAt, a
   * retry's backoff) comes due, local clock: the worker sleeps until then rather than until its
   * next poll. Learnt from the database with the next timer, and from NOTIFY "r:<ms>:<queue>".
   */
  private nextDueAt: number | null = null;
  /** Due times notified while the next due time was being read (the read may not have seen them). */
  private notedDue = Infinity;
  /** The next timer and due time are read again only when they may have changed (a NOTIFY "t",
   * timers fired, a due time passed, a poll): reading them every round cost one statement per
   * claim under load. */
  private timersDirty = true;
  /**
   * Whether a claim may find work: false after a claim that got less than it asked for, true
   * again on a NOTIFY for our queues (or a poll). A slot coming free claims only while it is
   * true — otherwise every step of a workflow (whose next task this worker was handed in the
   * same transaction) cost two claims that found nothing.
   */
  private maybeMore = true;
  /** Tasks taken for this worker by a group commit whose COMMIT lost its connection (see runInDoubt). */
  private inDoubt: Claimed[] = [];
  /** Task completions and activations of this worker, written in batches (one step each). */
  private readonly commits: GroupCommit<StepItem>;
  private readonly activator: Activate;
  /** The activations' threads (`activator` is them, traced). */
  private readonly threads: Activator;
  private readonly steps: StepCommit;
  /** Workflow steps in one statement (null: turned off). */
  readonly fast: FastSteps | null;
  private readonly taskHooks: TaskHooks<InFlight>;
  private readonly telemetry: WorkerTelemetry;
  private readonly ticker: ScheduleTicker | null;
  private readonly retention: RetentionRunner;

  constructor(
    private readonly store: Store,
    private readonly registry: TaskRegistry,
    private readonly programs: ProgramCache,
    private readonly options: WorkerOptions = {},
  ) {
    this.queues = options.queues ?? ["default"];
    this.concurrency = options.concurrency ?? 10;
    this.pollMs = options.pollIntervalMs ?? WORKER_BEAT_MS;
    this.telemetry = new WorkerTelemetry(() => store.queueDepths());
    this.threads = new Activator(programs, registry, options.limits, options.isolation);
    // (traced: a span per activation, docs/telemetry.md)
    this.activator = this.telemetry.activations(this.threads);
    const policy: StepPolicy = {
      workerId: this.id,
      queues: this.queues,
      registry,
      leaseMs: ACTIVATION_LEASE_MS,
      onError: (e) => this.options.onError?.(e),
      onEvent: options.onEvent,
      onSettled: (a, s) => this.fast?.remember(a, s),
    };
    this.steps = new StepCommit(store, this.activator, policy);
    this.fast = (options.fastSteps ?? process.env.RHYTHM_FAST_STEPS !== "0") ? this.fastSteps(policy) : null;
    this.commits = new GroupCommit(
      (items, alone) => this.writeBatch(items, alone),
      500,
      2,
      // finished work waiting for the database to take its outcome: said, as the claim loop says it
      (e, delayMs) => this.options.onError?.(new DatabaseUnavailableError(e, delayMs)),
    );
    this.taskHooks = this.taskHooksOf();
    const onError = (e: unknown) => this.options.onError?.(e);
    this.ticker = options.schedules === false ? null : new ScheduleTicker(store, onError);
    this.retention = new RetentionRunner(store, retentionAges(options.retention), onError);
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Activation threads replaced since start (one died or overran its time). */
  get threadsReplaced(): number {
    return this.threads.threadsReplaced;
  }

  /**
   * Starts claiming work. A database that cannot be used yet (a server still starting, a network
   * not up, a full disk) is waited for: tried again after 1 s, 2 s, 4 s … 30 s, each wait reported
   * to onError as a DatabaseUnavailableError ("database unreachable (…), retrying in 2 s"), until
   * it answers or stop() is called. Any other error is thrown. `prepare` runs first, in the same
   * retries (the client deploys the workflows folder there).
   */
  async start(prepare?: () => Promise<unknown>): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.untilDatabaseAnswers(async () => {
        await prepare?.();
        await this.programs.refreshNames(true);
        await this.beat();
      });
      // stop() was called while the database was awaited
      if (!this.running) return;
      this.unlisten = await this.store.listen((payload) => this.onNotify(payload));
      // what was announced before LISTEN took hold is read again in the first round
      this.timersDirty = true;
    } catch (e) {
      // a start that failed can be tried again
      this.running = false;
      throw e;
    }
    this.loop = this.run();
    this.ticker?.start();
    this.retention.start();
  }

  /**
   * Writes this worker's row (the queues it serves, the tasks it registers: store/workers.ts) and
   * learns in the same statement when its next timer, due work and lease expiry come.
   */
  private async beat(): Promise<void> {
    this.lastBeat = Date.now();
    // cleared before the read: a NOTIFY "t" arriving while it runs sets it again
    this.timersDirty = false;
    this.notedDue = Infinity;
    let beat: Beat;
    try {
      beat = await this.store.workerBeat(this.id, this.queues, this.registry.names());
    } catch (e) {
      this.timersDirty = true;
      throw e;
    }
    this.learnDue(beat);
    this.nextLeaseAt = beat.leaseMs === null ? null : Date.now() + Math.max(0, beat.leaseMs);
  }

  /** When the next timer fires and queued work comes due, as read from the database just now. */
  private learnDue(next: NextDue): void {
    const at = Date.now();
    this.nextTimerAt = next.timerMs === null ? null : at + Math.max(0, next.timerMs);
    // a due time notified meanwhile stays: this read may have started before its commit
    const due = Math.min(next.dueMs === null ? Infinity : at + Math.max(0, next.dueMs), this.notedDue);
    this.nextDueAt = due === Infinity ? null : due;
  }

  /** Runs `step` until it succeeds, waiting with backoff while its errors are transient. */
  private async untilDatabaseAnswers(step: () => Promise<void>): Promise<void> {
    for (let failures = 0; this.running; failures++) {
      try {
        return await step();
      } catch (e) {
        if (!isTransientError(e)) throw e;
        const wait = Math.min(30_000, 1000 * 2 ** failures);
        this.options.onError?.(new DatabaseUnavailableError(e, wait));
        // stop() pokes this sleep awake
        await this.sleeper.sleep(wait);
      }
    }
  }

  /** Stops claiming, lets running work finish (up to shutdownTimeoutMs), hands back the rest. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.poke();
    await Promise.all([this.loop, this.ticker?.stop(), this.retention.stop()]);
    // no longer counted among the workers that take work (get/list: Execution.blocked)
    await this.store.workerGone(this.id).catch(() => {});
    const grace = this.options.shutdownTimeoutMs ?? 10_000;
    const all = Promise.all([...this.inflight.values()].map((x) => x.done));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      all.then(() => false),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(true), grace))),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      for (const [id, x] of this.inflight) {
        if (!x.task) continue;
        x.task.abort(new TaskCancelledError());
        await this.store.release(id, x.token).catch(() => {});
      }
      await Promise.allSettled([...this.inflight.values()].map((x) => x.done));
    }
    // tasks that may have been taken for this worker (runInDoubt) go back to their queue, if they exist
    for (const t of this.inDoubt.splice(0)) await this.store.release(t.id, t.claim_token).catch(() => {});
    await this.unlisten?.();
    this.fast?.clear();
    this.taskHooks.renewal.close();
    this.telemetry.close();
    await this.threads.close();
  }

  private onNotify(payload: string): void {
    if (payload.startsWith("c:")) {
      this.inflight.get(payload.slice(2))?.task?.abort(new TaskCancelledError());
      return;
    }
    if (payload.startsWith("r:")) {
      // "r:<ms>:<queue>": work on that queue comes due in <ms> (queue names may hold ":")
      const colon = payload.indexOf(":", 2);
      if (colon < 0 || !this.queues.includes(payload.slice(colon + 1))) return;
      this.dueAt(Date.now() + Number(payload.slice(2, colon)));
      return;
    }
    if (payload === "s" || payload === "") this.ticker?.changed();
    if (payload === "" || payload === "t") this.timersDirty = true;
    if (
      payload === "" ||
      payload === "t" ||
      payload === "q:*" ||
      (payload.startsWith("q:") && this.queues.includes(payload.slice(2)))
    ) {
      this.maybeMore = true;
      this.poke();
    }
  }

  /** Work comes due at `at` (local clock): the worker wakes then, without a claim now. */
  private dueAt(at: number): void {
    if (!(at >= 0)) return;
    this.notedDue = Math.min(this.notedDue, at);
    if (this.nextDueAt !== null && this.nextDueAt <= at) return;
    this.nextDueAt = at;
    this.sleeper.by(at);
  }

  /** Slots came free: worth a claim only when there may be runnable work left. */
  private slotsFreed(): void {
    if (this.maybeMore) this.poke();
  }

  private poke(): void {
    this.sleeper.poke();
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      let busy = false;
      try {
        busy = await this.round();
        failures = 0;
      } catch (e) {
        failures++;
        // back off while the database is unreachable: 1 s, 2 s, 4 s … up to 30 s, and say so
        const backoff = Math.min(30_000, 1000 * 2 ** (failures - 1));
        this.options.onError?.(isTransientError(e) ? new DatabaseUnavailableError(e, backoff) : e);
      }
      if (!this.running) break;
      if (busy) continue;
      // the next beat is due whatever pollIntervalMs says: a worker silent 30 s counts as gone
      const next = Math.min(
        this.nextTimerAt ?? Infinity,
        this.nextDueAt ?? Infinity,
        this.nextLeaseAt ?? Infinity,
        this.lastBeat + WORKER_BEAT_MS,
      );
      if (failures > 0) await this.sleeper.sleep(Math.min(30_000, 1000 * 2 ** (failures - 1)));
      else await this.sleeper.sleep(Math.min(this.pollMs, next - Date.now()), true);
    }
  }

  /** One round; returns true when there may be more work right away. */
  private async round(): Promise<boolean> {
    const now = Date.now();
    // Work that came due is claimed below, once the next due time has been read again.
    if (this.nextDueAt !== null && this.nextDueAt <= now) {
      this.nextDueAt = null;
      this.timersDirty = true;
      this.maybeMore = true;
    }
    // Timers are fired only when one is known to be due (nextTimerAt comes from the database with
    // each beat and when a NOTIFY "t" announces new ones): an idle worker's round every beat is the
    // beat and one claim (docs/benchmarks.md, "The fastest queue").
    if (this.nextTimerAt !== null && this.nextTimerAt <= now) {
      const fired = await this.store.fireTimers(100);
      // workflows past their `timeout` (deadline timers, fired apart: worker/deadlines.ts)
      const timedOut = await expireDeadlines(this.store, 100);
      this.timersDirty = true;
      if (fired === 100 || timedOut === 100) return true;
    }
    await this.runInDoubt();
    // Expired leases are looked for when the earliest one known runs out, then the beat reads the
    // next (a lease taken since the last beat is learnt at the next: leases of 30 s and more end
    // after it; a shorter task timeout's is taken back at most one beat late); a full batch looks
    // again at once.
    let leasesChecked = false;
    if (this.nextLeaseAt !== null && this.nextLeaseAt <= now) {
      leasesChecked = true;
      this.nextLeaseAt = null;
      if ((await expireLeases(this.store, this.registry, 50)) === 50) this.nextLeaseAt = now;
    }
    if (leasesChecked || now - this.lastBeat >= WORKER_BEAT_MS) {
      const more = this.nextLeaseAt;
      await this.beat();
      if (more !== null) this.nextLeaseAt = more;
    }
    // Read before the claim: it sees only work not due yet, so work coming due between the two is
    // taken by the claim (read after it, such work was in neither, and waited for the next beat).
    if (this.timersDirty) {
      this.timersDirty = false;
      this.notedDue = Infinity;
      try {
        this.learnDue(await this.store.nextDue(this.queues));
      } catch (e) {
        this.timersDirty = true;
        throw e;
      }
    }
    const free = this.concurrency - this.occupied;
    let claimedAll = false;
    if (free > 0) {
      // cleared before the claim: a NOTIFY arriving while it runs sets it again
      this.maybeMore = false;
      const claimed = await this.store.claim(this.id, this.queues, this.claimableTaskNames(), free, ACTIVATION_LEASE_MS);
      // One claim can return more attempts of a task than its `concurrency` allows (the query
      // only knows which names still have room); the excess goes straight back, uncounted.
      const room = new Map(this.claimableTaskNames().map((n) => [n, this.taskRoom(n)]));
      for (const c of claimed) {
        const left = c.kind === "task" ? room.get(c.name) : undefined;
        if (left !== undefined && left <= 0) {
          await this.store.release(c.id, c.claim_token);
          this.maybeMore = true;
          continue;
        }
        if (left !== undefined) room.set(c.name, left - 1);
        this.begin(c);
      }
      claimedAll = claimed.length === free;
      if (claimedAll) this.maybeMore = true;
    }
    return claimedAll;
  }

  /**
   * One group commit, written as a step (step-commit.ts): it also takes this worker's next work in
   * the same transaction — workflows the batch wakes are activated there, and the tasks they start
   * come back claimed, to run here (the free slots are reserved meanwhile so the claim loop cannot
   * give them away too). Written alone after a failed batch, an item takes nothing extra.
   */
  private async writeBatch(items: StepItem[], alone: boolean): Promise<boolean[]> {
    // completions of tasks no workflow waits for wake nothing, so nothing is taken with them
    if (items.every((i) => i.type === "complete" && i.standalone)) {
      const written = await this.store.completeStandalone(items as Completion[]);
      // a task that workflows came to await by its idempotency key (or whose claim was lost, which
      // matches nothing again) is written as a step, which tells them
      const rest = items.filter((_, n) => !written[n]);
      if (rest.length === 0) return written;
      const again = (await this.steps.write(rest, null)).written;
      let k = 0;
      return written.map((w) => w || again[k++]);
    }
    if (alone || !this.running) return (await this.steps.write(items, null)).written;
    // a batch written again after a lost connection first settles what the lost one took
    await this.runInDoubt();
    // a batch item leads to about one next task (a completion wakes a workflow that starts the
    // next step): reserving more would only keep the claim loop from slots meanwhile
    const slots = Math.max(0, Math.min(items.length, this.concurrency - this.occupied));
    this.occupied += slots;
    let result: { written: boolean[]; tasks: Claimed[] };
    try {
      result = await this.steps.write(items, { slots, inDoubt: (tasks) => this.inDoubt.push(...tasks) });
    } finally {
      this.occupied -= slots;
    }
    for (const c of result.tasks) this.begin(c);
    // slots reserved and not used are free again
    if (result.tasks.length < slots) this.slotsFreed();
    return result.written;
  }

  /**
   * A group commit that lost its connection at COMMIT may have committed, tasks it inserted
   * claimed by this worker included. Those that exist with their claim are run now: left alone
   * they would sit `running` until their lease expired and then count a lost attempt (failing a
   * task with no retries that never ran). Those that do not exist were rolled back with their
   * batch, which is written again. Throws, keeping them, while the database cannot say.
   */
  private async runInDoubt(): Promise<void> {
    if (this.inDoubt.length === 0) return;
    const tasks = this.inDoubt.splice(0);
    let held: Set<string>;
    try {
      held = await this.store.heldClaims(tasks.map((t) => ({ id: t.id, token: t.claim_token })));
    } catch (e) {
      this.inDoubt.unshift(...tasks);
      throw e;
    }
    for (const t of tasks) if (held.has(t.id)) this.begin(t);
  }

  /** How many more attempts of a task this worker may start now (Infinity without a limit). */
  private taskRoom(name: string): number {
    const limit = perWorkerLimit(this.registry.get(name)?.options);
    if (limit === undefined) return Infinity;
    let running = 0;
    for (const x of this.inflight.values()) if (x.kind === "task" && x.name === name && x.running) running++;
    return limit - running;
  }

  private claimableTaskNames(): string[] {
    return this.registry.names().filter((n) => this.taskRoom(n) > 0);
  }

  private begin(c: Claimed): void {
    this.occupied++;
    this.telemetry.claimed(c);
    const entry: InFlight = {
      id: c.id,
      kind: c.kind,
      name: c.name,
      token: c.claim_token,
      running: true,
      done: Promise.resolve(),
    };
    this.inflight.set(c.id, entry);
    if (c.kind === "task") {
      entry.task = startTask(this.store, this.registry.get(c.name)!, c, this.taskHooks, entry);
      entry.done = entry.task.done;
      return;
    }
    const commit = (activated: Activated) => {
      this.vacate(entry);
      return this.commits.submit({ type: "activation", activated });
    };
    // a workflow whose activations were lost too often fails rather than running again
    const work = lostTooOften(c) ? failLost(c, commit) : runActivation(this.activator, c, commit);
    entry.done = work.then(
      () => this.finish(entry),
      async (e: unknown) => {
        if (e instanceof ActivationCrashedError) {
          // counted on its row and given back at once (or failed): never left to its lease
          await loseActivation(this.store, c, e.reason, commit).catch((e2: unknown) => this.options.onError?.(e2));
          this.finish(entry);
          this.options.onError?.(e);
          return;
        }
        // an activation that could not run or save for now (the database went away) is given
        // back at once rather than after its lease; Release matches only the current claim, so
        // after a commit whose acknowledgement was lost it does nothing
        if (isTransientError(e)) void this.store.release(c.id, c.claim_token).catch(() => {});
        this.finish(entry);
        this.options.onError?.(e);
      },
    );
  }

  /** The slot is given back once the work is done and only its write is pending. */
  private vacate(entry: InFlight): void {
    if (!entry.running) return;
    entry.running = false;
    this.occupied--;
    // attempts of a task at its concurrency limit were left out of the last claim
    if (entry.kind === "task" && perWorkerLimit(this.registry.get(entry.name)?.options) !== undefined) this.maybeMore = true;
    this.slotsFreed();
  }

  private finish(entry: InFlight): void {
    this.vacate(entry);
    // (a later claim of the same execution may have taken its place)
    if (this.inflight.get(entry.id) === entry) this.inflight.delete(entry.id);
  }

  /** The fast path's view of this worker (fast-steps.ts). */
  private fastSteps(policy: StepPolicy): FastSteps {
    return new FastSteps({
      store: this.store,
      activator: this.threads,
      policy,
      usable: () => this.running && this.commits.load < FAST_STEP_MAX_LOAD && !tracing(),
      takeSlot: () => {
        if (this.occupied >= this.concurrency) return false;
        this.occupied++;
        return true;
      },
      freeSlot: () => this.occupied--,
      begin: (c) => this.begin(c),
      inDoubt: (tasks) => this.inDoubt.push(...tasks),
      fallback: (c, output) =>
        this.commits.submit({ type: "complete", id: c.id, token: c.claim_token, output, standalone: false }),
      committed: (input, a) => this.telemetry.activatedUntraced(input, a),
    });
  }

  /**
   * What every task attempt of this worker calls back: one object for all of them, where a set
   * of closures and promise chains per attempt made a third of the worker's garbage in S1.
   */
  private taskHooksOf(): TaskHooks<InFlight> {
    return {
      log: (_, c, message) => this.store.appendTaskLog(c.id, message),
      complete: (_, c, output) =>
        (c.parent_id === null ? null : this.fast?.complete(c, output)) ??
        this.commits.submit({ type: "complete", id: c.id, token: c.claim_token, output, standalone: c.parent_id === null }),
      handlerDone: (entry) => this.vacate(entry),
      ended: (entry, error) => {
        this.fast?.forget(entry.id);
        this.finish(entry);
        if (error !== null) this.options.onError?.(error);
      },
      renewal: new LeaseRenewal(this.store, DEFAULT_LEASE_MS),
      telemetry: this.telemetry,
    };
  }
}
