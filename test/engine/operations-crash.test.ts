// Operations on paused runs interrupted mid-way (issue 15, "a crash mid-way"), Postgres and PGlite:
// set, upgrade, fork and retry each lose their connection at the last statement of their
// transaction, after every write of theirs went through (on Postgres the session's backend is
// really terminated with pg_terminate_backend; PGlite, one in-process connection, gets the error
// a lost connection raises). The caller sees the error; the run is exactly as before (its row —
// state, status, version, everything — its log, no new execution); the same operation asked again
// succeeds, and the run finishes as that operation says. An upgrade whose commit went through but
// whose acknowledgement was lost is done once: asked again, it says the run already moved.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { NonRetryableError, Rhythm } from "../../src/index.js";
import type { Driver } from "../../src/store/driver.js";
import { PostgresDriver } from "../../src/store/pg-driver.js";
import { statementsFor } from "../../src/store/queries/index.js";
import { backends, type TestDatabase } from "../support/database.js";
import { engine, type EngineFixture } from "../support/engine.js";
import { adminShutdown, FaultDriver } from "./support/fault-driver.js";
import { until, untilStatus } from "./support/until.js";

const V1 = `let n = Inputs.n;
const r = await Task.run("flaky", { failOnce: Inputs.failOnce ?? null });
const go = await Signal.next("go");
return { n, r, go, v: 1 };
`;
const V2 = `let n = Inputs.n;
const r = await Task.run("flaky", { failOnce: Inputs.failOnce ?? null });
console.log("v2 here");
const go = await Signal.next("go");
return { n, r, go, v: 2 };
`;

const { LogInsert } = statementsFor("rhythm");

