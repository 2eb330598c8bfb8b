// The worker processes of a chaos run: started with child_process.fork, SIGKILLed on demand and
// started again. Kills are recorded (pid and time) for the ledger check; a worker that exits
// without being killed is recorded too (a worker must survive a Postgres restart).

import { fork, type ChildProcess } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { join } from "node:path";

export interface Kill {
  pid: number;
  slot: number;
  at: number;
}

export interface UnexpectedExit {
  pid: number;
  slot: number;
  at: number;
  code: number | null;
  signal: string | null;
}

interface Slot {
  child: ChildProcess | null;
  ready: boolean;
  starting: Promise<void> | null;
  /** Between fork and ready (or exit). */
  booting: Promise<void> | null;
}

export class Fleet {
  readonly kills: Kill[] = [];
  readonly unexpectedExits: UnexpectedExit[] = [];
  readonly pids: number[] = [];
  private readonly slots: Slot[];
  private stopping = false;

  constructor(
    size: number,
    private readonly script: string,
    private readonly env: Record<string, string>,
    private readonly logDir: string,
    /** Resolves when the database is reachable: a worker is not started into a Postgres restart. */
    private readonly databaseUp: () => Promise<void>,
  ) {
    this.slots = Array.from({ length: size }, () => ({ child: null, ready: false, starting: null, booting: null }));
  }

  get size(): number {
    return this.slots.length;
  }

  /** Slots whose worker has started and said it is ready. */
  readySlots(): number[] {
    return this.slots.flatMap((s, i) => (s.child && s.ready ? [i] : []));
  }

  async startAll(): Promise<void> {
    await Promise.all(this.slots.map((_, i) => this.start(i)));
  }

  /** Starts the worker of a slot and resolves once it is ready (or has exited). */
  start(slot: number): Promise<void> {
    const s = this.slots[slot];
    s.starting ??= (async () => {
      await this.databaseUp();
      const out = openSync(join(this.logDir, `worker-${slot}.log`), "a");
      const child = fork(this.script, [], {
        env: { ...process.env, ...this.env },
        stdio: ["ignore", out, out, "ipc"],
        execArgv: [],
      });
      closeSync(out); // the child has its own copy
      s.child = child;
      s.ready = false;
      this.pids.push(child.pid!);
      s.booting = new Promise<void>((resolve) => {
        child.on("message", (m: { type?: string }) => {
          if (m?.type === "ready") {
            s.ready = true;
            resolve();
          }
        });
        child.on("exit", (code, signal) => {
          resolve();
          if (s.child !== child) return;
          s.child = null;
          s.ready = false;
          // A worker that exited by itself just before our SIGKILL reached it was not killed by us:
          // its exit counts as its own (and the kill is struck off, so the ledger check does not
          // take it as the reason for a re-run).
          const k = this.kills.findIndex((x) => x.pid === child.pid);
          const killed = k >= 0 && signal === "SIGKILL";
          if (k >= 0 && !killed) this.kills.splice(k, 1);
          if (!killed && !this.stopping) {
            this.unexpectedExits.push({ pid: child.pid!, slot, at: Date.now(), code, signal });
            // keep the fleet at full strength; the exit is reported at the end
            setTimeout(() => void this.start(slot), 500);
          }
        });
      });
      await s.booting;
      s.booting = null;
    })().finally(() => {
      s.starting = null;
    });
    return s.starting;
  }

  /** SIGKILLs the worker of a slot; returns its pid. */
  kill(slot: number): number | null {
    const child = this.slots[slot].child;
    if (!child?.pid) return null;
    this.kills.push({ pid: child.pid, slot, at: Date.now() });
    child.kill("SIGKILL");
    return child.pid;
  }

  /** Resolves once no worker is between fork and ready (a start may not overlap a Postgres restart). */
  async startsSettled(): Promise<void> {
    while (this.slots.some((s) => s.booting)) await Promise.all(this.slots.map((s) => s.booting));
  }

  /** Every slot has a ready worker. */
  async fill(): Promise<void> {
    await Promise.all(this.slots.map((s, i) => (s.child && s.ready ? undefined : this.start(i))));
  }

  /** SIGTERM to every worker (a graceful stop); SIGKILL for any still there after `graceMs`. Returns their exit codes. */
  async stopAll(graceMs: number): Promise<{ pid: number; code: number | null; signal: string | null }[]> {
    this.stopping = true;
    return Promise.all(
      this.slots.map(async (s) => {
        const child = s.child;
        if (!child) return null;
        const exited = new Promise<{ code: number | null; signal: string | null }>((r) =>
          child.on("exit", (code, signal) => r({ code, signal })),
        );
        child.kill("SIGTERM");
        const t = setTimeout(() => child.kill("SIGKILL"), graceMs);
        const r = await exited;
        clearTimeout(t);
        return { pid: child.pid!, ...r };
      }),
    ).then((rs) => rs.filter((r) => r !== null));
  }
}
