// Retention (docs/engine.md): old finished executions are deleted in batches, oldest first, by
// rhythm.prune and by workers given a `retention` age per status; what is young, unfinished, or
// still needed (a child whose parent runs, a parent whose child runs) stays.

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import type { Rhythm } from "../../src/index.js";
import { PRUNE_BATCH } from "../../src/store/retention.js";
import { Store } from "../../src/store/store.js";
import { backends, type TestDatabase } from "../support/database.js";
import { engine, type EngineFixture } from "../support/engine.js";
import { until } from "./support/until.js";

for (const backend of await backends()) {
  describe(`retention on ${backend.kind}`, () => {
    let db: TestDatabase;
    let f: EngineFixture;
    let rhythm: Rhythm;

    /** Inserts `n` executions with this status, finished `agoSql` ago (null: not finished); returns their ids. */
    const insert = async (n: number, status: string, agoSql: string | null, parentId: string | null = null) => {
      const ids = Array.from({ length: n }, () => randomUUID());
      await db.driver.query(
        `insert into rhythm.executions (id, kind, name, status, inputs, parent_id, created_at, finished_at)
         select id, 'task', 'old', $2, 'null', $3, now() - interval '30 days',
                ${agoSql === null ? "null" : `now() - interval '${agoSql}'`}
         from unnest($1::uuid[]) as id`,
        [ids, status, parentId],
      );
      return ids;
    };
    const exists = async (ids: string[]) =>
      Number(
        (await db.driver.query<{ n: string }>("select count(*) as n from rhythm.executions where id = any($1::uuid[])", [ids]))
          .rows[0].n,
      );

    before(async () => {
      db = await backend.open();
      f = await engine(db, {});
      rhythm = f.rhythm;
    });
    after(async () => {
      await f.close();
      await db.drop();
    });

    test("prune deletes old finished executions in batches, per status, and keeps what is still needed", async () => {
      const old = await insert(PRUNE_BATCH * 2 + 7, "completed", "2 days");
      const oldFailed = await insert(3, "failed", "2 days");
      const young = await insert(4, "completed", "1 hour");
      const running = await insert(1, "suspended", null);
      const childOfRunning = await insert(2, "completed", "2 days", running[0]);
      const finishedParent = await insert(1, "completed", "2 days");
      await insert(1, "queued", null, finishedParent[0]);
      // a batch is at most PRUNE_BATCH rows, oldest first
      const store = new Store(db.driver, "rhythm");
      assert.equal(await store.retention().pruneBatch("completed", 86_400_000), PRUNE_BATCH);
      assert.equal(await store.retention().count("completed", 86_400_000), PRUNE_BATCH + 7);
      // the dry run counts and deletes nothing
      const dry = await rhythm.prune({ olderThan: "1d", dryRun: true });
      assert.deepEqual(dry, { deleted: PRUNE_BATCH + 7 + 3, byStatus: { completed: PRUNE_BATCH + 7, failed: 3, cancelled: 0 } });
      assert.equal(await exists(old), PRUNE_BATCH + 7);
      assert.deepEqual(await rhythm.prune({ olderThan: "1d", status: "completed" }), {
        deleted: PRUNE_BATCH + 7,
        byStatus: { completed: PRUNE_BATCH + 7 },
      });
      assert.equal(await exists(old), 0);
      assert.equal(await exists(oldFailed), 3);
      assert.equal(await exists(young), 4);
      assert.equal(await exists(running), 1);
      assert.equal(await exists(childOfRunning), 2, "a child whose parent still runs stays");
      assert.equal(await exists(finishedParent), 1, "a parent whose child still runs stays");
      await assert.rejects(rhythm.prune({ olderThan: "soon" }), { code: "INVALID_ARGUMENT" });
      await assert.rejects(rhythm.prune({ olderThan: "1d", status: "running" as never }), { code: "INVALID_ARGUMENT" });
      await db.driver.query("delete from rhythm.executions");
    });

    test("a worker with a retention age deletes old executions of that status only", async () => {
      const oldCompleted = await insert(30, "completed", "3 days");
      const oldFailed = await insert(5, "failed", "3 days");
      const young = await insert(2, "completed", "1 hour");
      const worker = rhythm.worker({ retention: { completed: "2d" } });
      await worker.start();
      try {
        await until("old completed executions deleted", async () => (await exists(oldCompleted)) === 0);
      } finally {
        await worker.stop();
      }
      assert.equal(await exists(oldFailed), 5);
      assert.equal(await exists(young), 2);
      assert.throws(() => rhythm.worker({ retention: { running: "1d" } as never }), { code: "INVALID_ARGUMENT" });
      assert.throws(() => rhythm.worker({ retention: { failed: "often" } }), { code: "INVALID_ARGUMENT" });
    });
  });
}