for (const backend of await backends()) {
  describe(`operations interrupted mid-way on ${backend.kind}`, () => {
    let db: TestDatabase;
    let f: EngineFixture;
    let rhythm: Rhythm;
    /** The client the operations go through, over the fault driver. */
    let ops: Rhythm;
    let fault: FaultDriver;
    const failed = new Set<string>();

    before(async () => {
      db = await backend.open();
      f = await engine(db, { crash: V1 });
      rhythm = f.rhythm;
      rhythm.task("flaky", async (i: { failOnce: string | null }) => {
        if (i.failOnce !== null && !failed.has(i.failOnce)) {
          failed.add(i.failOnce);
          throw new NonRetryableError(`${i.failOnce} fails once`);
        }
        return "ok";
      });
      await rhythm.worker({ pollIntervalMs: 50 }).start();
      const inner: Driver = db.kind === "postgres" ? new PostgresDriver(db.url!) : db.driver;
      fault = new FaultDriver(inner, db.kind === "postgres");
      ops = await Rhythm.connectWith(fault, { workflows: f.dir });
    });
    after(async () => {
      fault.plan = () => null;
      await ops?.close();
      await fault?.close();
      await f?.close();
      await db?.drop();
    });

    /** The run's whole row and its tasks' rows, its log and how many executions exist: what "as before" means. */
    const snapshot = async (id: string) => ({
      rows: (
        await db.driver.query(
          `select to_jsonb(e) as row from rhythm.executions e where id = $1 or parent_id = $1 order by created_at, id`,
          [id],
        )
      ).rows,
      logs: (await rhythm.logs(id)).map((l) => l.message),
      executions: (await db.driver.query(`select count(*)::int as n from rhythm.executions`)).rows[0],
      waits: (await db.driver.query(`select count(*)::int as n from rhythm.signal_waits where execution_id = $1`, [id])).rows[0],
    });

    /** The operation's transaction loses its connection at its first log line (after its writes). */
    const crashing = async <T>(what: string, operation: () => Promise<T>): Promise<void> => {
      fault.injected.length = 0;
      fault.plan = (sql, place) =>
        place === "transaction" && sql === LogInsert && fault.injected.length === 0
          ? db.kind === "postgres"
            ? { how: "terminate" }
            : { how: "throw", error: adminShutdown }
          : null;
      try {
        await assert.rejects(operation(), /terminat|connection/i, `${what} fails with the lost connection`);
      } finally {
        fault.plan = () => null;
      }
      assert.equal(fault.injected.length, 1, `${what}: the fault was injected`);
    };

    const pausedAtSignal = async (inputs: Record<string, unknown>, line = 3) => {
      const id = await rhythm.startWorkflow("crash", inputs);
      await until("the run to wait for go", async () => (await rhythm.inspect(id).catch(() => null))?.stack[0].line === line);
      return id;
    };

    test("set: interrupted, the variable keeps its value; again, it is set and the run returns it", async () => {
      const id = await pausedAtSignal({ n: 1 });
      const before = await snapshot(id);
      await crashing("set", () => ops.setVariable(id, "n", 41, { by: "ops" }));
      assert.deepEqual(await snapshot(id), before);
      assert.equal((await rhythm.inspect(id)).stack[0].variables.n, 1);
      const change = await ops.setVariable(id, "n", 41, { by: "ops" });
      assert.deepEqual([change.old, change.new], [1, 41]);
      await rhythm.signal(id, "go", "now");
      assert.deepEqual((await untilStatus(rhythm, id, "completed")).output, { n: 41, r: "ok", go: "now", v: 1 });
    });

    test("fork: interrupted, no execution is added; again, the fork runs on its own", async () => {
      const id = await pausedAtSignal({ n: 2 });
      const before = await snapshot(id);
      await crashing("fork", () => ops.fork(id, { by: "ops" }));
      assert.deepEqual(await snapshot(id), before);
      const fork = await ops.fork(id, { by: "ops" });
      await until("the fork to wait for go", async () => (await rhythm.inspect(fork.id).catch(() => null))?.stack[0].line === 3);
      await rhythm.signal(fork.id, "go", "fork");
      assert.deepEqual((await untilStatus(rhythm, fork.id, "completed")).output, { n: 2, r: "ok", go: "fork", v: 1 });
      assert.equal((await rhythm.get(id))!.status, "suspended", "the original is untouched");
    });

    test("retry: interrupted, the failed run stays failed; again, it continues from its failed await", async () => {
      const id = await rhythm.startWorkflow("crash", { n: 3, failOnce: `retry-${backend.kind}` });
      await untilStatus(rhythm, id, "failed");
      const before = await snapshot(id);
      await crashing("retry", () => ops.retry(id, { by: "ops" }));
      assert.deepEqual(await snapshot(id), before);
      await ops.retry(id, { by: "ops" });
      await until("the retried run to wait for go", async () => (await rhythm.get(id))!.status === "suspended");
      await rhythm.signal(id, "go", "again");
      assert.deepEqual((await untilStatus(rhythm, id, "completed")).output, { n: 3, r: "ok", go: "again", v: 1 });
    });

    // last: it deploys v2, which the other tests' runs would otherwise start on
    test("upgrade: interrupted, the run keeps its version and state; again, it moves and finishes on v2", async () => {
      const id = await pausedAtSignal({ n: 4 });
      const v1 = (await rhythm.get(id))!.version;
      f.write("crash", V2);
      const v2 = (await rhythm.deploy(f.dir)).find((d) => d.name === "crash")!.version;
      const before = await snapshot(id);
      await crashing("upgrade", () => ops.upgrade(id, { to: v2, by: "ops" }));
      assert.deepEqual(await snapshot(id), before);
      assert.equal((await rhythm.get(id))!.version, v1);
      const moved = await ops.upgrade(id, { to: v2, by: "ops" });
      assert.equal(moved.moved, true, moved.reason);
      await until("the moved run to wait for go", async () => (await rhythm.inspect(id).catch(() => null))?.stack[0].line === 4);
      await rhythm.signal(id, "go", "up");
      const done = await untilStatus(rhythm, id, "completed");
      assert.deepEqual([done.version, done.output], [v2, { n: 4, r: "ok", go: "up", v: 2 }]);
    });

    test("upgrade: the acknowledgement lost after the commit; asked again, it says the run already moved", async () => {
      const id = await pausedAtSignal({ n: 5 }, 4);
      const v2 = (await rhythm.get(id))!.version!;
      // (started after the upgrade test deployed v2: it moves on to a v3)
      f.write("crash", V2.replace("v2 here", "v3 here"));
      const v3 = (await rhythm.deploy(f.dir)).find((d) => d.name === "crash")!.version;
      fault.injected.length = 0;
      fault.plan = (sql, place) =>
        place === "transaction" && sql === LogInsert && fault.injected.length === 0 ? { how: "lose-ack" } : null;
      try {
        await assert.rejects(ops.upgrade(id, { to: v3, by: "ops" }), /connection/i);
      } finally {
        fault.plan = () => null;
      }
      assert.equal(fault.injected.length, 1);
      // it committed: the run is on v3, logged once; asking again changes nothing
      assert.equal((await rhythm.get(id))!.version, v3);
      const again = await ops.upgrade(id, { to: v3, by: "ops" });
      assert.deepEqual([again.moved, again.reason], [false, "it already runs that version"]);
      assert.equal((await rhythm.logs(id)).filter((l) => l.source === "operation").length, 1);
      await until("the moved run to wait for go", async () => (await rhythm.get(id))!.status === "suspended");
      await rhythm.signal(id, "go", "once");
      const done = await untilStatus(rhythm, id, "completed");
      assert.deepEqual([done.version, done.output], [v3, { n: 5, r: "ok", go: "once", v: 2 }]);
      assert.notEqual(v2, v3);
    });
  });
}
