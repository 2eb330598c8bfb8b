// A workflow's `timeout` and `debounce` (SPEC §9) in the in-memory host (`rhythm run`): the same
// outcomes as the engine's (test/engine/workflow-timeout.test.ts, test/engine/debounce.test.ts)
// on virtual time.

import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryHost, folderLoader, runFlowFile } from "../../src/testing/index.js";

const root = mkdtempSync(join(tmpdir(), "rhythm-flow-control-"));
after(() => rmSync(root, { recursive: true, force: true }));

function flows(files: Record<string, string>): string {
  const dir = mkdtempSync(join(root, "case-"));
  for (const [name, source] of Object.entries(files)) writeFileSync(join(dir, `${name}.flow`), source);
  return join(dir, `${Object.keys(files)[0]}.flow`);
}

const WAITS_FOREVER = 'await Signal.next("never");\nreturn 1;\n';

test("a child past its timeout fails with Timeout; its parent gets the WorkflowError the engine gives", async () => {
  const file = flows({
    parent_of_slow_child: `
try {
  await Workflow.run("waits_forever", {}, { timeout: "300ms" });
  return "no error";
} catch (e) {
  return { type: e.type, cause: e.cause.type, message: e.cause.message };
}
`,
    waits_forever: WAITS_FOREVER,
  });
  const result = await runFlowFile(file);
  assert.equal(result.status, "completed");
  // the engine's output for the same program (test/engine/workflow-timeout.test.ts)
  assert.deepEqual(result.output, {
    type: "WorkflowError",
    cause: "Timeout",
    message: "the workflow ran longer than its timeout of 300 ms",
  });
});

test("a timed-out workflow's child workflows are cancelled and its delayed tasks never run", async () => {
  const file = flows({
    tree: `
const child = Workflow.run("waits_forever", {});
const later = Task.run("later", {}, { delay: "2h" });
await Promise.all([child, later]);
return "unreachable";
`,
    waits_forever: WAITS_FOREVER,
  });
  const host = new MemoryHost({ loadWorkflow: folderLoader(file), tasks: { later: { returns: 1 } } });
  const id = host.start("tree", {}, undefined, { timeoutMs: 3_600_000 });
  await host.run();
  const ex = host.get(id);
  assert.equal(ex.status, "failed");
  assert.deepEqual(ex.error, {
    name: "Timeout",
    type: "Timeout",
    message: "the workflow ran longer than its timeout of 3600000 ms",
    timeoutMs: 3_600_000,
  });
  const child = [...host.executions.values()].find((e) => e.parentId === id)!;
  assert.equal(host.get(child.id).status, "cancelled");
  assert.equal(host.taskCounts.get("later") ?? 0, 0, "the delayed task never ran");
  assert.equal(host.clock - Date.UTC(2026, 0, 1), 3_600_000, "the deadline fired on virtual time");
});

test("rhythm run's root timeout: the run fails with Timeout", async () => {
  const file = flows({ sleeper: 'await Timer.delay("2h");\nreturn "woke";\n' });
  const late = await runFlowFile(file, { timeoutMs: 3_600_000 });
  assert.equal(late.status, "failed");
  assert.equal((late.error as { type: string }).type, "Timeout");
  const inTime = await runFlowFile(file, { timeoutMs: 3 * 3_600_000 });
  assert.equal(inTime.status, "completed");
});

test("debounced Task.run calls with one key are one task, run once with the last inputs", async () => {
  const file = flows({
    debounces_twice: `
const opts = { debounce: { key: Inputs.key, delay: "200ms" } };
const [a, b] = await Promise.all([Task.run("digest", { n: 1 }, opts), Task.run("digest", { n: 2 }, opts)]);
const c = await Task.run("digest", { n: 3 }, opts);
return [a, b, c];
`,
  });
  const result = await runFlowFile(file, { inputs: { key: "flow" }, tasks: { digest: { echo: true } } });
  assert.equal(result.status, "completed");
  // as on the engine; the third call comes after the first task started: a new one
  assert.deepEqual(result.output, [{ n: 2 }, { n: 2 }, { n: 3 }]);
});

test("debounced Workflow.run calls are one child; maxWait caps how far later starts move it", async () => {
  const file = flows({
    debounce_children: `
const opts = { debounce: { key: "c", delay: "1m", maxWait: "90s" } };
const a = Workflow.run("echo_child", { v: 1 }, opts);
await Timer.delay("50s");
const b = Workflow.run("echo_child", { v: 2 }, opts);
const [x, y] = await Promise.all([a, b]);
return { x, y, startedAt: x.at - Inputs.t0 };
`,
    echo_child: "return { v: Inputs.v, at: Date.now() };\n",
  });
  const t0 = Date.UTC(2026, 0, 1);
  const result = await runFlowFile(file, { inputs: { t0 } });
  assert.equal(result.status, "completed", JSON.stringify(result.error));
  const out = result.output as { x: { v: number }; y: { v: number }; startedAt: number };
  assert.deepEqual(out.x, out.y);
  assert.equal(out.x.v, 2);
  // moved to 50 s + 1 min = 110 s, capped at the first start + 90 s
  assert.equal(out.startedAt, 90_000);
});
