// The worker protocol's functions (migration 011, docs/protocol.md) called directly in SQL, as a
// worker in another language calls them: claims by priority and due time, stale claims that
// commit nothing, cancellation seen by a heartbeat, retries per the stored policy, failures
// that reach the awaiting workflow as a TaskError, and a completion that wakes it.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Rhythm } from "../../src/index.js";
import { backends, type TestDatabase } from "../support/database.js";
import { engine, type EngineFixture } from "../support/engine.js";
import { untilStatus } from "../engine/support/until.js";
import { Protocol } from "./support/protocol.js";

const AWAITS_PY = `
try {
  const r = await Task.run("py-task", { n: Inputs.n }, { queue: "py", retries: { limit: 2, initial: "10ms" } });
  return { ok: r };
} catch (e) {
  return { name: e.name, message: e.message, attempts: e.attempts, cause: e.cause };
}
`;

for (const backend of await backends()) {
  describe(`the SQL worker protocol on ${backend.kind}`, () => {
    let db: TestDatabase;
    let f: EngineFixture;
    let rhythm: Rhythm;
    let p: Protocol;
    const row = async (id: string) =>
      (
        await db.driver.query<{ status: string; attempt: number; errors: unknown[]; run_at: Date; claim_token: string | null }>(
          "select status, attempt, errors, run_at, claim_token from rhythm.executions where id = $1",
          [id],
        )
      ).rows[0];

    before(async () => {
      db = await backend.open();
      f = await engine(db, { awaits_py: AWAITS_PY });
      rhythm = f.rhythm;
      await rhythm.deploy();
      await rhythm.worker({ queues: ["default"], pollIntervalMs: 50 }).start();
      p = new Protocol(db.driver);
    });
    after(async () => {
      await f.close();
      await db.drop();
    });

    test("the protocol says its version and channel", async () => {
      const r = await db.driver.query<{ v: number; ch: string }>(
        "select rhythm.protocol_version() as v, rhythm.protocol_channel() as ch",
      );
      assert.deepEqual(r.rows[0], { v: 1, ch: "rhythm_events" });
    });

    test("claims take the highest priority first, then the earliest due, only named tasks, never one not yet due", async () => {
      const low = await rhythm.queueTask("pick", { k: "low" }, { queue: "claims" });
      const high = await rhythm.queueTask("pick", { k: "high" }, { queue: "claims", priority: 5 });
      const later = await rhythm.queueTask("pick", { k: "later" }, { queue: "claims", delay: 60 });
      const other = await rhythm.queueTask("other", {}, { queue: "claims" });
      const claims = await p.claim("w1", ["claims"], ["pick"], 10);
      assert.deepEqual(
        claims.map((c) => c.id),
        [high, low],
      );
      assert.deepEqual(claims[0].inputs, { k: "high" });
      assert.equal(claims[0].attempt, 1);
      assert.equal((await row(later)).status, "queued");
      assert.equal((await row(other)).status, "queued");
      // a second worker finds nothing left to take
      assert.deepEqual(await p.claim("w2", ["claims"], ["pick", "other"], 10).then((c) => c.map((x) => x.id)), [other]);
      for (const c of claims) assert.equal(await p.complete(c.id, c.claim_token, null), true);
    });

    test("a stale claim commits nothing: after its lease expired and another worker claimed, its writes match nothing", async () => {
      const id = await rhythm.queueTask("stale", { v: 1 }, { queue: "stale", retries: { limit: 3, initial: "10ms" } });
      const [first] = await p.claim("slow", ["stale"], ["stale"], 1);
      await p.expireLease(id);
      assert.equal(await p.expireLeases(), 1);
      const expired = await row(id);
      assert.equal(expired.status, "queued");
      assert.equal((expired.errors[0] as { name: string }).name, "LeaseExpired");
      await p.dueNow(id);
      const [second] = await p.claim("fast", ["stale"], ["stale"], 1);
      assert.equal(second.id, id);
      assert.equal(second.attempt, 2);
      // the first worker wakes up: nothing it writes counts
      assert.deepEqual(await p.heartbeat(id, first.claim_token), { held: false, cancelled: false });
      assert.equal(await p.complete(id, first.claim_token, "from the stale claim"), false);
      assert.equal(await p.fail(id, first.claim_token, { name: "Error", message: "stale" }), null);
      assert.equal(await p.release(id, first.claim_token), false);
      assert.equal((await row(id)).claim_token, second.claim_token);
      assert.equal(await p.complete(id, second.claim_token, { from: "second" }), true);
      const done = await rhythm.get(id);
      assert.equal(done!.status, "completed");
      assert.deepEqual(done!.output, { from: "second" });
      // and a claim that finished cannot write again
      assert.equal(await p.complete(id, second.claim_token, "again"), false);
    });

    test("a cancelled task's heartbeat says so, and its outcome is not recorded", async () => {
      const wf = await rhythm.startWorkflow("awaits_py", { n: 1 });
      const [c] = await untilClaim(p, "py", wf);
      assert.deepEqual(await p.heartbeat(c.id, c.claim_token), { held: true, cancelled: false });
      await rhythm.cancel(wf);
      assert.deepEqual(await p.heartbeat(c.id, c.claim_token), { held: false, cancelled: true });
      assert.equal(await p.complete(c.id, c.claim_token, 5), false);
      assert.equal((await rhythm.get(c.id))!.status, "cancelled");
      assert.equal((await rhythm.get(wf))!.status, "cancelled");
    });

    test("a retryable failure is retried per the task's stored policy; the last one fails the task and the workflow gets a TaskError", async () => {
      const wf = await rhythm.startWorkflow("awaits_py", { n: 2 });
      const [a1] = await untilClaim(p, "py", wf);
      assert.equal(await p.fail(a1.id, a1.claim_token, { name: "FlakyError", message: "try 1", code: 7 }), "retried");
      const retried = await row(a1.id);
      assert.equal(retried.status, "queued");
      assert.deepEqual(retried.errors, [{ name: "FlakyError", message: "try 1", code: 7, attempt: 1 }]);
      await p.dueNow(a1.id);
      const [a2] = await p.claim("w", ["py"], ["py-task"], 1);
      assert.equal(a2.attempt, 2);
      assert.equal(await p.fail(a2.id, a2.claim_token, { name: "FlakyError", message: "try 2" }), "retried");
      await p.dueNow(a1.id);
      const [a3] = await p.claim("w", ["py"], ["py-task"], 1);
      // retries: { limit: 2 } makes three attempts: the third failure is the last
      assert.equal(await p.fail(a3.id, a3.claim_token, { name: "FlakyError", message: "try 3" }), "failed");
      const task = await rhythm.get(a1.id);
      assert.equal(task!.status, "failed");
      assert.deepEqual(task!.error, { name: "FlakyError", message: "try 3", attempt: 3 });
      const done = await untilStatus(rhythm, wf, "completed");
      assert.deepEqual(done.output, {
        name: "TaskError",
        message: "try 3",
        attempts: 3,
        cause: { name: "FlakyError", message: "try 3" },
      });
    });

    test("a failure that is not retryable fails at once", async () => {
      const wf = await rhythm.startWorkflow("awaits_py", { n: 3 });
      const [c] = await untilClaim(p, "py", wf);
      assert.equal(await p.fail(c.id, c.claim_token, { name: "CardDeclined", message: "no" }, false), "failed");
      const done = await untilStatus(rhythm, wf, "completed");
      assert.deepEqual(done.output, {
        name: "TaskError",
        message: "no",
        attempts: 1,
        cause: { name: "CardDeclined", message: "no" },
      });
    });

    test("a completion wakes the awaiting workflow with the output, its keys in their order", async () => {
      const wf = await rhythm.startWorkflow("awaits_py", { n: 4 });
      const [c] = await untilClaim(p, "py", wf);
      assert.deepEqual(c.inputs, { n: 4 });
      assert.equal(c.parent_id, wf);
      assert.equal(await p.complete(c.id, c.claim_token, { zulu: 1, alpha: 2 }), true);
      const done = await untilStatus(rhythm, wf, "completed");
      assert.deepEqual(done.output, { ok: { zulu: 1, alpha: 2 } });
      assert.deepEqual(Object.keys((done.output as { ok: object }).ok), ["zulu", "alpha"]);
    });

    test("completions in one call: each written in order, a stale one left out", async () => {
      const ids = [
        await rhythm.queueTask("batch", { k: 1 }, { queue: "batch" }),
        await rhythm.queueTask("batch", { k: 2 }, { queue: "batch" }),
      ];
      const claims = await p.claim("w", ["batch"], ["batch"], 2);
      const stale = { id: claims[0].id, token: "00000000-0000-0000-0000-000000000000", output: "stale" };
      const r = await db.driver.query<{ id: string; written: boolean }>("select * from rhythm.complete_tasks_v1($1::json)", [
        JSON.stringify([stale, ...claims.map((c) => ({ id: c.id, token: c.claim_token, output: { z: c.id, a: 1 } }))]),
      ]);
      assert.deepEqual(
        r.rows.map((x) => x.written),
        [false, true, true],
      );
      for (const id of ids) {
        const e = (await rhythm.get(id))!;
        assert.equal(e.status, "completed");
        assert.deepEqual(Object.keys(e.output as object), ["z", "a"]);
      }
    });

    test("a release gives the claim back without counting the attempt", async () => {
      const id = await rhythm.queueTask("released", {}, { queue: "rel" });
      const [c] = await p.claim("w", ["rel"], ["released"], 1);
      assert.equal(await p.release(c.id, c.claim_token), true);
      const r = await row(id);
      assert.equal(r.status, "queued");
      assert.equal(r.attempt, 0);
      const [again] = await p.claim("w", ["rel"], ["released"], 1);
      assert.equal(again.attempt, 1);
      await p.complete(again.id, again.claim_token, null);
    });

    test("an error without a name and a message is refused with RH400, and nothing is written", async () => {
      const id = await rhythm.queueTask("bad-error", {}, { queue: "bad" });
      const [c] = await p.claim("w", ["bad"], ["bad-error"], 1);
      await assert.rejects(p.fail(c.id, c.claim_token, { message: 5 }), (e: { code?: string }) => e.code === "RH400");
      const r = await row(id);
      assert.equal(r.status, "running");
      assert.equal(r.claim_token, c.claim_token);
      await p.complete(c.id, c.claim_token, null);
    });

    test("a worker registers its queues and tasks, and get says why work waits when none serves a queue", async () => {
      await db.driver.query("select rhythm.register_worker_v1($1, $2, $3)", ["py-1", ["py"], ["py-task"]]);
      const workers = await rhythm.workers();
      assert.deepEqual(
        workers.filter((w) => w.id === "py-1").map((w) => [w.queues, w.tasks]),
        [[["py"], ["py-task"]]],
      );
      const id = await rhythm.queueTask("nobody", {}, { queue: "py" });
      assert.match((await rhythm.get(id))!.blocked ?? "", /no running worker registers task "nobody"/);
      await db.driver.query("select rhythm.unregister_worker_v1($1)", ["py-1"]);
      assert.equal((await rhythm.workers()).filter((w) => w.id === "py-1").length, 0);
      await rhythm.cancel(id);
    });

    test("a client starts work, signals and reads through the protocol", async () => {
      const r = await db.driver.query<{ id: string; created: boolean }>(
        `select * from rhythm.enqueue_v1('task', 'queued-by-sql', '{"b":1,"a":2}', '{"queue":"sqlq","idempotencyKey":"k1"}')`,
      );
      assert.equal(r.rows[0].created, true);
      const again = await db.driver.query<{ id: string; created: boolean }>(
        `select * from rhythm.enqueue_v1('task', 'queued-by-sql', '{}', '{"queue":"sqlq","idempotencyKey":"k1"}')`,
      );
      assert.deepEqual(again.rows[0], { id: r.rows[0].id, created: false });
      const got = await db.driver.query<{ inputs: unknown; status: string }>("select * from rhythm.get_v1($1)", [r.rows[0].id]);
      assert.deepEqual(Object.keys(got.rows[0].inputs as object), ["b", "a"]);
      await assert.rejects(
        db.driver.query(`select * from rhythm.enqueue_v1('workflow', 'no_such_flow', '{}')`),
        (e: { code?: string }) => e.code === "RH404",
      );
      await assert.rejects(
        db.driver.query(`select rhythm.signal_v1($1, 'go', 'null')`, [r.rows[0].id]),
        (e: { code?: string }) => e.code === "RH409",
      );
    });
  });
}

/** Claims the task the workflow started on `queue` (it appears once the workflow's first step commits). */
async function untilClaim(p: Protocol, queue: string, parentId: string) {
  for (let i = 0; i < 300; i++) {
    const claims = await p.claim("w", [queue], ["py-task"], 1);
    if (claims.length > 0) {
      assert.equal(claims[0].parent_id, parentId);
      return claims;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no task of ${parentId} on ${queue}`);
}
