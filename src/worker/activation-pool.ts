// Activations run in a pool of worker threads, each with its own heap limit, so the worker's event
// loop — lease renewals, other task attempts, heartbeats, the claim loop — keeps running while an
// activation computes, and a thread that dies (out of memory) or overruns its time takes only its
// activation with it (ActivationCrashedError) and is replaced. Each thread keeps the programs,
// the deployed names and the task defaults it was sent: an activation is one message each way.

import { availableParallelism } from "node:os";
import { Worker as Thread } from "node:worker_threads";
import type { Program } from "../compiler/index.js";
import { ActivationCrashedError } from "../shared/activation-crash.js";
import { DEFAULT_RETRY_POLICY } from "../shared/retries.js";
import type { Limits } from "../vm/machine.js";
import type { TaskDefaults } from "../vm/effects-plan.js";
import type { Activated, ActivationInput } from "./activation.js";

export interface IsolationOptions {
  /** Activation threads (default: the machine's cores, 1 to 4). 0 runs activations on the worker's own thread, unisolated. */
  threads?: number;
  /** Heap limit of each thread in MB (default 512): an activation that needs more loses its thread. */
  heapMb?: number;
  /** Longest an activation may run before its thread is stopped (default 10 s: an activation at the default instruction limit takes well under a second). */
  timeoutMs?: number;
}

export type ToThread = {
  job: number;
  key: string;
  input: ActivationInput;
  program?: Program;
  names?: string[];
  defaults?: [string, ReturnType<TaskDefaults> | string][];
};
export type FromThread = { job: number; ok: true; activated: Activated } | { job: number; ok: false; error: string };

/** Where the pool reads what threads keep, each with a version that moves when it changes. */
export interface PoolSources {
  names(): { version: number; list(): string[] };
  defaults(): { version: number; entries(): [string, ReturnType<TaskDefaults> | string][] };
}

interface Job {
  id: number;
  key: string;
  program: Program;
  input: ActivationInput;
  resolve(a: Activated): void;
  reject(e: Error): void;
  timer?: NodeJS.Timeout;
}

interface Slot {
  thread: Thread;
  /** Quarantine: the one thread for workflows that lost an activation before (see dispatch). */
  quarantine: boolean;
  /** When its current job was sent. */
  since: number;
  programs: Set<string>;
  namesVersion: number;
  defaultsVersion: number;
  job: Job | null;
  dead: boolean;
}

export const DEFAULT_HEAP_MB = 512;
/** Extra threads started when every thread has been busy this long while work waits (a bomb holds one). */
const BUSY_MS = 100;
const BURST_THREADS = 2;
/** An extra thread idle this long is stopped. */
const EXTRA_IDLE_MS = 5000;
export const DEFAULT_ACTIVATION_TIMEOUT_MS = 10_000;

/** The threads option, else RHYTHM_ACTIVATION_THREADS (an operator's override: 0 turns isolation off), else the cores. */
export function threadCount(options: IsolationOptions | undefined): number {
  const env = process.env.RHYTHM_ACTIVATION_THREADS;
  if (options?.threads !== undefined) return options.threads;
  if (env !== undefined && /^\d+$/.test(env)) return Number(env);
  return Math.max(1, Math.min(4, availableParallelism()));
}

export class ActivationPool {
  private readonly slots: Slot[] = [];
  private readonly waiting: Job[] = [];
  private nextJob = 1;
  private recheck: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly size: number;
  private readonly heapMb: number;
  private readonly timeoutMs: number;
  /** Threads replaced after dying or overrunning (for tests and the soak). */
  replaced = 0;

  constructor(
    options: IsolationOptions | undefined,
    private readonly limits: Partial<Limits> | undefined,
    private readonly sources: PoolSources,
  ) {
    this.size = Math.max(1, threadCount(options));
    this.heapMb = options?.heapMb ?? DEFAULT_HEAP_MB;
    this.timeoutMs = options?.timeoutMs ?? DEFAULT_ACTIVATION_TIMEOUT_MS;
  }

