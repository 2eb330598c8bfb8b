// The chaos run's workload and what it must produce. Task results are pure functions of their
// inputs (the worker processes compute them, the verifier recomputes them), so every workflow's
// expected output, log lines and children follow from its inputs alone.

import { seededRandom } from "../src/testing/random.js";

export const MOD = 1_000_003;

/** The "step" task. */
export function step(x: number, i: number): number {
  return (x * 31 + i * 7 + 1) % MOD;
}

/** The "slow" task (same shape, another formula, so a mix-up of the two shows). */
export function slow(x: number, i: number): number {
  return (x * 17 + i + 3) % MOD;
}

/** The "flaky" task: its first attempt throws on purpose, a later one returns this. */
export function flaky(x: number): number {
  return (x * 3 + 1) % MOD;
}

/** The "standalone" task, queued directly with queueTasks. */
export function standalone(n: number): number {
  return (n * n + 7) % MOD;
}

/** What the "fatal" task throws (a NonRetryableError with this message). */
export function fatalMessage(x: number): string {
  return `fatal ${x}`;
}

export type WorkflowName = "chaos_seq" | "chaos_fanout" | "chaos_timers" | "chaos_signals" | "chaos_parent" | "chaos_fails";

export interface Expected {
  status: "completed" | "failed";
  output: unknown;
  /** For a failed workflow, its error message. */
  errorMessage?: string;
  /** console.log lines, each exactly once. */
  logs: string[];
  /** Executions this workflow starts itself: tasks by name, and child workflows. */
  tasks: Record<string, number>;
  children: PlannedWorkflow[];
}

export interface PlannedWorkflow {
  key: string;
  name: WorkflowName;
  inputs: Record<string, unknown> & { key: string; seed: number };
  expected: Expected;
  /** chaos_signals only: the payload n of each "item" signal, in sending order. */
  signals?: number[];
}

export interface PlannedTask {
  key: string;
  n: number;
  ms: number;
  expected: number;
}

export interface Plan {
  workflows: PlannedWorkflow[];
  standalone: PlannedTask[];
}

function seq(key: string, seed: number, steps: number): PlannedWorkflow {
  let acc = seed;
  const logs: string[] = [];
  const tasks: Record<string, number> = {};
  for (let i = 0; i < steps; i++) {
    const task = i % 3 === 2 ? "slow" : "step";
    tasks[task] = (tasks[task] ?? 0) + 1;
    acc = task === "slow" ? slow(acc, i) : step(acc, i);
    logs.push(`${key} step ${i} = ${acc}`);
  }
  return {
    key,
    name: "chaos_seq",
    inputs: { key, seed, steps },
    expected: { status: "completed", output: { key, acc }, logs, tasks, children: [] },
  };
}

function fanout(key: string, seed: number, width: number): PlannedWorkflow {
  const parts: number[] = [];
  for (let i = 0; i < width; i++) parts.push(step(step(seed, i), i + 1000));
  return {
    key,
    name: "chaos_fanout",
    inputs: { key, seed, width },
    expected: {
      status: "completed",
      output: { key, sum: parts.reduce((s, v) => s + v, 0), parts },
      logs: parts.map((b, i) => `${key} branch ${i} = ${b}`),
      tasks: { step: 2 * width },
      children: [],
    },
  };
}

function timers(key: string, seed: number, rounds: number, delayMs: number): PlannedWorkflow {
  let acc = seed;
  const logs: string[] = [];
  for (let i = 0; i < rounds; i++) {
    acc = step(acc + 1, i);
    logs.push(`${key} round ${i} = ${acc}`);
  }
  return {
    key,
    name: "chaos_timers",
    inputs: { key, seed, rounds, delayMs },
    expected: { status: "completed", output: { key, acc }, logs, tasks: { step: rounds }, children: [] },
  };
}

function signals(key: string, seed: number, count: number, rand: () => number): PlannedWorkflow {
  const got = Array.from({ length: count }, () => Math.floor(rand() * 1000));
  return {
    key,
    name: "chaos_signals",
    inputs: { key, seed, count },
    signals: got,
    expected: {
      status: "completed",
      output: { key, first: step(seed, 0), got, done: true },
      logs: got.map((n, i) => `${key} item ${i} = ${n}`),
      tasks: { step: 1 },
      children: [],
    },
  };
}

function parent(key: string, seed: number, children: number): PlannedWorkflow {
  const kids = Array.from({ length: children }, (_, i) => seq(`${key}/child${i}`, seed + i, 2));
  const accs = kids.map((k) => (k.expected.output as { acc: number }).acc);
  const fatal = `TaskError: ${fatalMessage(seed)}`;
  return {
    key,
    name: "chaos_parent",
    inputs: { key, seed, children },
    expected: {
      status: "completed",
      output: { key, kids: accs, flaky: flaky(seed), fatal },
      logs: [`${key} children = ${accs.join(",")}`, `${key} flaky = ${flaky(seed)}, fatal = ${fatal}`],
      tasks: { flaky: 1, fatal: 1 },
      children: kids,
    },
  };
}

function fails(key: string, seed: number): PlannedWorkflow {
  const acc = step(seed, 0);
  return {
    key,
    name: "chaos_fails",
    inputs: { key, seed },
    expected: {
      status: "failed",
      output: null,
      errorMessage: `planned failure of ${key} after ${acc}`,
      logs: [`${key} before failing = ${acc}`],
      tasks: { step: 1 },
      children: [],
    },
  };
}

/** A mix of `roots` workflows (sequential, fan-out, timers, signals, parents, failures) and standalone tasks. */
export function makePlan(seed: number, roots: number, standaloneCount: number): Plan {
  const rand = seededRandom(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const workflows: PlannedWorkflow[] = [];
  for (let k = 0; k < roots; k++) {
    const key = `w${k}`;
    const s = int(1, 999_999);
    const r = rand();
    if (r < 0.3) workflows.push(seq(key, s, int(2, 6)));
    else if (r < 0.5) workflows.push(fanout(key, s, int(2, 5)));
    else if (r < 0.65) workflows.push(timers(key, s, int(1, 3), int(100, 1500)));
    else if (r < 0.8) workflows.push(signals(key, s, int(1, 3), rand));
    else if (r < 0.95) workflows.push(parent(key, s, int(2, 3)));
    else workflows.push(fails(key, s));
  }
  const standaloneTasks: PlannedTask[] = [];
  for (let k = 0; k < standaloneCount; k++) {
    const n = int(0, 99_999);
    standaloneTasks.push({ key: `t${k}`, n, ms: rand() < 0.2 ? int(200, 1200) : int(0, 50), expected: standalone(n) });
  }
  return { workflows, standalone: standaloneTasks };
}

/** Every workflow of the plan, children included. */
export function allWorkflows(plan: Plan): PlannedWorkflow[] {
  const out: PlannedWorkflow[] = [];
  const visit = (w: PlannedWorkflow) => {
    out.push(w);
    w.expected.children.forEach(visit);
  };
  plan.workflows.forEach(visit);
  return out;
}
