// The driver's side of the load: starts the planned workflows and queues the standalone tasks in
// waves while the chaos goes on, and sends each signals workflow its signals mid-run. A call that
// fails (the Postgres restart) is retried only after looking in the database whether the first try
// committed after all, so the client side never duplicates nor drops anything itself.

import type pg from "pg";
import type { Rhythm } from "../src/index.js";
import type { Plan, PlannedTask, PlannedWorkflow, WorkflowName } from "./plan.js";

export interface TrafficStats {
  enqueued: number;
  signalsSent: number;
  /** Client calls that failed and were checked and retried. */
  retriedCalls: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Traffic {
  readonly stats: TrafficStats = { enqueued: 0, signalsSent: 0, retriedCalls: 0 };
  /** Root execution id by planned key (workflows and standalone tasks). */
  readonly ids = new Map<string, string>();
  private readonly pending: Promise<void>[] = [];

  constructor(
    private readonly rhythm: Rhythm,
    private readonly db: pg.Pool,
    private readonly databaseUp: () => Promise<void>,
    private readonly log: (msg: string) => void,
  ) {}

  /** Enqueues the plan in `waves` waves spread over `spreadMs`; signals follow each signals workflow. */
  start(plan: Plan, waves: number, spreadMs: number): void {
    for (let w = 0; w < waves; w++) {
      const part = <T>(list: T[]) =>
        list.slice(Math.floor((list.length * w) / waves), Math.floor((list.length * (w + 1)) / waves));
      const workflows = part(plan.workflows);
      const tasks = part(plan.standalone);
      this.pending.push(
        (async () => {
          await sleep((spreadMs * w) / waves);
          await this.enqueueTasks(tasks);
          const byName = new Map<WorkflowName, PlannedWorkflow[]>();
          for (const wf of workflows) byName.set(wf.name, [...(byName.get(wf.name) ?? []), wf]);
          for (const [name, list] of byName) await this.startWorkflows(name, list);
          for (const wf of workflows) if (wf.signals) this.pending.push(this.sendSignals(wf));
        })(),
      );
    }
  }

  /** Resolves when everything is enqueued and every signal sent. */
  async done(): Promise<void> {
    for (let i = 0; i < this.pending.length; i++) await this.pending[i];
  }

  /** Runs a client call; after a failure, `committed` tells whether it took effect anyway. */
  private async retrying(what: string, call: () => Promise<void>, committed: () => Promise<boolean>): Promise<void> {
    for (;;) {
      try {
        await call();
        return;
      } catch (e) {
        this.stats.retriedCalls++;
        this.log(`driver: ${what} failed (${(e as Error).message}); checking and retrying`);
        await this.databaseUp();
        if (await committed()) return;
      }
    }
  }

  private async existing(keys: string[], kind: "workflow" | "task"): Promise<Map<string, string>> {
    const r = await this.db.query<{ id: string; key: string }>(
      `select id, inputs->>'key' as key from rhythm.executions where parent_id is null and kind = $1 and inputs->>'key' = any($2)`,
      [kind, keys],
    );
    return new Map(r.rows.map((x) => [x.key, x.id]));
  }

  private async enqueueTasks(tasks: PlannedTask[]): Promise<void> {
    let todo = tasks;
    await this.retrying(
      `queueTasks of ${tasks.length}`,
      async () => {
        const ids = await this.rhythm.queueTasks(
          "standalone",
          todo.map((t) => ({ key: t.key, n: t.n, ms: t.ms })),
        );
        todo.forEach((t, i) => this.ids.set(t.key, ids[i]));
        this.stats.enqueued += todo.length;
      },
      async () => {
        const found = await this.existing(
          todo.map((t) => t.key),
          "task",
        );
        for (const [k, id] of found) this.ids.set(k, id);
        this.stats.enqueued += found.size;
        todo = todo.filter((t) => !found.has(t.key));
        return todo.length === 0;
      },
    );
  }

  private async startWorkflows(name: WorkflowName, list: PlannedWorkflow[]): Promise<void> {
    let todo = list;
    await this.retrying(
      `startWorkflows ${name} of ${list.length}`,
      async () => {
        const ids = await this.rhythm.startWorkflows(
          name,
          todo.map((w) => w.inputs),
        );
        todo.forEach((w, i) => this.ids.set(w.key, ids[i]));
        this.stats.enqueued += todo.length;
      },
      async () => {
        const found = await this.existing(
          todo.map((w) => w.key),
          "workflow",
        );
        for (const [k, id] of found) this.ids.set(k, id);
        this.stats.enqueued += found.size;
        todo = todo.filter((w) => !found.has(w.key));
        return todo.length === 0;
      },
    );
  }

  /** The "item" signals in order, then "done", at random moments of the workflow's run. */
  private async sendSignals(wf: PlannedWorkflow): Promise<void> {
    const id = this.ids.get(wf.key)!;
    const all = [
      ...wf.signals!.map((n, i) => ({ name: "item", payload: { n }, index: i })),
      { name: "done", payload: { ok: true }, index: -1 },
    ];
    for (const s of all) {
      await sleep(100 + Math.random() * 1500);
      await this.retrying(
        `signal ${s.name} to ${wf.key}`,
        async () => {
          await this.rhythm.signal(id, s.name, s.payload);
          this.stats.signalsSent++;
        },
        async () => {
          const ok = await this.signalCommitted(id, wf.key, s.name, s.index);
          if (ok) this.stats.signalsSent++;
          return ok;
        },
      );
    }
  }

  /**
   * Whether a signal whose send failed was stored after all. A stored signal is, at any moment,
   * in exactly one place: buffered, in the inbox (delivered, not yet read), or read (the log line
   * the workflow writes in the same transaction; for "done", the workflow has finished).
   */
  private async signalCommitted(id: string, key: string, name: string, index: number): Promise<boolean> {
    const sent = index >= 0 ? index + 1 : 1;
    const r = await this.db.query<{ n: string }>(
      `select (select count(*) from rhythm.signals where execution_id = $1 and name = $2)
            + (select count(*) from rhythm.inbox where execution_id = $1 and signal_name = $2)
            + (case when $2 = 'done'
                 then (select count(*) from rhythm.executions where id = $1 and status in ('completed', 'failed'))
                 else (select count(*) from rhythm.logs where execution_id = $1 and message like $3) end) as n`,
      [id, name, `${key} item %`],
    );
    return Number(r.rows[0].n) >= sent;
  }
}
