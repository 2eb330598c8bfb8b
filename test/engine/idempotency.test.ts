// Idempotency keys inside workflows (issue 14 item 1): a keyed Task.run or Workflow.run whose key
// is already taken — by another run's call, an earlier call of the same run, queueTask or
// startWorkflow — starts nothing and resolves the caller's handle with the outcome of the
// execution holding the key: when it ends, or at once when it has. No run is left suspended.
// The execution's parent stays the workflow that started it; cancelling another caller does not
// cancel it.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Rhythm } from "../../src/index.js";
import { backends, type TestDatabase } from "../support/database.js";
import { engine, type EngineFixture } from "../support/engine.js";
import { deferred, until, untilStatus, type Deferred } from "./support/until.js";

const FLOWS = {
  calls: `
const r = await Task.run(Inputs.task, { from: Inputs.from }, { idempotencyKey: Inputs.key, retries: 0 });
return { r, parent: Context.executionId };
`,
  catches: `
try {
  await Task.run(Inputs.task, { from: Inputs.from }, { idempotencyKey: Inputs.key, retries: 0 });
  return "no error";
} catch (e) {
  return e;
}
`,
  twice: `
const a = Task.run("count", { n: 1 }, { idempotencyKey: Inputs.key });
const b = Task.run("count", { n: 2 }, { idempotencyKey: Inputs.key });
return await Promise.all([a, b]);
`,
  twice_in_sequence: `
const a = await Task.run("count", { n: 1 }, { idempotencyKey: Inputs.key });
const b = await Task.run("count", { n: 2 }, { idempotencyKey: Inputs.key });
return [a, b];
`,
  parent: `
return await Workflow.run("child", { from: Inputs.from }, { idempotencyKey: Inputs.key });
`,
  child: `
const r = await Task.run("held", { from: Inputs.from });
return { r, parentId: Context.parentId, from: Inputs.from };
`,
};

