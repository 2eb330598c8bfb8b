// Cancellation on the engine (SPEC §3): queued work is cancelled, a running handler's AbortSignal
// fires, a suspended workflow takes its children and queued tasks with it, and the workflow that
// started a cancelled execution gets an error at its await.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Execution, Rhythm } from "../../src/index.js";
import { backends, type TestDatabase } from "../support/database.js";
import { engine, type EngineFixture } from "../support/engine.js";
import { deferred, until, untilStatus } from "./support/until.js";

const FLOWS = {
  waits_forever: `
await Signal.next("never");
return 1;
`,
  tree: `
const child = Workflow.run("waits_forever", {});
const queued = Task.run("unserved", {});
const running = Task.run("abortable", { key: Inputs.key });
await Promise.all([child, queued, running]);
return "unreachable";
`,
  parent_of_child: `
try {
  await Workflow.run("waits_forever", {});
  return "no error";
} catch (e) {
  return { type: e.type, message: e.message };
}
`,
  parent_of_task: `
try {
  await Task.run("unserved", {});
  return "no error";
} catch (e) {
  return { type: e.type, message: e.message };
}
`,
};

for (const backend of await backends()) {
  describe(`cancellation on ${backend.kind}`, () => {
    let db: TestDatabase;
    let f: EngineFixture;
    let rhythm: Rhythm;
    const aborted = new Map<string, string>();
    const settled = new Set<string>();
    const started = new Set<string>();
    const gate = deferred();
    const lateSignal = new Map<string, { aborted: boolean; reason: string | undefined }>();

    const childrenOf = async (id: string): Promise<Execution[]> =>
      (await rhythm.list({ limit: 1000 })).filter((e) => e.parentId === id);

    before(async () => {
      db = await backend.open();
      f = await engine(db, FLOWS);
      rhythm = f.rhythm;
      rhythm.task("abortable", async (i: { key: string }, ctx) => {
        try {
          await new Promise((_, reject) => ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason)));
        } catch (e) {
          aborted.set(i.key, (e as Error).name);
          throw e;
        } finally {
          settled.add(i.key);
        }
      });
      // reads its signal only once the test lets it go on
      rhythm.task(
        "ignores-signal",
        async (i: { key: string }, ctx) => {
          started.add(i.key);
          await gate.promise;
          lateSignal.set(i.key, { aborted: ctx.signal.aborted, reason: (ctx.signal.reason as Error | undefined)?.name });
        },
        { queue: "lazy" },
      );
      await rhythm.worker({ pollIntervalMs: 50 }).start();
      await rhythm.worker({ queues: ["lazy"], concurrency: 1, pollIntervalMs: 50 }).start();
    });
    after(async () => {
      await f.close();
      await db.drop();
    });

    test("a queued task is cancelled", async () => {
      const id = await rhythm.queueTask("unserved", { n: 1 });
      const cancelled = await rhythm.cancel(id);
      assert.equal(cancelled.status, "cancelled");
      assert.equal((cancelled.error as { type: string }).type, "Cancelled");
      assert.ok(cancelled.finishedAt);
      // cancelling again changes nothing; unknown ids are typed errors
      assert.equal((await rhythm.cancel(id)).status, "cancelled");
      await assert.rejects(rhythm.cancel("00000000-0000-4000-8000-000000000000"), { code: "EXECUTION_NOT_FOUND" });
      await assert.rejects(rhythm.cancel("nope"), { code: "EXECUTION_NOT_FOUND" });
    });

    test("a running task's AbortSignal fires, and its outcome does not overwrite the cancellation", async () => {
      const id = await rhythm.queueTask("abortable", { key: "solo" });
      await untilStatus(rhythm, id, "running");
      await rhythm.cancel(id);
      await until("the handler to see the abort", () => settled.has("solo"));
      assert.equal(aborted.get("solo"), "Cancelled");
      const after = await rhythm.get(id);
      assert.equal(after?.status, "cancelled");
      assert.equal(after?.errors, undefined, "no failed attempt was recorded");
    });

    test("a handler that ignores its signal is let go on cancellation, and finds it aborted when it looks", async () => {
      const first = await rhythm.queueTask("ignores-signal", { key: "first" });
      await until("the first handler to start", () => started.has("first"));
      await rhythm.cancel(first);
      // the worker (concurrency 1) takes the next task while the first handler is still blocked
      const second = await rhythm.queueTask("ignores-signal", { key: "second" });
      await until("the second handler to start", () => started.has("second"));
      gate.resolve();
      await until("both handlers to read their signals", () => lateSignal.size === 2);
      assert.deepEqual(lateSignal.get("first"), { aborted: true, reason: "Cancelled" });
      assert.deepEqual(lateSignal.get("second"), { aborted: false, reason: undefined });
      assert.equal((await rhythm.wait(second, { timeout: "10s" })).status, "completed");
      assert.equal((await rhythm.get(first))?.status, "cancelled");
    });

    test("cancelling a suspended workflow cancels its child workflows and its tasks", async () => {
      const id = await rhythm.startWorkflow("tree", { key: "tree" });
      await untilStatus(rhythm, id, "suspended");
      const kids = await until("the child to wait and the task to run", async () => {
        const c = await childrenOf(id);
        const byName = Object.fromEntries(c.map((e) => [e.name, e.status]));
        return byName.waits_forever === "suspended" && byName.abortable === "running" && byName.unserved === "queued"
          ? c
          : undefined;
      });
      await rhythm.cancel(id);
      assert.equal((await rhythm.get(id))?.status, "cancelled");
      for (const k of kids) assert.equal((await rhythm.get(k.id))?.status, "cancelled", k.name);
      await until("the running task's handler to see the abort", () => settled.has("tree"));
      assert.equal(aborted.get("tree"), "Cancelled");
      const child = kids.find((k) => k.name === "waits_forever")!;
      const waits = await db.driver.query("select * from rhythm.signal_waits where execution_id = $1", [child.id]);
      assert.equal(waits.rows.length, 0, "the cancelled child waits on nothing");
      // a signal to the cancelled child is refused
      await assert.rejects(rhythm.signal(child.id, "never"), { code: "EXECUTION_FINISHED" });
    });

    test("the parent of a cancelled child workflow gets an error at its await", async () => {
      const id = await rhythm.startWorkflow("parent_of_child", {});
      const [child] = await until("the child to wait", async () => {
        const c = await childrenOf(id);
        return c.length === 1 && c[0].status === "suspended" ? c : undefined;
      });
      await rhythm.cancel(child.id);
      const done = await rhythm.wait(id, { timeout: "10s" });
      assert.equal(done.status, "completed", JSON.stringify(done.error));
      assert.equal((done.output as { type: string }).type, "Cancelled");
    });

    test("the parent of a cancelled task gets an error at its await", async () => {
      const id = await rhythm.startWorkflow("parent_of_task", {});
      await untilStatus(rhythm, id, "suspended");
      const [task] = await childrenOf(id);
      await rhythm.cancel(task.id);
      const done = await rhythm.wait(id, { timeout: "10s" });
      assert.equal(done.status, "completed", JSON.stringify(done.error));
      assert.match((done.output as { type: string }).type, /Cancelled|TaskError/);
    });
  });
}
