// `debounce: { key, delay, maxWait? }` (SPEC §9) on the engine: while an execution started with a
// key has not started, a start with that key returns its id, replaces its inputs and moves its
// start (capped by maxWait); once it has started, the next start is a new execution. A burst of
// 1,000 starts from several connections makes one execution with the last inputs.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Rhythm } from "../../src/index.js";
import { backends, type TestDatabase } from "../support/database.js";
import { connectTo, engine, type EngineFixture } from "../support/engine.js";
import { ByHand } from "./support/by-hand.js";
import { until } from "./support/until.js";

const FLOWS = {
  digest_flow: `
return Inputs;
`,
  debounces_twice: `
const opts = { debounce: { key: Inputs.key, delay: "200ms" } };
const [a, b] = await Promise.all([Task.run("digest", { n: 1 }, opts), Task.run("digest", { n: 2 }, opts)]);
return [a, b];
`,
};

for (const backend of await backends()) {
  describe(`debounce on ${backend.kind}`, () => {
    let db: TestDatabase;
    let f: EngineFixture;
    let rhythm: Rhythm;
    let hand: ByHand;
    const clients: Rhythm[] = [];
    const ran: unknown[] = [];
    const raced = new Map<string, unknown>();

    const row = async (id: string) =>
      (
        await db.driver.query<{ inputs: unknown; run_at: Date; debounce_until: Date | null; created_at: Date; status: string }>(
          "select inputs, run_at, debounce_until, created_at, status from rhythm.executions where id = $1",
          [id],
        )
      ).rows[0];
    const count = async (name: string) =>
      (await db.driver.query<{ n: number }>("select count(*)::int as n from rhythm.executions where name = $1", [name])).rows[0]
        .n;

    before(async () => {
      db = await backend.open();
      f = await engine(db, FLOWS);
      rhythm = f.rhythm;
      rhythm.task("race-digest", (i: unknown, ctx) => {
        raced.set(ctx.executionId, i);
      });
      rhythm.task("digest", (i: unknown) => {
        ran.push(i);
        return i;
      });
      await rhythm.deploy();
      await rhythm.worker({ pollIntervalMs: 5000 }).start();
      hand = new ByHand(db.driver, "manual");
      // more connections to the same database (PGlite has one: its clients share it)
      for (let n = 0; n < 3; n++) clients.push(await connectTo(db, f.dir));
    });
    after(async () => {
      await Promise.all(clients.map((c) => c.close()));
      await f.close();
      await db.drop();
    });

    test("1,000 starts in a burst from several connections make one execution, with the last inputs", async () => {
      const key = { key: "burst", delay: "1h" };
      const all = [rhythm, ...clients];
      const ids = await Promise.all(
        Array.from({ length: 1000 }, (_, n) => all[n % all.length].queueTask("unserved-digest", { n }, { debounce: key })),
      );
      assert.equal(new Set(ids).size, 1);
      assert.equal(await count("unserved-digest"), 1);
      const last = await clients[0].enqueueTask("unserved-digest", { n: "last" }, { debounce: key });
      assert.deepEqual(last, { id: ids[0], created: false });
      assert.deepEqual((await row(ids[0])).inputs, { n: "last" });
    });

    test("starts racing a worker's claims: each execution runs with the inputs of a start that returned its id", async () => {
      const opts = { debounce: { key: "race", delay: "20ms" } };
      const all = [rhythm, ...clients];
      const returned = new Map<string, Set<number>>();
      await Promise.all(
        Array.from({ length: 300 }, async (_, n) => {
          // spread over time, so that windows close (claims) while starts arrive
          await new Promise((r) => setTimeout(r, n));
          const id = await all[n % all.length].queueTask("race-digest", { n }, opts);
          returned.set(id, (returned.get(id) ?? new Set()).add(n));
        }),
      );
      const ids = [...returned.keys()];
      await until("every execution to finish", async () => {
        const done = await Promise.all(ids.map((id) => rhythm.get(id)));
        return done.every((e) => e?.status === "completed");
      });
      assert.equal(await count("race-digest"), ids.length, "no execution that no start returned");
      for (const id of ids) {
        const ranWith = raced.get(id) as { n: number };
        assert.ok(returned.get(id)!.has(ranWith.n), `${id} ran with inputs ${ranWith.n}, which no start that returned it gave`);
      }
    });

    test("a start moves the run later; maxWait caps it at the first start + maxWait", async () => {
      const first = await rhythm.queueTask("unserved-digest", 1, { debounce: { key: "move", delay: "1h" } });
      const before = (await row(first)).run_at.getTime();
      await until("the database clock to move", async () => (await row(first)).created_at.getTime() < (await dbNow()));
      await rhythm.queueTask("unserved-digest", 2, { debounce: { key: "move", delay: "1h" } });
      assert.ok((await row(first)).run_at.getTime() > before, "moved to now + delay");

      // maxWait = delay: a later start cannot move the run past the first start's now + delay
      const capped = await rhythm.queueTask("unserved-digest", 1, { debounce: { key: "cap", delay: "1h", maxWait: "1h" } });
      const r1 = await row(capped);
      assert.equal(r1.debounce_until!.getTime(), r1.run_at.getTime());
      await until("the database clock to move", async () => r1.created_at.getTime() < (await dbNow()));
      assert.equal(
        await rhythm.queueTask("unserved-digest", 2, { debounce: { key: "cap", delay: "1h", maxWait: "1h" } }),
        capped,
      );
      const r2 = await row(capped);
      assert.equal(r2.run_at.getTime(), r1.run_at.getTime());
      assert.equal(r2.inputs, 2);
    });

    const dbNow = async () => (await db.driver.query<{ t: Date }>("select now() as t")).rows[0].t.getTime();

    test("once the execution has started, the next start with the key is a new execution", async () => {
      const opts = { debounce: { key: "started", delay: "1h" } };
      const first = await rhythm.queueTask("digest", { n: 1 }, { ...opts, queue: "nobody" });
      assert.equal(await rhythm.queueTask("digest", { n: 2 }, { ...opts, queue: "nobody" }), first);
      await db.driver.query("update rhythm.executions set run_at = now() where id = $1", [first]);
      const [claimed] = await hand.store.claim("manual", ["nobody"], ["digest"], 1, 30_000);
      assert.equal(claimed.id, first);
      const next = await rhythm.queueTask("digest", { n: 3 }, { ...opts, queue: "nobody" });
      assert.notEqual(next, first);
      assert.deepEqual((await row(first)).inputs, { n: 2 }, "the started one keeps its inputs");
      assert.deepEqual((await row(next)).inputs, { n: 3 });
      await hand.store.release(first, claimed.claim_token);
      await rhythm.cancel(first);
      await rhythm.cancel(next);
    });

    test("a worker runs one debounced task, with the last inputs, after the delay", async () => {
      const ids = [];
      for (let n = 1; n <= 5; n++)
        ids.push(await rhythm.queueTask("digest", { run: n }, { debounce: { key: "run", delay: "300ms" } }));
      assert.equal(new Set(ids).size, 1);
      const done = await rhythm.wait(ids[0], { timeout: "15s" });
      assert.deepEqual(done.output, { run: 5 });
      assert.deepEqual(
        ran.filter((i) => (i as { run?: number }).run !== undefined),
        [{ run: 5 }],
      );
      const again = await rhythm.queueTask("digest", { run: 6 }, { debounce: { key: "run", delay: "300ms" } });
      assert.notEqual(again, ids[0]);
      assert.deepEqual((await rhythm.wait(again, { timeout: "15s" })).output, { run: 6 });
    });

    test("workflows are debounced too: startWorkflow returns the same id until it starts", async () => {
      const opts = { debounce: { key: "wf", delay: "300ms" } };
      const a = await rhythm.startWorkflow("digest_flow", { v: 1 }, opts);
      const b = await rhythm.startWorkflow("digest_flow", { v: 2 }, opts);
      assert.equal(a, b);
      assert.deepEqual((await rhythm.wait(a, { timeout: "15s" })).output, { v: 2 });
    });

    test("Task.run with debounce in a .flow: two calls with one key are one task; both handles get its result", async () => {
      const id = await rhythm.startWorkflow("debounces_twice", { key: "flow" });
      const done = await rhythm.wait(id, { timeout: "15s" });
      assert.equal(done.status, "completed", JSON.stringify(done.error));
      assert.deepEqual(done.output, [{ n: 2 }, { n: 2 }]);
      const tasks = (await rhythm.list({ limit: 100 })).filter((e) => e.parentId === id);
      assert.equal(tasks.length, 1);
    });

    test("bad debounce options are refused before anything is written", async () => {
      const before = await count("digest");
      const bad: [unknown, RegExp][] = [
        [{ key: "k" }, /needs a delay/],
        [{ delay: "1s" }, /debounce.key/],
        [{ key: "k", delay: "1s", maxWait: "500ms" }, /maxWait .* at least debounce.delay/],
        [{ key: "k", delay: "1s", wait: 1 }, /unknown debounce field "wait"/],
        [{ key: "k", delay: "soon" }, /debounce.delay/],
        ["k", /must be an object/],
      ];
      for (const [debounce, message] of bad)
        await assert.rejects(rhythm.queueTask("digest", 1, { debounce: debounce as { key: string; delay: string } }), {
          code: "INVALID_ARGUMENT",
          message,
        });
      await assert.rejects(rhythm.queueTask("digest", 1, { debounce: { key: "k", delay: "1s" }, idempotencyKey: "i" }), {
        message: /debounce cannot be combined with idempotencyKey/,
      });
      await assert.rejects(rhythm.startWorkflow("digest_flow", {}, { debounce: { key: "k", delay: "1s" }, delay: "1s" }), {
        message: /debounce cannot be combined with delay/,
      });
      assert.equal(await count("digest"), before, "nothing was queued");
    });
  });
}