  run(key: string, program: Program, input: ActivationInput): Promise<Activated> {
    if (this.closed) return Promise.reject(new Error("the activation pool is closed"));
    return new Promise((resolve, reject) => {
      this.waiting.push({ id: this.nextJob++, key, program, input, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.recheck) clearTimeout(this.recheck);
    for (const j of this.waiting.splice(0)) j.reject(new Error("the activation pool is closed"));
    await Promise.all(this.slots.splice(0).map((s) => s.thread.terminate()));
  }

  /**
   * Gives waiting activations to idle threads, in order. A workflow that lost an activation before
   * runs on a quarantine thread of its own, so a bomb tried again cannot hold the others' threads;
   * and when every thread has been busy for BUSY_MS while work waits (the first run of a bomb), up
   * to BURST_THREADS extra threads are started, so ordinary activations are not held behind it.
   */
  private dispatch(): void {
    const now = Date.now();
    for (let n = 0; n < this.waiting.length;) {
      const job = this.waiting[n];
      const quarantine = job.input.lost > 0;
      const lane = this.slots.filter((s) => s.quarantine === quarantine && !s.dead);
      let slot = lane.find((s) => s.job === null);
      const limit = quarantine ? 1 : this.size;
      const stuck = lane.every((s) => s.job !== null && now - s.since >= BUSY_MS);
      if (!slot && (lane.length < limit || (stuck && lane.length < limit + BURST_THREADS))) slot = this.spawn(quarantine);
      if (!slot) {
        n++;
        continue;
      }
      this.waiting.splice(n, 1);
      this.send(slot, job);
    }
    // work still waiting: look again once the busy threads may count as stuck
    if (this.waiting.length > 0 && !this.recheck && !this.closed)
      this.recheck = setTimeout(() => {
        this.recheck = null;
        this.dispatch();
      }, BUSY_MS);
  }

  /** A thread beyond the usual number, idle: stopped after a while. */
  private retireLater(slot: Slot): void {
    const lane = this.slots.filter((s) => s.quarantine === slot.quarantine && !s.dead);
    if (lane.length <= (slot.quarantine ? 1 : this.size)) return;
    const timer = setTimeout(() => {
      if (slot.job !== null || slot.dead) return;
      slot.dead = true;
      this.slots.splice(this.slots.indexOf(slot), 1);
      void slot.thread.terminate();
    }, EXTRA_IDLE_MS);
    timer.unref();
  }

  private send(slot: Slot, job: Job): void {
    slot.job = job;
    slot.since = Date.now();
    const message: ToThread = { job: job.id, key: job.key, input: job.input };
    if (!slot.programs.has(job.key)) {
      message.program = job.program;
      slot.programs.add(job.key);
    }
    const names = this.sources.names();
    if (names.version !== slot.namesVersion) {
      message.names = names.list();
      slot.namesVersion = names.version;
    }
    const defaults = this.sources.defaults();
    if (defaults.version !== slot.defaultsVersion) {
      message.defaults = defaults.entries();
      slot.defaultsVersion = defaults.version;
    }
    // a thread running past its time is stopped: the worker's lease on the workflow must not run out first
    job.timer = setTimeout(() => this.lose(slot, `it ran longer than ${this.timeoutMs} ms`, true), this.timeoutMs);
    try {
      slot.thread.postMessage(message);
    } catch (e) {
      this.lose(slot, `its input could not be sent to its thread (${(e as Error).message})`, true);
    }
  }

  private spawn(quarantine: boolean): Slot {
    const thread = new Thread(new URL("./activation-thread.js", import.meta.url), {
      workerData: { limits: this.limits, defaultRetries: DEFAULT_RETRY_POLICY },
      resourceLimits: { maxOldGenerationSizeMb: this.heapMb },
      // a workflow's console output is data (its log lines), never the thread's stdout
      stdout: false,
      stderr: false,
    });
    const slot: Slot = {
      thread,
      quarantine,
      since: 0,
      programs: new Set(),
      namesVersion: -1,
      defaultsVersion: -1,
      job: null,
      dead: false,
    };
    thread.on("message", (m: FromThread) => {
      const job = slot.job;
      if (!job || job.id !== m.job) return;
      clearTimeout(job.timer);
      slot.job = null;
      if (m.ok) job.resolve(m.activated);
      else job.reject(new ActivationCrashedError(job.input.id, m.error));
      this.dispatch();
      if (slot.job === null) this.retireLater(slot);
    });
    thread.on("error", (e: Error & { code?: string }) => {
      const why =
        e.code === "ERR_WORKER_OUT_OF_MEMORY"
          ? `its thread ran out of memory (heap limit ${this.heapMb} MB)`
          : `its thread crashed (${e.message})`;
      this.lose(slot, why, false);
    });
    thread.on("exit", (code) => this.lose(slot, `its thread exited with code ${code}`, false));
    // the pool never keeps a process alive on its own (a pending activation's timer does); after
    // the listeners, which would ref the thread's port again
    thread.unref();
    this.slots.push(slot);
    return slot;
  }

  /** A thread is gone (or is stopped): its activation fails with `why`, and another takes its place. */
  private lose(slot: Slot, why: string, terminate: boolean): void {
    const job = slot.job;
    slot.job = null;
    if (!slot.dead) {
      slot.dead = true;
      const at = this.slots.indexOf(slot);
      if (at >= 0) this.slots.splice(at, 1);
      if (!this.closed) this.replaced++;
      if (terminate) void slot.thread.terminate();
    }
    if (job) {
      clearTimeout(job.timer);
      job.reject(new ActivationCrashedError(job.input.id, why));
    }
    if (!this.closed) this.dispatch();
  }
}
