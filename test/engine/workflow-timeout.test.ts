// A workflow's `timeout` (SPEC §9) on the engine: the run fails with a Timeout while suspended
// (a deadline timer, fired by a worker), its running task's handler sees the cancellation and its
// child workflow is cancelled; the parent of a timed-out child gets a WorkflowError. The race
// with an activation is driven by hand: a claimed activation loses to the deadline (its write
// matches no claim), a row a step holds makes the deadline wait for that step.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Execution, Rhythm } from "../../src/index.js";
import { expireDeadlines } from "../../src/worker/deadlines.js";
import { backends, type TestDatabase } from "../support/database.js";
import { engine, type EngineFixture } from "../support/engine.js";
import { ByHand } from "./support/by-hand.js";
import { until } from "./support/until.js";

const FLOWS = {
  waits_forever: `
await Signal.next("never");
return 1;
`,
  has_child: `
return await Workflow.run("waits_forever", {});
`,
  tree: `
const child = Workflow.run("has_child", {});
const running = Task.run("abortable", { key: Inputs.key });
await Promise.all([child, running]);
return "unreachable";
`,
  parent_of_slow_child: `
try {
  await Workflow.run("waits_forever", {}, { timeout: "300ms" });
  return "no error";
} catch (e) {
  return { type: e.type, cause: e.cause.type, message: e.cause.message };
}
`,
  quick: `
return await Task.run("echo", { n: 1 });
`,
  two_steps: `
const a = await Task.run("echo", { n: 1 });
const b = await Task.run("echo", { n: 2 });
return [a, b];
`,
};

