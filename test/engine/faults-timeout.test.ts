// Statement timeouts (issue 4, database faults): the database has a statement_timeout of 300 ms and
// another session holds locks the worker needs — a finished task's row, a workflow's row while its
// task completes, the whole executions table — so the worker's statements are cancelled with
// 57014. The worker survives, writes again once the locks are gone, and every execution completes
// exactly once. On Postgres only (the embedded database is one session: nobody else can hold a lock).

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { DatabaseUnavailableError } from "../../src/store/connection-errors.js";
import { migrate } from "../../src/store/migrate.js";
import { postgresAvailable, postgresDatabase, type TestDatabase } from "../support/database.js";
import { openRig } from "./support/fault-rig.js";
import { deferred, until } from "./support/until.js";

const TIMEOUT = "canceling statement due to statement timeout";

if (await postgresAvailable())
  describe("statement timeouts on postgres", () => {
    let db: TestDatabase;
    const sessions = new Set<pg.Client>();

    before(async () => {
      db = await postgresDatabase();
      await migrate(db.driver, "rhythm");
      // every new session of this database (the worker's) gives a statement 300 ms
      const name = new URL(db.url!).pathname.slice(1);
      await db.driver.query(`alter database "${name}" set statement_timeout = '300ms'`);
    });
    after(async () => {
      for (const c of sessions) await c.end().catch(() => {});
      await db.drop();
    });

    /** Another session takes a lock (in its own transaction) and keeps it until released. */
    async function hold(sql: string, params: unknown[] = []): Promise<() => Promise<void>> {
      const c = new pg.Client({ connectionString: db.url! });
      sessions.add(c);
      await c.connect();
      await c.query("set statement_timeout = 0");
      await c.query("begin");
      await c.query(sql, params);
      return async () => {
        await c.query("commit");
        await c.end();
        sessions.delete(c);
      };
    }

    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

    test("a finished task's row is locked by another session: its write times out, is tried again, and the task runs once", async () => {
      // a 4 s lease: an outcome given up instead of written again would show as a second run
      const rig = await openRig(db, { taskTimeout: "4s" });
      try {
        const released: Promise<void>[] = [];
        let locking = 0;
        rig.workload.onCall = async (name, id) => {
          // counted before the lock is taken: handlers run ten at a time
          if (locking >= 3) return;
          locking++;
          const release = await hold(`select 1 from rhythm.executions where id = $1 for update`, [id]);
          released.push(pause(1200).then(release));
        };
        const started = await rig.workload.start(rig.client, 0, 12);
        await until("three rows locked", () => released.length === 3);
        await Promise.all(released);
        const rows = await rig.workload.verify(db.driver, started);
        assert.ok(
          rig.fault.raised.some((r) => r.code === "57014" && r.sql === rig.sql.TasksCompleteStandalone),
          "a completion write was cancelled by the statement timeout",
        );
        assert.deepEqual(
          rows.filter((r) => r.attempt !== 1).map((r) => r.id),
          [],
        );
      } finally {
        await rig.close();
      }
    });

    test("a workflow's row is locked while its task completes: waking it times out, the batch is written again, each step runs once", async () => {
      const rig = await openRig(db, { taskTimeout: "4s" });
      try {
        const locked = new Set<string>();
        const released: Promise<void>[] = [];
        rig.workload.onCall = async (name, _id, parentId) => {
          if (parentId === null || locked.size >= 3 || locked.has(parentId)) return;
          locked.add(parentId);
          const release = await hold(`select 1 from rhythm.executions where id = $1 for update`, [parentId]);
          released.push(pause(1200).then(release));
        };
        const started = await rig.workload.start(rig.client, 6, 0);
        await until("three workflows locked", () => released.length === 3);
        await Promise.all(released);
        await rig.workload.verify(db.driver, started);
        assert.ok(
          rig.fault.raised.some((r) => r.code === "57014" && (r.sql === rig.sql.Wake || r.sql === rig.sql.WakeLock)),
          "waking a workflow was cancelled by the statement timeout",
        );
      } finally {
        await rig.close();
      }
    });

    test("the executions table is locked for 1.5 s: the worker's statements time out meanwhile, it says so, and the work completes once", async () => {
      const rig = await openRig(db, { taskTimeout: "8s" });
      try {
        // handlers after the third finish only once the table is locked: their writes meet the lock
        const locked = deferred();
        let calls = 0;
        rig.workload.onCall = () => (++calls > 3 ? locked.promise : undefined);
        const started = await rig.workload.start(rig.client, 6, 6);
        await until("work under way", () => calls > 3);
        const release = await hold(`lock table rhythm.executions in access exclusive mode`);
        locked.resolve();
        await pause(1500);
        await release();
        await rig.workload.verify(db.driver, started);
        // (a step's transaction, or a step in one statement: FastStep, docs/engine.md)
        assert.ok(
          rig.fault.raised.some(
            (r) => r.code === "57014" && (r.place === "transaction" || r.sql.includes("with g as materialized")),
          ),
          "the worker's writes were cancelled by the statement timeout",
        );
        // An idle worker's claims fail too, and it says so (a busy one's retried writes are reported
        // as well: faults-connection).
        const again = await hold(`lock table rhythm.executions in access exclusive mode`);
        try {
          await until("the worker to report the timeouts", () =>
            rig.errors.some(
              (e) =>
                e instanceof DatabaseUnavailableError && e.message.startsWith(`database unavailable (${TIMEOUT}), retrying in `),
            ),
          );
        } finally {
          await again();
        }
        assert.equal(rig.worker.isRunning, true);
      } finally {
        await rig.close();
      }
    });
  });
