// `npm run bench:vm`: measures the interpreter against plain JavaScript on the same machine, in
// the same run, and the cost of its saved state. Prints a markdown table; asserts nothing.

import { compileFlow } from "../src/compiler/index.js";
import { Machine, type MachineHost, type Settlement } from "../src/vm/machine.js";
import { saveState } from "../src/vm/snapshot.js";

const host: MachineHost = { now: () => 1767225600000, random: () => 0.5, hasWorkflow: () => true };
const context = {
  executionId: "bench",
  workflowName: "bench",
  version: "v",
  attempt: 1,
  parentId: null,
  startedAt: "2026-01-01T00:00:00.000Z",
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timeMs(fn: () => void): number {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

function start(source: string, inputs: unknown = {}, limits = {}): Machine {
  const { program } = compileFlowCached(source);
  return Machine.start(program, { inputs, context, host, limits });
}

// ── 1. CPU-bound code: interpreter vs plain JavaScript ─────────────────────────────────────────

const CPU = `
function isPrime(n) {
  if (n < 2) return false;
  for (let i = 2; i * i <= n; i++) {
    if (n % i === 0) return false;
  }
  return true;
}
let count = 0;
const found = [];
for (let n = 0; n < Inputs.n; n++) {
  if (isPrime(n)) {
    count++;
    if (found.length < 5) found.push(n);
  }
}
const words = {};
for (let i = 0; i < Inputs.n; i++) {
  const k = "k" + (i % 97);
  words[k] = (words[k] ?? 0) + 1;
}
const squares = found.map((x) => x * x).filter((x) => x > 3);
return { count, squares, keys: Object.keys(words).length };
`;

async function cpu(): Promise<{ flowMs: number; jsMs: number; output: unknown }> {
  const inputs = { n: 60000 };
  const { program } = compileFlow(CPU, "cpu.flow");
  const js = new Function("Inputs", `"use strict"; return (async () => {${CPU}})();`) as (i: unknown) => Promise<unknown>;
  const flow: number[] = [];
  const plain: number[] = [];
  let output: unknown;
  for (let round = 0; round < 7; round++) {
    // interleaved, so both see the same machine conditions
    flow.push(
      timeMs(() => {
        const m = Machine.start(program, { inputs, context, host, limits: { maxInstructions: 1e10 } });
        const r = m.activate();
        output = r.status === "completed" ? r.output : r;
      }),
    );
    const t = process.hrtime.bigint();
    const jsOut = await js(inputs);
    plain.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (JSON.stringify(jsOut) !== JSON.stringify(output))
      throw new Error(`results differ: ${JSON.stringify(jsOut)} vs ${JSON.stringify(output)}`);
  }
  return { flowMs: median(flow), jsMs: median(plain), output };
}

// ── 2. A typical 30-line workflow: one activation, and restore + one activation ──────────────

const TYPICAL = `
const user = await Task.run("create-account", { email: Inputs.email, name: Inputs.name });
Task.run("send-email", { to: Inputs.email, template: "welcome" });
let verified = false;
try {
  const click = await Signal.when("email-verified", { timeout: "3d" });
  verified = click.ok === true;
} catch (e) {
  if (e.type !== "Timeout") throw e;
  console.log("no verification after 3 days");
}
if (!verified) {
  await Task.run("send-email", { to: Inputs.email, template: "reminder" });
  return { userId: user.id, status: "unverified" };
}
const projects = await Promise.all(
  ["inbox", "notes", "archive"].map(async (kind) => {
    const p = await Task.run("create-project", { owner: user.id, kind });
    return p.id;
  }),
);
const summary = { owner: user.id, projects: projects.length };
for (const id of projects) {
  console.log("project ready", id);
}
if (summary.projects !== 3) {
  throw Error("expected three projects");
}
await Task.run("send-email", { to: Inputs.email, template: "ready", summary });
return { userId: user.id, status: "active", projects };
`;

function typical() {
  const inputs = { email: "ada@example.com", name: "Ada" };
  const first: number[] = [];
  const resume: number[] = [];
  let bytes = 0;
  for (let i = 0; i < 2000; i++) {
    let m!: Machine;
    first.push(
      timeMs(() => {
        m = start(TYPICAL, inputs);
        m.activate();
      }),
    );
    // suspended on create-account: save → JSON → restore → deliver the result → next suspension
    const { state } = saveState(m);
    const text = JSON.stringify(state);
    bytes = Buffer.byteLength(text);
    const { program } = compileFlowCached(TYPICAL);
    const settlement: Settlement = { handle: 1, ok: true, value: { id: "user-42" } };
    resume.push(
      timeMs(() => {
        const r = Machine.restore(program, JSON.parse(text), { host });
        r.activate([settlement]);
      }),
    );
  }
  return { firstMs: median(first), resumeMs: median(resume), bytes };
}

const cache = new Map<string, ReturnType<typeof compileFlow>>();
function compileFlowCached(source: string) {
  let c = cache.get(source);
  if (!c) cache.set(source, (c = compileFlow(source, "bench.flow")));
  return c;
}

// ── 3. Saved state: size and save + restore time ─────────────────────────────────────────────

const SCENARIOS: Record<string, { source: string; activations: number }> = {
  "fresh workflow (first await)": { source: TYPICAL, activations: 1 },
  "middle of a 1,000-item loop": {
    source: `
const items = Array.from({ length: 1000 }, (_, i) => ({ id: i, name: "item-" + i, done: false }));
let total = 0;
for (const item of items) {
  const r = await Task.run("process", { id: item.id });
  item.done = true;
  total += r;
}
return total;`,
    activations: 501,
  },
  "100 pending handles": {
    source: `
const handles = [];
for (let i = 0; i < 100; i++) handles.push(Task.run("work", { i }));
const results = await Promise.all(handles);
return results.length;`,
    activations: 1,
  },
};

function stateCost(source: string, activations: number) {
  const { program } = compileFlowCached(source);
  const m = Machine.start(program, { inputs: {}, context, host });
  let r = m.activate();
  for (let i = 1; i < activations; i++) {
    const task = r.effects.find((e) => e.type === "task");
    r = m.activate([{ handle: task!.handle, ok: true, value: 1 }]);
  }
  if (r.status !== "suspended") throw new Error(`expected a suspended workflow, got ${r.status}`);
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < 200; i++) {
    times.push(
      timeMs(() => {
        const { state } = saveState(m);
        const text = JSON.stringify(state);
        bytes = Buffer.byteLength(text);
        Machine.restore(program, JSON.parse(text), { host });
      }),
    );
  }
  return { bytes, ms: median(times) };
}

// ── 4. `while (true) {}` under the default limit ─────────────────────────────────────────────

function endlessLoop() {
  const m = start("while (true) {}");
  let status = "";
  const ms = timeMs(() => {
    status = m.activate().status;
  });
  return { ms, status };
}

const c = await cpu();
const t = typical();
const loop = endlessLoop();
const rows = Object.entries(SCENARIOS).map(([name, s]) => ({ name, ...stateCost(s.source, s.activations) }));

console.log(`# Interpreter benchmark (node ${process.version}, ${new Date().toISOString()})\n`);
console.log("| measure | .flow interpreter | plain JavaScript | ratio |");
console.log("| --- | ---: | ---: | ---: |");
console.log(
  `| CPU-bound flow (primes + objects, n=60,000), median of 7 | ${c.flowMs.toFixed(1)} ms | ${c.jsMs.toFixed(2)} ms | ${(c.flowMs / c.jsMs).toFixed(1)}× |`,
);
console.log("\n| measure | value |");
console.log("| --- | ---: |");
console.log(
  `| one activation of a typical 30-line workflow (start → first await), median of 2,000 | ${(t.firstMs * 1000).toFixed(0)} µs |`,
);
console.log(
  `| restore from JSON + one activation (deliver a task result → next await), median | ${(t.resumeMs * 1000).toFixed(0)} µs |`,
);
console.log(
  `| \`while (true) {}\` fails at the default 1,000,000-instruction limit (${loop.status}) | ${loop.ms.toFixed(0)} ms |`,
);
console.log("\n| saved state | size | save + JSON + parse + restore (median of 200) |");
console.log("| --- | ---: | ---: |");
for (const r of rows) console.log(`| ${r.name} | ${(r.bytes / 1024).toFixed(1)} KB | ${(r.ms * 1000).toFixed(0)} µs |`);