for (const backend of await backends()) {
  describe(`workflow timeout on ${backend.kind}`, () => {
    let db: TestDatabase;
    let f: EngineFixture;
    let rhythm: Rhythm;
    let hand: ByHand;
    const aborted = new Map<string, string>();

    const childrenOf = async (id: string): Promise<Execution[]> =>
      (await rhythm.list({ limit: 1000 })).filter((e) => e.parentId === id);
    const deadlines = async (id: string) =>
      (await db.driver.query("select * from rhythm.timers where execution_id = $1 and kind = 'deadline'", [id])).rows;
    /** Makes a workflow's deadline due now, as if its timeout had passed. */
    const dueNow = (id: string) =>
      db.driver.query("update rhythm.timers set fire_at = now() where execution_id = $1 and kind = 'deadline'", [id]);

    before(async () => {
      db = await backend.open();
      f = await engine(db, FLOWS);
      rhythm = f.rhythm;
      rhythm.task("abortable", async (i: { key: string }, ctx) => {
        await new Promise((_, reject) =>
          ctx.signal.addEventListener("abort", () => {
            aborted.set(i.key, (ctx.signal.reason as Error).name);
            reject(ctx.signal.reason);
          }),
        );
      });
      rhythm.task("echo", (i: { n: number }) => i.n);
      await rhythm.worker({ pollIntervalMs: 30_000 }).start();
      hand = new ByHand(db.driver, "manual");
    });
    after(async () => {
      await f.close();
      await db.drop();
    });

    test("a suspended workflow times out: its running task's handler sees the cancellation, its children are cancelled", async () => {
      const id = await rhythm.startWorkflow("tree", { key: "tree" }, { timeout: "3s" });
      await until("the grandchild to wait and the task to run", async () => {
        const kids = await childrenOf(id);
        const child = kids.find((k) => k.name === "has_child");
        const running = kids.some((k) => k.name === "abortable" && k.status === "running");
        return running && child !== undefined && (await childrenOf(child.id)).some((g) => g.status === "suspended");
      });
      const done = await rhythm.wait(id, { timeout: "15s" });
      assert.equal(done.status, "failed");
      const error = done.error as { type: string; message: string; timeoutMs: number };
      assert.equal(error.type, "Timeout");
      assert.equal(error.timeoutMs, 3000);
      const kids = await childrenOf(id);
      assert.deepEqual(Object.fromEntries(kids.map((k) => [k.name, k.status])), {
        has_child: "cancelled",
        abortable: "cancelled",
      });
      // recursively: the child's own child too
      const grandchildren = await childrenOf(kids.find((k) => k.name === "has_child")!.id);
      assert.deepEqual(
        grandchildren.map((k) => [k.name, k.status]),
        [["waits_forever", "cancelled"]],
      );
      await until("the task handler to see its abort", () => aborted.has("tree"));
      assert.equal(aborted.get("tree"), "Cancelled");
      // nothing is left waiting: no timers (the deadline included), signal waits or inbox rows
      for (const table of ["timers", "signal_waits", "inbox"]) {
        const r = await db.driver.query(`select count(*)::int as n from rhythm.${table} where execution_id = $1`, [id]);
        assert.equal((r.rows[0] as { n: number }).n, 0, table);
      }
      // the deadline was woken on time, not found by the worker's 30 s poll
      assert.ok(new Date(done.finishedAt!).getTime() - new Date(done.startedAt!).getTime() < 15_000);
    });

    test("a child workflow's timeout (a .flow option) fails it; its parent gets a WorkflowError caused by the Timeout", async () => {
      const id = await rhythm.startWorkflow("parent_of_slow_child", {});
      const done = await rhythm.wait(id, { timeout: "15s" });
      assert.equal(done.status, "completed", JSON.stringify(done.error));
      assert.deepEqual(done.output, {
        type: "WorkflowError",
        cause: "Timeout",
        message: "the workflow ran longer than its timeout of 300 ms",
      });
      const [child] = await childrenOf(id);
      assert.equal(child.status, "failed");
    });

    test("a workflow that finishes in time leaves no deadline behind", async () => {
      const id = await rhythm.startWorkflow("two_steps", {}, { timeout: "1h" });
      assert.deepEqual((await rhythm.wait(id, { timeout: "15s" })).output, [1, 2]);
      assert.equal((await deadlines(id)).length, 0);
    });

    test("the deadline counts from the first activation, not from the enqueue", async () => {
      const id = await rhythm.startWorkflow("quick", {}, { timeout: "1h", queue: "nobody" });
      assert.equal((await deadlines(id)).length, 0, "no deadline while queued");
      const [claimed] = await hand.store.claim("manual", ["nobody"], [], 1, 30_000);
      assert.equal(claimed.id, id);
      const [timer] = (await deadlines(id)) as { fire_at: Date }[];
      const started = (await rhythm.get(id))!.startedAt!;
      assert.equal(new Date(timer.fire_at).getTime() - new Date(started).getTime(), 3_600_000);
      await hand.store.release(id, claimed.claim_token);
      await rhythm.cancel(id);
    });

    test("a deadline racing an activation on some worker wins: the activation's write matches no claim", async () => {
      const id = await rhythm.startWorkflow("quick", {}, { timeout: "1h", queue: "nobody" });
      const [claimed] = await hand.store.claim("manual", ["nobody"], [], 1, 30_000);
      await dueNow(id);
      // the deadline fires while the activation runs; then the activation commits
      assert.equal(await expireDeadlines(hand.store, 10), 1);
      await assert.rejects(hand.activate(claimed, await hand.store.inbox([id])), /no longer held/);
      const row = (await rhythm.get(id))!;
      assert.equal(row.status, "failed");
      assert.equal((row.error as { type: string }).type, "Timeout");
      assert.deepEqual(await childrenOf(id), [], "the lost activation started nothing");
    });

    test("a deadline for a workflow that finished first does nothing", async () => {
      const id = await rhythm.startWorkflow("waits_forever", {}, { timeout: "1h", queue: "nobody" });
      const [claimed] = await hand.store.claim("manual", ["nobody"], [], 1, 30_000);
      assert.equal(await hand.activate(claimed, []), "suspended");
      await rhythm.cancel(id);
      assert.equal((await deadlines(id)).length, 0, "cancelling took the deadline with it");
      assert.equal(await expireDeadlines(hand.store, 10), 0);
      assert.equal((await rhythm.get(id))!.status, "cancelled");
    });

    if (backend.kind === "postgres")
      test("a deadline waits for a step that holds the workflow's row, then fires", async () => {
        const id = await rhythm.startWorkflow("waits_forever", {}, { timeout: "1h", queue: "nobody" });
        const [claimed] = await hand.store.claim("manual", ["nobody"], [], 1, 30_000);
        assert.equal(await hand.activate(claimed, []), "suspended");
        await dueNow(id);
        let fired = -1;
        await db.driver.transaction(async (tx) => {
          // a step's WakeLock on the row
          await tx.query("select id from rhythm.executions where id = $1 for no key update", [id]);
          fired = await expireDeadlines(hand.store, 10);
        });
        assert.equal(fired, 0, "skipped while the step held the row");
        assert.equal(await expireDeadlines(hand.store, 10), 1);
        assert.equal((await rhythm.get(id))!.status, "failed");
      });

    test("bad timeouts are refused before anything is written", async () => {
      for (const timeout of ["soon", -1, "30 days"]) {
        await assert.rejects(rhythm.startWorkflow("quick", {}, { timeout: timeout as string }), {
          code: "INVALID_ARGUMENT",
        });
      }
    });
  });
}
