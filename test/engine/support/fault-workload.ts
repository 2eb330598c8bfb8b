// The work the fault tests run while the database misbehaves, and the check that nothing was lost
// or done twice: workflows with sequential tasks, a fan-out, a timer and a child workflow, plus
// standalone tasks. Every task handler counts its calls per execution id.

import assert from "node:assert/strict";
import type { Rhythm } from "../../../src/index.js";
import type { Queryable } from "../../../src/store/driver.js";
import { until } from "./until.js";

export const FLOWS = {
  chain: `const a = await Task.run("step", { n: Inputs.n, k: 1 });
const [b, c] = await Promise.all([Task.run("step", { n: a, k: 2 }), Task.run("step", { n: a, k: 3 })]);
await Timer.delay("20ms");
const leaf = await Workflow.run("leaf", { n: b + c });
return { n: Inputs.n, leaf };
`,
  leaf: `const d = await Task.run("step", { n: Inputs.n, k: 4 });
return d * 10;
`,
};

/** Executions in one chain: the workflow, its child, and four tasks. */
const CHAIN_TASKS = 4;

export function chainOutput(n: number): unknown {
  // a = n+1, b = n+3, c = n+4, leaf's task d = (b + c) + 4
  return { n, leaf: (2 * n + 11) * 10 };
}

export interface Started {
  workflows: string[];
  tasks: string[];
}

interface Row {
  id: string;
  kind: "workflow" | "task";
  name: string;
  status: string;
  attempt: number;
  parent_id: string | null;
  parent_handle: number | null;
  output: unknown;
}

export class Workload {
  /** Handler calls by execution id. */
  readonly calls = new Map<string, number>();
  /** Executions an earlier verify() checked. */
  private readonly verified = new Set<string>();
  /** Runs at the start of every handler call (a test may hold a handler here, or count). */
  onCall: (name: string, executionId: string, parentId: string | null) => Promise<void> | void = () => {};

  /** Registers the two task handlers on the client whose worker runs them. */
  register(rhythm: Rhythm, options: { timeout?: string; retries?: number } = {}): void {
    const counted =
      (name: string, f: (n: number, k: number) => number) =>
      async (inputs: { n: number; k?: number }, ctx: { executionId: string; parentId: string | null }) => {
        this.calls.set(ctx.executionId, (this.calls.get(ctx.executionId) ?? 0) + 1);
        await this.onCall(name, ctx.executionId, ctx.parentId);
        return f(inputs.n, inputs.k ?? 0);
      };
    rhythm.task(
      "step",
      counted("step", (n, k) => n + k),
      options,
    );
    rhythm.task(
      "solo",
      counted("solo", (n) => n * 2),
      options,
    );
  }

  /** Starts `workflows` chains and queues `tasks` standalone tasks, from `client`. */
  async start(client: Rhythm, workflows: number, tasks: number, from = 0): Promise<Started> {
    const ns = (count: number) => Array.from({ length: count }, (_, i) => ({ n: from + i }));
    return {
      workflows: workflows > 0 ? await client.startWorkflows("chain", ns(workflows)) : [],
      tasks: tasks > 0 ? await client.queueTasks("solo", ns(tasks)) : [],
    };
  }

  /**
   * Waits until every started execution has finished, then checks exactly-once: each completed
   * with the right output, the tree under each workflow has exactly the executions it should (no
   * child started twice for one handle), and every task handler ran once. Reads through `q`, a
   * connection the faults do not touch. Returns the rows checked.
   */
  async verify(q: Queryable, started: Started, from = 0, timeoutMs = 30_000): Promise<Row[]> {
    const roots = [...started.workflows, ...started.tasks];
    await until(
      `${roots.length} executions to finish`,
      async () => {
        const r = await q.query<{ n: string | number }>(
          `select count(*) as n from rhythm.executions where id = any($1::uuid[]) and status in ('queued', 'running', 'suspended')`,
          [roots],
        );
        return Number(r.rows[0].n) === 0;
      },
      timeoutMs,
    );
    const rows = (
      await q.query<Row>(
        `with recursive tree as (
           select * from rhythm.executions where id = any($1::uuid[])
           union all
           select e.* from rhythm.executions e join tree t on e.parent_id = t.id)
         select id, kind, name, status, attempt, parent_id, parent_handle, output from tree`,
        [roots],
      )
    ).rows;
    const problems: string[] = [];
    const byId = new Map(rows.map((r) => [r.id, r]));
    started.workflows.forEach((id, i) => {
      const r = byId.get(id);
      if (r?.status !== "completed") problems.push(`workflow ${id} is ${r?.status}`);
      else if (JSON.stringify(r.output) !== JSON.stringify(chainOutput(from + i)))
        problems.push(`workflow ${id} returned ${JSON.stringify(r.output)}`);
    });
    started.tasks.forEach((id, i) => {
      const r = byId.get(id);
      if (r?.status !== "completed" || r.output !== (from + i) * 2)
        problems.push(`task ${id} is ${r?.status} with output ${JSON.stringify(r?.output)}`);
    });
    for (const r of rows) if (r.status !== "completed") problems.push(`${r.kind} ${r.name} ${r.id} is ${r.status}`);
    const children = new Map<string, string[]>();
    for (const r of rows) {
      if (r.parent_id === null) continue;
      const key = `${r.parent_id}/${r.parent_handle}`;
      children.set(key, [...(children.get(key) ?? []), r.id]);
    }
    for (const [key, ids] of children) if (ids.length > 1) problems.push(`handle ${key} started ${ids.length} executions`);
    const tasks = rows.filter((r) => r.kind === "task");
    for (const t of tasks) {
      const n = this.calls.get(t.id) ?? 0;
      if (n !== 1) problems.push(`task ${t.name} ${t.id} ran ${n} times (attempt ${t.attempt})`);
    }
    for (const id of this.calls.keys())
      if (!byId.has(id) && !this.verified.has(id)) problems.push(`a handler ran for ${id}, which nothing here started`);
    assert.deepEqual(problems, [], "executions lost, failed or run twice");
    assert.equal(tasks.length, started.workflows.length * CHAIN_TASKS + started.tasks.length, "tasks in the trees");
    assert.equal(rows.length - tasks.length, started.workflows.length * 2, "workflows in the trees (each with one child)");
    for (const r of rows) this.verified.add(r.id);
    return rows;
  }
}