for (const backend of await backends()) {
  describe(`idempotency keys inside workflows on ${backend.kind}`, () => {
    let db: TestDatabase;
    let f: EngineFixture;
    let rhythm: Rhythm;
    const calls = new Map<string, number>();
    let gate: Deferred = deferred();
    const count = (name: string) => calls.set(name, (calls.get(name) ?? 0) + 1);

    before(async () => {
      db = await backend.open();
      f = await engine(db, FLOWS);
      rhythm = f.rhythm;
      rhythm
        .task("held", async (inputs: { from: string }) => {
          count("held");
          await gate.promise;
          return { ranFor: inputs.from };
        })
        .task("count", async (inputs: { n: number }) => {
          count("count");
          return inputs.n;
        })
        .task("fails", async () => {
          count("fails");
          throw Object.assign(new Error("no stock"), { sku: "A1" });
        });
      await rhythm.worker({ pollIntervalMs: 50 }).start();
    });
    after(async () => {
      gate.resolve();
      await f?.close();
      await db?.drop();
    });

    test("two runs with the same key: the task runs once and both runs get its result", async () => {
      calls.clear();
      gate = deferred();
      const first = await rhythm.startWorkflow("calls", { task: "held", from: "first", key: "k-two-runs" });
      await until("the task to start", () => calls.get("held") === 1);
      const second = await rhythm.startWorkflow("calls", { task: "held", from: "second", key: "k-two-runs" });
      await untilStatus(rhythm, second, "suspended");
      // inspect shows what the second run awaits: the task the first one started
      const [held] = await rhythm.list({ kind: "task", name: "held" });
      assert.deepEqual(
        (await rhythm.inspect(second)).awaiting.map((a) => [a.kind, a.name, a.id]),
        [["task", "held", held.id]],
      );
      gate.resolve();
      const a = await rhythm.wait(first, { timeout: "10s" });
      const b = await rhythm.wait(second, { timeout: "10s" });
      assert.deepEqual([a.status, b.status], ["completed", "completed"]);
      assert.deepEqual((a.output as { r: unknown }).r, { ranFor: "first" });
      assert.deepEqual((b.output as { r: unknown }).r, { ranFor: "first" });
      assert.equal(calls.get("held"), 1);
      // the task's parent stays the run that started it
      const tasks = await rhythm.list({ kind: "task", name: "held" });
      assert.equal(tasks.length, 1);
      assert.equal(tasks[0].parentId, first);
    });

    test("twice in one run, at once or one after the other: one task, both handles settle", async () => {
      calls.clear();
      const together = await rhythm.wait(await rhythm.startWorkflow("twice", { key: "k-twice" }), { timeout: "10s" });
      assert.equal(together.status, "completed", JSON.stringify(together.error));
      assert.deepEqual(together.output, [1, 1]);
      const apart = await rhythm.wait(await rhythm.startWorkflow("twice_in_sequence", { key: "k-apart" }), { timeout: "10s" });
      assert.deepEqual(apart.output, [1, 1]);
      assert.equal(calls.get("count"), 2);
    });

    test("a key taken by queueTask: finished, the call resolves at once; still running, when it ends", async () => {
      calls.clear();
      const queued = await rhythm.queueTask("count", { n: 7 }, { idempotencyKey: "k-api-done" });
      await rhythm.wait(queued, { timeout: "10s" });
      const done = await rhythm.wait(await rhythm.startWorkflow("calls", { task: "count", from: "wf", key: "k-api-done" }), {
        timeout: "10s",
      });
      assert.deepEqual((done.output as { r: unknown }).r, 7);

      gate = deferred();
      const running = await rhythm.queueTask("held", { from: "api" }, { idempotencyKey: "k-api-running" });
      await until("the task to start", () => calls.get("held") === 1);
      const wf = await rhythm.startWorkflow("calls", { task: "held", from: "wf", key: "k-api-running" });
      await untilStatus(rhythm, wf, "suspended");
      gate.resolve();
      assert.deepEqual((await rhythm.wait(running, { timeout: "10s" })).output, { ranFor: "api" });
      const after = await rhythm.wait(wf, { timeout: "10s" });
      assert.equal(after.status, "completed", JSON.stringify(after.error));
      assert.deepEqual((after.output as { r: unknown }).r, { ranFor: "api" });
      assert.equal(calls.get("held"), 1);
      assert.equal(calls.get("count"), 1);
    });

    test("a failed task: a later caller gets the TaskError its parent got", async () => {
      calls.clear();
      const first = await rhythm.wait(await rhythm.startWorkflow("catches", { task: "fails", from: "a", key: "k-fails" }), {
        timeout: "10s",
      });
      const later = await rhythm.wait(await rhythm.startWorkflow("catches", { task: "fails", from: "b", key: "k-fails" }), {
        timeout: "10s",
      });
      assert.equal((first.output as { type: string }).type, "TaskError");
      assert.equal(JSON.stringify(later.output), JSON.stringify(first.output));
      assert.equal(calls.get("fails"), 1);
    });

    test("Workflow.run from two parents with the same key: one child, both parents get its output", async () => {
      calls.clear();
      gate = deferred();
      const p1 = await rhythm.startWorkflow("parent", { from: "p1", key: "k-child" });
      await until("the child's task to start", () => calls.get("held") === 1);
      const p2 = await rhythm.startWorkflow("parent", { from: "p2", key: "k-child" });
      await untilStatus(rhythm, p2, "suspended");
      gate.resolve();
      const a = await rhythm.wait(p1, { timeout: "10s" });
      const b = await rhythm.wait(p2, { timeout: "10s" });
      assert.deepEqual(a.output, { r: { ranFor: "p1" }, parentId: p1, from: "p1" });
      assert.deepEqual(b.output, a.output);
      assert.equal((await rhythm.list({ kind: "workflow", name: "child" })).length, 1);
      // and one that comes after it finished gets the same at once
      const p3 = await rhythm.wait(await rhythm.startWorkflow("parent", { from: "p3", key: "k-child" }), { timeout: "10s" });
      assert.deepEqual(p3.output, a.output);
    });

    test("callers racing the task's own completion: none is stranded", async () => {
      const keys = Array.from({ length: 10 }, (_, i) => `k-race-${i}`);
      const runs = await Promise.all(
        keys.map(async (key, i) => {
          const task = rhythm.queueTask("count", { n: i }, { idempotencyKey: key });
          const ids = await Promise.all(
            Array.from({ length: 5 }, () => rhythm.startWorkflow("calls", { task: "count", from: "race", key })),
          );
          await task;
          return ids;
        }),
      );
      for (const [i, ids] of runs.entries())
        for (const id of ids) {
          const done = await rhythm.wait(id, { timeout: "20s" });
          assert.equal(done.status, "completed", JSON.stringify(done.error));
          assert.equal((done.output as { r: unknown }).r, i);
        }
    });

    test("cancelling a run that awaits another's task does not cancel the task", async () => {
      calls.clear();
      gate = deferred();
      const first = await rhythm.startWorkflow("calls", { task: "held", from: "first", key: "k-cancel" });
      await until("the task to start", () => calls.get("held") === 1);
      const second = await rhythm.startWorkflow("calls", { task: "held", from: "second", key: "k-cancel" });
      await untilStatus(rhythm, second, "suspended");
      assert.equal((await rhythm.cancel(second)).status, "cancelled");
      gate.resolve();
      const a = await rhythm.wait(first, { timeout: "10s" });
      assert.equal(a.status, "completed");
      assert.equal((await rhythm.get(second))!.status, "cancelled");
    });
  });
}
