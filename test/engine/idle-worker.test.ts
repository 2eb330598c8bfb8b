// An idle worker notices work without polling for it (issue 17): a LISTEN connection that dropped
// (its notifications lost) makes the worker claim as soon as it is back, not at its next poll;
// a dead worker's lease is taken back when it runs out, learnt from the worker's beat. These
// workers poll every 10 minutes, so only the mechanism under test can find the work.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { Rhythm } from "../../src/index.js";
import { PostgresDriver } from "../../src/store/pg-driver.js";
import { backends, type TestDatabase } from "../support/database.js";
import { engine, type EngineFixture } from "../support/engine.js";
import { ByHand } from "./support/by-hand.js";
import { CountingDriver } from "./support/counting-driver.js";
import { until } from "./support/until.js";

const NEVER_POLLS = { pollIntervalMs: 600_000 };

for (const backend of await backends()) {
  describe(`an idle worker notices work on ${backend.kind}`, () => {
    let db: TestDatabase;
    let f: EngineFixture;
    let rhythm: Rhythm;

    before(async () => {
      db = await backend.open();
      f = await engine(db, { one_task: `return await Task.run("leased", {});` });
      rhythm = f.rhythm;
    });
    after(async () => {
      await f?.close();
      await db?.drop();
    });

    test("a claim left by a worker that died is taken back when its lease ends, before the next beat", async () => {
      const hand = new ByHand(db.driver);
      rhythm.task("leased", async (_i, ctx) => `attempt ${ctx.attempt}`);
      const task = await rhythm.queueTask("leased", {}, { queue: "ghosted", retries: { limit: 1, initial: "10ms" } });
      // the ghost holds it for 1.5 s more and never renews: its lease runs out after the worker started
      const [claimed] = await hand.store.claim("ghost", ["ghosted"], ["leased"], 1, 1500);
      assert.equal(claimed.id, task);
      const w = rhythm.worker({ queues: ["ghosted"], ...NEVER_POLLS });
      await w.start();
      try {
        // the worker's next beat is 10 s away: only the lease time read at start wakes it
        const t = await rhythm.wait(task, { timeout: "8s" });
        assert.equal(t.status, "completed");
        assert.equal(t.output, "attempt 2");
        assert.deepEqual(
          (t.errors as { name: string }[]).map((e) => e.name),
          ["LeaseExpired"],
        );
      } finally {
        await w.stop();
      }
    });
  });
}

for (const backend of (await backends()).filter((b) => b.kind === "postgres")) {
  describe(`a lost notification on ${backend.kind}`, () => {
    let db: TestDatabase;
    let f: EngineFixture;

    before(async () => {
      db = await backend.open();
      f = await engine(db, {});
    });
    after(async () => {
      await f?.close();
      await db?.drop();
    });

    test("work queued while the worker's LISTEN connection was down is claimed once it is back, not at a poll", async () => {
      const counting = new CountingDriver(new PostgresDriver(db.url!), true);
      const client = await Rhythm.connectWith(counting, { workflows: f.dir });
      const admin = new pg.Client({ connectionString: db.url! });
      await admin.connect();
      try {
        let ran = 0;
        client.task("after-drop", async () => ++ran);
        await client.worker({ queues: ["dropped"], ...NEVER_POLLS }).start();
        const listening = async () =>
          (
            await admin.query<{ pid: number }>(
              `select pid from pg_stat_activity where datname = current_database() and query like 'listen %' and pid <> pg_backend_pid()`,
            )
          ).rows.map((r) => r.pid);
        const [pid] = await until("the worker's LISTEN connection", async () => (await listening()).length === 1 && listening());
        await admin.query("select pg_terminate_backend($1)", [pid]);
        await until("the LISTEN backend gone", async () => !(await listening()).includes(pid));
        counting.reset();
        // its notification goes to no one: the worker listens on no connection now
        const id = await f.rhythm.queueTask("after-drop", {}, { queue: "dropped" });
        const done = await f.rhythm.wait(id, { timeout: "30s" });
        assert.equal(done.status, "completed");
        // claimed in a round of its own, not in the one of the next beat (10 s later) or poll
        const claimAt = counting.texts.findIndex((s) => s.startsWith("with picked"));
        assert.ok(claimAt >= 0, counting.texts.join("\n"));
        assert.equal(
          counting.texts.slice(0, claimAt).filter((s) => s.startsWith("with gone")).length,
          0,
          counting.texts.join("\n"),
        );
        assert.equal(ran, 1);
      } finally {
        await admin.end();
        await client.close();
      }
    });
  });
}
