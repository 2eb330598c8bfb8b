// Claims and leases (SPEC §3, §6): only the holder of the current claim can commit an
// activation, stop() finishes or hands back in-flight work, work whose lease expired under a
// dead worker is taken up again, and an idle worker stays quiet.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Rhythm } from "../../src/index.js";
import { PostgresDriver } from "../../src/store/pg-driver.js";
import { StaleClaimError } from "../../src/worker/activation.js";
import { backends, type TestDatabase } from "../support/database.js";
import { engine, type EngineFixture } from "../support/engine.js";
import { ByHand } from "./support/by-hand.js";
import { CountingDriver } from "./support/counting-driver.js";
import { until, untilStatus } from "./support/until.js";

const ONE_TASK = `
const a = await Task.run("claims-task", {});
return a;
`;

const STEPS = `
let total = 0;
for (let i = 0; i < Inputs.steps; i++) total += await Task.run("step-task", { i });
return total;
`;

for (const backend of await backends()) {
  describe(`claims and leases on ${backend.kind}`, () => {
    let db: TestDatabase;
    let f: EngineFixture;
    let rhythm: Rhythm;
    /** Claims and activations by hand, beside the workers. */
    let hand: ByHand;

    const expireLease = (id: string) =>
      db.driver.query("update rhythm.executions set lease_expires_at = now() - interval '1 second' where id = $1", [id]);
    const childTasks = async (id: string) =>
      Number(
        (await db.driver.query<{ n: string | number }>("select count(*) as n from rhythm.executions where parent_id = $1", [id]))
          .rows[0].n,
      );

    before(async () => {
      db = await backend.open();
      f = await engine(db, { one_task: ONE_TASK, steps: STEPS });
      rhythm = f.rhythm;
      rhythm.task("claims-task", async () => "done");
      await rhythm.deploy();
      hand = new ByHand(db.driver);
    });
    after(async () => {
      await f.close();
      await db.drop();
    });

    test("committing an activation twice with the same claim fails the second time and writes nothing", async () => {
      const { store } = hand;
      const id = await rhythm.startWorkflow("one_task", {}, { queue: "manual" });
      const [claim] = await store.claim("worker-1", ["manual"], [], 1, 30_000);
      assert.equal(claim.id, id);
      const inbox = await store.inbox([id]);
      assert.equal(await hand.activate(claim, inbox), "suspended");
      const saved = await rhythm.get(id);
      await assert.rejects(hand.activate(claim, inbox), StaleClaimError);
      assert.equal(await childTasks(id), 1);
      assert.deepEqual(await rhythm.get(id), saved);
    });

    test("after a lease expires and another worker claims, only the new claim can commit", async () => {
      const { store } = hand;
      const id = await rhythm.startWorkflow("one_task", {}, { queue: "manual" });
      const [slow] = await store.claim("slow-worker", ["manual"], [], 1, 30_000);
      assert.equal(slow.id, id);
      // the slow worker's lease runs out; the lease sweep gives the workflow back and a second
      // worker claims it while the first is still busy
      await expireLease(id);
      await hand.expireLeases(10);
      const [fast] = await store.claim("fast-worker", ["manual"], [], 1, 30_000);
      assert.equal(fast.id, id);
      assert.notEqual(fast.claim_token, slow.claim_token);
      const inbox = await store.inbox([id]);
      const results = await Promise.allSettled([hand.activate(slow, inbox), hand.activate(fast, inbox)]);
      assert.equal(results[0].status, "rejected");
      assert.ok((results[0] as PromiseRejectedResult).reason instanceof StaleClaimError);
      assert.deepEqual(results[1], { status: "fulfilled", value: "suspended" });
      assert.equal(await childTasks(id), 1, "the activation's task was enqueued once");
      const row = (
        await db.driver.query<{ worker_id: string; status: string }>(
          "select worker_id, status from rhythm.executions where id = $1",
          [id],
        )
      ).rows[0];
      assert.deepEqual(row, { worker_id: "fast-worker", status: "suspended" });
    });

    test("a task attempt is recorded once: a second completion with the same claim changes nothing", async () => {
      const { store } = hand;
      const parent = await rhythm.startWorkflow("one_task", {}, { queue: "manual" });
      const [wf] = await store.claim("worker-1", ["manual"], [], 1, 30_000);
      await hand.activate(wf, []);
      // (earlier tests left tasks of this name queued: claim them all, keep this workflow's)
      const task = (await store.claim("worker-1", ["default"], ["claims-task"], 100, 30_000)).find(
        (t) => t.parent_id === parent,
      )!;
      assert.ok(task);
      assert.equal(await hand.complete(task.id, task.claim_token, "first"), true);
      assert.equal(await hand.complete(task.id, task.claim_token, "second"), false);
      assert.equal(await store.failTask(task.id, task.claim_token, { message: "late" }, null, null), false);
      const done = await rhythm.get(task.id);
      assert.equal(done?.output, "first");
      assert.equal(done?.errors, undefined);
      const inbox = await db.driver.query("select value from rhythm.inbox where execution_id = $1", [parent]);
      assert.deepEqual(inbox.rows, [{ value: "first" }], "the workflow was handed the result once");
    });

    test("a workflow that finishes, or is cancelled, leaves nothing in its inbox", async () => {
      const { store, sql } = hand;
      const inboxOf = async (id: string) =>
        Number(
          (await db.driver.query<{ n: string | number }>("select count(*) as n from rhythm.inbox where execution_id = $1", [id]))
            .rows[0].n,
        );
      // a settlement arrives while the activation that ends the workflow runs
      const id = await rhythm.startWorkflow("one_task", {}, { queue: "manual-inbox" });
      const [first] = await store.claim("worker-1", ["manual-inbox"], [], 1, 30_000);
      await hand.activate(first, []);
      const handle = Number(
        (await db.driver.query<{ h: number }>("select parent_handle as h from rhythm.executions where parent_id = $1", [id]))
          .rows[0].h,
      );
      await db.driver.transaction(async (tx) => {
        await tx.query(sql.InboxInsert, [JSON.stringify([{ execution_id: id, handle: handle, ok: true, value: "done" }])]);
        await tx.query(sql.Wake, [[id]]);
      });
      const [second] = await store.claim("worker-1", ["manual-inbox"], [], 1, 30_000);
      const inbox = await store.inbox([id]);
      await db.driver.transaction(async (tx) => {
        await tx.query(sql.InboxInsert, [JSON.stringify([{ execution_id: id, handle: 99, ok: true, value: 1 }])]);
        await tx.query(sql.Wake, [[id]]);
      });
      assert.equal(await hand.activate(second, inbox), "completed");
      assert.equal(await inboxOf(id), 0);

      // a suspended workflow with news queued is cancelled before it runs again
      const other = await rhythm.startWorkflow("one_task", {}, { queue: "manual-inbox" });
      const [claim] = await store.claim("worker-1", ["manual-inbox"], [], 1, 30_000);
      await hand.activate(claim, []);
      await db.driver.transaction(async (tx) => {
        await tx.query(sql.InboxInsert, [JSON.stringify([{ execution_id: other, handle: 1, ok: true, value: 1 }])]);
        await tx.query(sql.Wake, [[other]]);
      });
      await rhythm.cancel(other);
      assert.equal(await inboxOf(other), 0);
    });

    test("stop() lets an in-flight task finish", async () => {
      let release: () => void = () => {};
      rhythm.task("finishes-soon", () => new Promise<string>((r) => (release = () => r("finished"))));
      const id = await rhythm.queueTask("finishes-soon", {}, { queue: "stop-finish" });
      const w = rhythm.worker({ queues: ["stop-finish"], pollIntervalMs: 50 });
      await w.start();
      await untilStatus(rhythm, id, "running");
      const stopped = w.stop();
      setTimeout(() => release(), 50);
      await stopped;
      const e = await rhythm.get(id);
      assert.equal(e?.status, "completed");
      assert.equal(e?.output, "finished");
    });

    test("stop() hands back a task that does not finish in time, and another worker runs it", async () => {
      const seen: string[] = [];
      let calls = 0;
      rhythm.task("stubborn", (_i, ctx) => {
        calls++;
        if (calls > 1) return "second run";
        return new Promise(() => ctx.signal.addEventListener("abort", () => seen.push((ctx.signal.reason as Error).name)));
      });
      const id = await rhythm.queueTask("stubborn", {}, { queue: "stop-handback" });
      const first = rhythm.worker({ queues: ["stop-handback"], pollIntervalMs: 50, shutdownTimeoutMs: 100 });
      await first.start();
      await untilStatus(rhythm, id, "running");
      await first.stop();
      const handedBack = await rhythm.get(id);
      assert.equal(handedBack?.status, "queued");
      assert.equal(handedBack?.attempt, 0, "the interrupted attempt is not counted");
      assert.equal(handedBack?.errors, undefined);
      assert.deepEqual(seen, ["Cancelled"]);
      const second = rhythm.worker({ queues: ["stop-handback"], pollIntervalMs: 50 });
      await second.start();
      try {
        const done = await rhythm.wait(id, { timeout: "10s" });
        assert.equal(done.status, "completed");
        assert.equal(done.output, "second run");
      } finally {
        await second.stop();
      }
    });

    test("work claimed by a worker that died is taken up again once its lease expires", async () => {
      const { store } = hand;
      rhythm.task("orphan", async (_i, ctx) => `attempt ${ctx.attempt}`);
      const task = await rhythm.queueTask("orphan", {}, { queue: "dead", retries: { limit: 2, initial: "10ms" } });
      const workflow = await rhythm.startWorkflow("one_task", {}, { queue: "dead" });
      const claimed = await store.claim("ghost", ["dead"], ["orphan"], 10, 60_000);
      assert.deepEqual(claimed.map((c) => c.id).sort(), [task, workflow].sort());
      // the ghost worker vanishes without a word; its leases run out
      await expireLease(task);
      await expireLease(workflow);
      // (the workflow's task goes to the default queue)
      const w = rhythm.worker({ queues: ["dead", "default"], pollIntervalMs: 50 });
      await w.start();
      try {
        const t = await rhythm.wait(task, { timeout: "10s" });
        assert.equal(t.status, "completed");
        assert.equal(t.output, "attempt 2");
        assert.deepEqual(
          (t.errors as { name: string }[]).map((e) => e.name),
          ["LeaseExpired"],
        );
        const wf = await rhythm.wait(workflow, { timeout: "10s" });
        assert.equal(wf.status, "completed");
        assert.equal(wf.output, "done");
      } finally {
        await w.stop();
      }
    });

    test("a workflow step is one transaction: the completion that wakes it runs it and claims its next task", async () => {
      const counting = new CountingDriver(
        db.kind === "postgres" ? new PostgresDriver(db.url!) : db.driver,
        db.kind === "postgres",
      );
      const client = await Rhythm.connectWith(counting, { workflows: f.dir });
      const ran: number[] = [];
      client.task(
        "step-task",
        async (i: { i: number }) => {
          ran.push(i.i);
          return i.i;
        },
        { queue: "dispatch" },
      );
      const w = client.worker({ queues: ["dispatch"], pollIntervalMs: 60_000 });
      try {
        await w.start();
        const id = await client.startWorkflow("steps", { steps: 20 }, { queue: "dispatch" });
        counting.reset();
        const done = await client.wait(id, { timeout: "20s" });
        assert.equal(done.status, "completed", JSON.stringify(done.error));
        assert.equal(done.output, 190);
        assert.deepEqual(ran, [...Array(20).keys()], "each step's task ran once, in order");
        const claims = counting.texts.filter((t) => t.startsWith("with picked as")).length;
        const transactions = counting.texts.filter((t) => t === "begin").length;
        // claimed one by one, 20 steps would take 40 claims and 40 transactions or more
        assert.ok(claims <= 3, `${claims} claims:\n${counting.texts.join("\n")}`);
        assert.ok(transactions <= 22, `${transactions} transactions:\n${counting.texts.join("\n")}`);
      } finally {
        await w.stop();
        await client.close();
        await counting.close();
      }
    });

    test("an idle worker polling every second makes fewer than 5 queries a second, and still polls", async () => {
      const counting = new CountingDriver(
        db.kind === "postgres" ? new PostgresDriver(db.url!) : db.driver,
        db.kind === "postgres",
      );
      const idle = await Rhythm.connectWith(counting, { workflows: f.dir });
      try {
        idle.task("idle-task", async () => null);
        // (the default poll is the 10 s beat: test/engine/due-work.test.ts counts that one)
        await idle.worker({ queues: ["idle"], pollIntervalMs: 1000 }).start();
        counting.reset();
        const started = Date.now();
        await until("3 s of idleness", () => Date.now() - started >= 3000, 5000);
        const seconds = (Date.now() - started) / 1000;
        const rate = counting.statements / seconds;
        assert.ok(rate < 5, `${counting.statements} statements in ${seconds.toFixed(1)} s:\n${counting.texts.join("\n")}`);
        assert.ok(counting.calls >= 2, "the worker still polls");
        // and it still wakes for work
        const id = await idle.queueTask("idle-task", {}, { queue: "idle" });
        assert.equal((await idle.wait(id, { timeout: "10s" })).status, "completed");
      } finally {
        await idle.close();
        await counting.close();
      }
    });
  });
}
