// Concurrency keys and rate limits in `rhythm run` (the in-memory host), with the engine's
// meaning: a key's slot per task attempt and per child workflow until it ends, fixed rate windows
// on the virtual clock; and `.flow` options checked before running (file:line:col) and at the call.

import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryHost, folderLoader, runFlowFile } from "../../src/testing/index.js";
import { rhythm } from "../cli/cli-process.js";

const root = mkdtempSync(join(tmpdir(), "rhythm-flow-control-"));
after(() => rmSync(root, { recursive: true, force: true }));

function flows(files: Record<string, string>): string {
  const dir = mkdtempSync(join(root, "case-"));
  for (const [name, source] of Object.entries(files)) writeFileSync(join(dir, name), source);
  return join(dir, Object.keys(files)[0]);
}

/** A task mock that records how many of its calls are running at once (each resolves a tick later). */
function gauge() {
  let running = 0;
  const seen: number[] = [];
  const mock = async (inputs: unknown) => {
    running++;
    seen.push(running);
    await new Promise((r) => setImmediate(r));
    running--;
    return inputs;
  };
  return { mock, max: () => Math.max(...seen), calls: () => seen.length };
}

const PARALLEL = (options: string) => `
return await Promise.all([1, 2, 3, 4, 5, 6].map((i) => Task.run("work", { i }, ${options})));
`;

test("a concurrency key with limit 2 runs at most two attempts at once; without it all six run together", async () => {
  for (const [options, expected] of [
    ['{ concurrency: { key: "k", limit: 2 } }', 2],
    ["{}", 6],
  ] as const) {
    const g = gauge();
    const r = await runFlowFile(flows({ "main.flow": PARALLEL(options) }), { tasks: { work: g.mock } });
    assert.equal(r.status, "completed");
    assert.deepEqual(
      r.output,
      [1, 2, 3, 4, 5, 6].map((i) => ({ i })),
    );
    assert.equal(g.calls(), 6);
    assert.equal(g.max(), expected, options);
  }
});

test("different keys do not wait for each other", async () => {
  const g = gauge();
  const source = `return await Promise.all([1, 2, 3].map((i) => Task.run("work", { i }, { concurrency: { key: "k" + i } })));`;
  const r = await runFlowFile(flows({ "main.flow": source }), { tasks: { work: g.mock } });
  assert.equal(r.status, "completed");
  assert.equal(g.max(), 3);
});

test("a rate limit of 2 per second spreads five starts over three windows of the virtual clock", async () => {
  const source = `
const t0 = Date.now();
await Promise.all([1, 2, 3, 4, 5].map((i) => Task.run("work", { i }, { rateLimit: { key: "api", limit: 2, per: "1s" } })));
return Date.now() - t0;
`;
  const starts: number[] = [];
  const host: MemoryHost = new MemoryHost({
    loadWorkflow: folderLoader(flows({ "main.flow": source })),
    tasks: { work: async (): Promise<number> => starts.push(host.clock) },
  });
  const id = host.start("main", {});
  await host.run();
  assert.equal(host.get(id).status, "completed");
  // the virtual clock starts on a whole second: windows [0,1s) [1s,2s) [2s,3s)
  const t0 = starts[0];
  assert.deepEqual(
    starts.map((t) => t - t0),
    [0, 0, 1000, 1000, 2000],
  );
  assert.equal(host.get(id).output, 2000);
});

test("a child workflow holds its key from its first activation until it ends, timers included", async () => {
  const main = flows({
    "main.flow": `
const opts = { concurrency: { key: "customer-1" } };
return await Promise.all([Workflow.run("kid", { n: 1 }, opts), Workflow.run("kid", { n: 2 }, opts), Workflow.run("kid", { n: 3 }, { concurrency: { key: "customer-2" } })]);
`,
    "kid.flow": `
const started = Date.now();
await Timer.delay("10s");
return [Inputs.n, started];
`,
  });
  const r = await runFlowFile(main, {});
  assert.equal(r.status, "completed");
  const [[, a], [, b], [, c]] = r.output as [number, number][];
  // the second of customer-1 starts when the first ends (10 s later); customer-2 at once
  assert.equal(b - a, 10_000);
  assert.equal(c, a);
});

test("bad options are TypeErrors at the call, and `rhythm check` finds literal ones with file:line:col", async () => {
  const dynamic = flows({ "main.flow": `return await Task.run("work", {}, { concurrency: { key: Inputs.k } });` });
  const r = await runFlowFile(dynamic, { inputs: { k: 5 }, tasks: { work: { echo: true } } });
  assert.equal(r.status, "failed");
  assert.match(JSON.stringify(r.error), /concurrency\.key must be a non-empty string/);

  const file = flows({
    "bad.flow": [
      'await Task.run("a", {}, { concurrency: { key: "k", limit: 0 } });',
      'await Task.run("a", {}, { rateLimit: { key: "k", limit: 5 } });',
      'await Workflow.run("bad", {}, { rateLimit: { key: "k", limit: 1, per: "soon" } });',
      'await Task.run("a", {}, { concurrency: "k" });',
      'await Task.run("a", {}, { concurrency: { key: "k", max: 2 } });',
      'await Task.run("a", {}, { concurrency: { key: Inputs.k, limit: 2 }, rateLimit: { key: "k", limit: 9, per: "1s" } });',
      "return 1;",
    ].join("\n"),
  });
  const check = rhythm(["check", file], root);
  assert.equal(check.code, 1);
  const lines = check.stdout.trim().split("\n");
  assert.deepEqual(
    lines.map((l) => l.slice(l.indexOf("bad.flow"))),
    [
      'bad.flow:1:25 Task.run("a"): concurrency.limit must be a whole number from 1 to 2147483647',
      'bad.flow:2:25 Task.run("a"): rateLimit.per is required',
      'bad.flow:3:31 Workflow.run("bad"): rateLimit.per must be a duration such as 30 (seconds), "500ms", "10s", "5m", "24h", "7d" or "1h30m", got "soon"',
      'bad.flow:4:25 Task.run("a"): option "concurrency" must be an object { key, limit }',
      'bad.flow:5:25 Task.run("a"): concurrency: unknown field "max" (allowed: key, limit)',
    ],
  );
});
