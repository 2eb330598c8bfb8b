// Flow control through the SQL worker protocol (migrations 008/009, 014, 018; docs/protocol.md
// "Flow control"): a claim never hands out a task whose concurrency key is full or whose rate
// window is spent, whatever ends a holder through the protocol frees its slot for the next in
// line, TypeScript and protocol workers share one key, and a task cancelled by its workflow's
// timeout is reported cancelled and commits nothing.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Rhythm } from "../../src/index.js";
import { backends, type TestDatabase } from "../support/database.js";
import { engine, type EngineFixture } from "../support/engine.js";
import { deferred, until, untilStatus } from "../engine/support/until.js";
import { Protocol } from "./support/protocol.js";

const TIMED = `
return await Task.run("py-slow", { n: Inputs.n }, { queue: "fc-timeout", concurrency: { key: "slow-key" } });
`;

for (const backend of await backends()) {
  describe(`flow control through the SQL worker protocol on ${backend.kind}`, () => {
    let db: TestDatabase;
    let f: EngineFixture;
    let rhythm: Rhythm;
    let p: Protocol;
    const row = async (id: string) =>
      (
        await db.driver.query<{ status: string; parked: boolean; holds_slot: boolean; run_at: Date; claim_token: string | null }>(
          "select status, parked, holds_slot, run_at, claim_token from rhythm.executions where id = $1",
          [id],
        )
      ).rows[0];
    const holders = async (key: string) =>
      Number(
        (
          await db.driver.query<{ n: string }>(
            "select count(*) as n from rhythm.executions where concurrency_key = $1 and holds_slot",
            [key],
          )
        ).rows[0].n,
      );

    before(async () => {
      db = await backend.open();
      f = await engine(db, { timed: TIMED });
      rhythm = f.rhythm;
      await rhythm.deploy();
      await rhythm.worker({ queues: ["default"], pollIntervalMs: 50 }).start();
      p = new Protocol(db.driver);
    });
    after(async () => {
      await f.close();
      await db.drop();
    });

    test("two protocol workers on a key of limit 1: one holder at a time, parked rows never handed out", async () => {
      const ids = await rhythm.queueTasks(
        "duo",
        Array.from({ length: 6 }, (_, i) => ({ i })),
        { queue: "fc-duo", concurrency: { key: "duo", limit: 1 } },
      );
      const done: string[] = [];
      for (let round = 0; done.length < ids.length; round++) {
        // both claim at once (two connections on Postgres), each for more than one
        const [a, b] = await Promise.all([p.claim("a", ["fc-duo"], ["duo"], 5), p.claim("b", ["fc-duo"], ["duo"], 5)]);
        const got = [...a, ...b];
        assert.equal(got.length, 1, `round ${round}: ${got.length} claimed`);
        for (const c of got) assert.ok(c.claim_token, "a claim always has a token");
        assert.equal(await holders("duo"), 1);
        // every other one waits parked, out of the claim index
        for (const id of ids) if (id !== got[0].id && !done.includes(id)) assert.equal((await row(id)).parked, true);
        // ends in turn by each way the protocol ends an attempt; each frees the slot and unparks the next
        const c = got[0];
        if (round === 1) {
          assert.equal(await p.fail(c.id, c.claim_token, { name: "Flaky", message: "again" }, false), "failed");
        } else if (round === 2) {
          assert.equal(await p.release(c.id, c.claim_token), true);
          assert.equal(await holders("duo"), 0);
          // back in the claim index (not parked), beside the one its release unparked: one claim
          // of the two still takes only one
          assert.equal((await row(c.id)).parked, false);
          const again = await p.claim("a", ["fc-duo"], ["duo"], 5);
          assert.equal(again.length, 1);
          assert.equal(await p.complete(again[0].id, again[0].claim_token, null), true);
          done.push(again[0].id);
          continue;
        } else if (round === 3) {
          await p.expireLease(c.id);
          assert.equal(await p.expireLeases(), 1);
          // retried later (the backoff), but its slot is free now
          assert.equal((await row(c.id)).status, "queued");
          assert.equal((await row(c.id)).holds_slot, false);
          await p.dueNow(c.id);
          const back = await p.claim("b", ["fc-duo"], ["duo"], 5);
          assert.equal(back.length, 1);
          assert.equal(await p.complete(back[0].id, back[0].claim_token, null), true);
          done.push(back[0].id);
          continue;
        } else {
          assert.equal(await p.complete(c.id, c.claim_token, { i: round }), true);
        }
        done.push(c.id);
        assert.equal(await holders("duo"), 0);
        const waiting = ids.filter((id) => !done.includes(id));
        if (waiting.length > 0) {
          // the end woke the next in line; until a release or a retry put one back in the claim
          // index beside it (rounds 2 and 3), exactly one: the rest stay parked
          const unparked = [];
          for (const id of waiting) if (!(await row(id)).parked) unparked.push(id);
          if (round < 2) assert.equal(unparked.length, 1);
          else assert.ok(unparked.length >= 1);
        }
      }
      assert.deepEqual(new Set(done), new Set(ids));
    });

    test("a retryable failure through the protocol gives the slot back to the next in line", async () => {
      const [x, y] = await rhythm.queueTasks("retry-key", [{ k: "x" }, { k: "y" }], {
        queue: "fc-retry",
        concurrency: { key: "retry-key" },
        retries: { limit: 3, initial: "1h" },
      });
      const [cx] = await p.claim("w", ["fc-retry"], ["retry-key"], 5);
      assert.equal(cx.id, x);
      assert.equal((await row(y)).parked, true);
      assert.equal(await p.fail(cx.id, cx.claim_token, { name: "Flaky", message: "later" }), "retried");
      assert.equal((await row(y)).parked, false);
      const [cy] = await p.claim("w", ["fc-retry"], ["retry-key"], 5);
      assert.equal(cy.id, y);
      assert.equal(await p.complete(cy.id, cy.claim_token, null), true);
    });

    test("a TypeScript worker and a protocol worker share one key: never both at once", async () => {
      const gate = deferred();
      const started: string[] = [];
      rhythm.task("ts-side", async (i: { k: string }) => {
        started.push(i.k);
        await gate.promise;
        return i.k;
      });
      const key = { key: "mixed", limit: 1 };
      const a = await rhythm.queueTask("py-side", { k: "a" }, { queue: "fc-mixed", concurrency: key });
      const [ca] = await p.claim("py", ["fc-mixed"], ["py-side"], 5);
      assert.equal(ca.id, a);
      const b = await rhythm.queueTask("ts-side", { k: "b" }, { queue: "fc-mixed", concurrency: key });
      assert.equal((await row(b)).parked, true, "queued behind the protocol's holder, parked at once");
      await rhythm.worker({ queues: ["fc-mixed"], pollIntervalMs: 50 }).start();
      // the TS worker cannot take it while the protocol holds the key
      assert.equal(started.length, 0);
      assert.equal(await p.complete(ca.id, ca.claim_token, "a"), true);
      await until("the TypeScript worker to start b", () => started.includes("b"));
      const c = await rhythm.queueTask("py-side", { k: "c" }, { queue: "fc-mixed", concurrency: key });
      assert.deepEqual(await p.claim("py", ["fc-mixed"], ["py-side"], 5), [], "the TypeScript worker holds the key");
      assert.equal((await row(c)).parked, true);
      gate.resolve();
      await untilStatus(rhythm, b, "completed");
      const cc = await until("c to be claimable", async () => (await p.claim("py", ["fc-mixed"], ["py-side"], 5))[0]);
      assert.equal(cc.id, c);
      assert.equal(await p.complete(cc.id, cc.claim_token, "c"), true);
    });

    test("rate-limited tasks claimed through the protocol count in the window; one over it is not handed out", async () => {
      const limit = { key: "rl", limit: 2, per: "1d" };
      const ids = await rhythm.queueTasks("rl-task", [{ n: 1 }, { n: 2 }, { n: 3 }], { queue: "fc-rate", rateLimit: limit });
      const claimed = await p.claim("w", ["fc-rate"], ["rl-task"], 10);
      assert.equal(claimed.length, 2);
      for (const c of claimed) assert.ok(c.claim_token);
      const used = await db.driver.query<{ used: number }>("select used from rhythm.rate_limits where key = 'rl'");
      assert.equal(used.rows[0].used, 2);
      const over = ids.find((id) => !claimed.some((c) => c.id === id))!;
      const overRow = await row(over);
      assert.equal(overRow.status, "queued");
      assert.ok(overRow.run_at.getTime() > Date.now(), "sent to the next window");
      for (const c of claimed) assert.equal(await p.complete(c.id, c.claim_token, null), true);
      // a fourth, queued by the protocol's own enqueue: the window is still spent
      const r = await db.driver.query<{ id: string }>(
        `select id from rhythm.enqueue_v1('task', 'rl-task', '{"n":4}', '{"queue":"fc-rate","rateLimit":{"key":"rl","limit":2,"perMs":86400000}}')`,
      );
      assert.deepEqual(await p.claim("w", ["fc-rate"], ["rl-task"], 10), []);
      assert.ok((await row(r.rows[0].id)).run_at.getTime() > Date.now());
    });

    test("enqueue_v1 stores a concurrency key as Enqueue does, and refuses a malformed one", async () => {
      const q = (opts: string) =>
        db.driver.query<{ id: string }>(`select id from rhythm.enqueue_v1('task', 'sql-keyed', 'null', $1::json)`, [opts]);
      const first = (await q('{"queue":"fc-sql","concurrency":{"key":"sqlk"}}')).rows[0].id;
      const second = (await q('{"queue":"fc-sql","concurrency":{"key":"sqlk","limit":1}}')).rows[0].id;
      const got = await p.claim("w", ["fc-sql"], ["sql-keyed"], 5);
      assert.deepEqual(
        got.map((c) => c.id),
        [first],
      );
      assert.equal((await row(second)).parked, true);
      await assert.rejects(q('{"concurrency":{"key":"k","limit":0}}'), (e: { code?: string }) => e.code === "RH400");
      await assert.rejects(q('{"rateLimit":{"key":"k","limit":1}}'), (e: { code?: string }) => e.code === "RH400");
      assert.equal(await p.complete(got[0].id, got[0].claim_token, null), true);
      assert.equal((await row(second)).parked, false);
    });

    test("a task cancelled by its workflow's timeout: heartbeat says cancelled, its completion commits nothing, its slot is freed", async () => {
      const wf = await rhythm.startWorkflow("timed", { n: 1 }, { timeout: "1h" });
      const c = await until(
        "the task of the timed workflow",
        async () => (await p.claim("py", ["fc-timeout"], ["py-slow"], 1))[0],
      );
      assert.equal(c.parent_id, wf);
      const next = await rhythm.queueTask("py-slow", { n: 2 }, { queue: "fc-timeout", concurrency: { key: "slow-key" } });
      assert.equal((await row(next)).parked, true);
      assert.deepEqual(await p.heartbeat(c.id, c.claim_token), { held: true, cancelled: false });
      // its timeout passes: the deadline comes due now
      await db.driver.query("update rhythm.timers set fire_at = now() where execution_id = $1 and kind = 'deadline'", [wf]);
      const failed = await untilStatus(rhythm, wf, "failed");
      assert.equal((failed.error as { name: string }).name, "Timeout");
      assert.deepEqual(await p.heartbeat(c.id, c.claim_token), { held: false, cancelled: true });
      assert.equal(await p.complete(c.id, c.claim_token, "too late"), false);
      const task = await rhythm.get(c.id);
      assert.equal(task!.status, "cancelled");
      assert.equal(task!.output, null);
      assert.equal((await rhythm.get(wf))!.status, "failed");
      // the cancel freed the key: the next one is claimable
      assert.equal((await row(next)).parked, false);
      const [cn] = await p.claim("py", ["fc-timeout"], ["py-slow"], 1);
      assert.equal(cn.id, next);
      assert.equal(await p.complete(cn.id, cn.claim_token, null), true);
    });

    test("expire_leases_v1 counts an expired workflow activation as lost, with why, as the TypeScript worker does", async () => {
      // on a queue no worker serves, claimed by a worker that then died
      const wf = await rhythm.startWorkflow("timed", { n: 9 }, { queue: "fc-lost" });
      await db.driver.query(
        `update rhythm.executions set status = 'running', claim_token = gen_random_uuid(), worker_id = 'gone',
           lease_expires_at = now() - interval '1 second', started_at = now() where id = $1`,
        [wf],
      );
      assert.equal(await p.expireLeases(), 1);
      const r = await db.driver.query<{
        status: string;
        activation_failures: number;
        activation_error: string;
        claim_token: null;
      }>("select status, activation_failures, activation_error, claim_token from rhythm.executions where id = $1", [wf]);
      assert.deepEqual(r.rows[0], {
        status: "queued",
        activation_failures: 1,
        activation_error: "its lease expired (its worker stopped or froze before the activation was saved)",
        claim_token: null,
      });
      await rhythm.cancel(wf);
    });

    test("debounce: a start merges into a task parked behind its key until the protocol claims it, then starts a new one", async () => {
      const key = { key: "deb-key", limit: 1 };
      const debounce = { key: "doc:1", delay: "1h" };
      const holder = await rhythm.queueTask("deb", { v: 0 }, { queue: "fc-deb", concurrency: key });
      const [h] = await p.claim("w", ["fc-deb"], ["deb"], 5);
      assert.equal(h.id, holder);
      const d1 = await rhythm.queueTask("deb", { v: 1 }, { queue: "fc-deb", concurrency: key, debounce });
      await p.dueNow(d1);
      // parked behind the holder: not handed out, and not started, so a start with its key is it
      assert.deepEqual(await p.claim("w", ["fc-deb"], ["deb"], 5), []);
      assert.equal(await rhythm.queueTask("deb", { v: 2 }, { queue: "fc-deb", concurrency: key, debounce }), d1);
      assert.equal(await p.complete(h.id, h.claim_token, null), true);
      await p.dueNow(d1);
      const [c1] = await p.claim("w", ["fc-deb"], ["deb"], 5);
      assert.equal(c1.id, d1);
      assert.deepEqual(c1.inputs, { v: 2 });
      // claimed through the protocol, it has started: the next start with its key is a new task
      const d3 = await rhythm.queueTask("deb", { v: 3 }, { queue: "fc-deb", concurrency: key, debounce });
      assert.notEqual(d3, d1);
      assert.equal((await row(d3)).parked, true);
      assert.equal(await p.complete(c1.id, c1.claim_token, null), true);
      assert.equal((await row(d3)).parked, false);
    });
  });
}
