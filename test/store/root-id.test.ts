// A run's root id (migration 017, docs/scale.md): every execution a run starts — its tasks, its
// child workflows and theirs, at any depth — carries the id of the execution a client started,
// and so does every row of the per-run tables (inbox, timers, signal waits, buffered signals, logs,
// awaiters). A fork is a root of its own. Rows inserted without a root id (the protocol's SQL
// functions) get it from the parent, and rows written before the migration are backfilled.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Rhythm } from "../../src/index.js";
import { migrate, migrations } from "../../src/store/migrate.js";
import { withSchema } from "../../src/store/schema-name.js";
import { backends, type TestDatabase } from "../support/database.js";
import { engine, type EngineFixture } from "../support/engine.js";
import { until, untilStatus } from "../engine/support/until.js";

const FLOWS = {
  top: `
console.log("top starts");
const a = Task.run("echo", { n: 1 });
const mid = Workflow.run("mid", { depth: 1 });
const b = await Task.run("echo", { n: 2 });
return [await a, b, await mid];
`,
  mid: `
console.log("mid starts");
const t = await Task.run("echo", { n: 10 });
const leaf = await Workflow.run("leaf", {});
return [t, leaf];
`,
  leaf: `
await Timer.delay("20ms");
const go = await Signal.when("go", { timeout: "1h" });
return { leaf: go, id: Context.executionId };
`,
};

type Row = { id: string; parent_id: string | null; root_id: string };

for (const backend of await backends()) {
  describe(`root ids on ${backend.kind}`, () => {
    let db: TestDatabase;
    let f: EngineFixture;
    let rhythm: Rhythm;
    const q = <T>(sql: string, params: unknown[] = []) => db.driver.query<T>(sql, params);

    before(async () => {
      db = await backend.open();
      f = await engine(db, FLOWS);
      rhythm = f.rhythm;
      rhythm.task("echo", async (inputs: { n: number }) => inputs.n);
      await rhythm.worker({ pollIntervalMs: 50 }).start();
    });
    after(async () => {
      await f?.close();
      await db?.drop();
    });

    test("a workflow's tasks, children and grandchildren, and their per-run rows, carry the root's id", async () => {
      // the engine writes root_id itself (on Citus the insert must name its shard): the fallback
      // trigger, for inserts that do not, is off here
      await q("alter table rhythm.executions disable trigger executions_root");
      try {
        await aRun();
      } finally {
        await q("alter table rhythm.executions enable trigger executions_root");
      }
    });

    async function aRun() {
      const top = await rhythm.startWorkflow("top", {});
      // the leaf suspends on its signal: its timer, signal wait and every ancestor's rows exist now
      const leafId = await until("the leaf to wait on its signal", async () => {
        const r = await q<{ id: string }>(
          `select e.id from rhythm.executions e join rhythm.signal_waits w on w.execution_id = e.id
           where e.name = 'leaf' and e.status = 'suspended' and e.root_id = $1`,
          [top],
        );
        return r.rows[0]?.id;
      });
      const waits = await q<{ root_id: string }>("select root_id from rhythm.signal_waits where execution_id = $1", [leafId]);
      assert.deepEqual(waits.rows, [{ root_id: top }]);
      const timers = await q<{ root_id: string; kind: string }>(
        "select root_id, kind from rhythm.timers where execution_id = $1",
        [leafId],
      );
      assert.deepEqual(timers.rows, [{ root_id: top, kind: "signal-timeout" }]);
      // a signal sent before a wait takes it is buffered on the run's shard too
      await rhythm.signal(leafId, "early", { x: 1 }, { force: true });
      const buffered = await q<{ root_id: string }>("select root_id from rhythm.signals where execution_id = $1", [leafId]);
      assert.deepEqual(buffered.rows, [{ root_id: top }]);
      await rhythm.signal(leafId, "go", "now");
      assert.equal((await rhythm.wait(top, { timeout: "20s" })).status, "completed");

      const rows = (
        await q<Row & { name: string; kind: string }>(
          "select id, kind, name, parent_id, root_id from rhythm.executions where root_id = $1 order by created_at, id",
          [top],
        )
      ).rows;
      // top, its two tasks and mid; mid's task and leaf: six executions, one run
      assert.deepEqual(rows.map((r) => `${r.kind}:${r.name}`).sort(), [
        "task:echo",
        "task:echo",
        "task:echo",
        "workflow:leaf",
        "workflow:mid",
        "workflow:top",
      ]);
      const byId = new Map(rows.map((r) => [r.id, r]));
      for (const r of rows) {
        if (r.id === top) assert.equal(r.parent_id, null);
        else assert.ok(byId.has(r.parent_id!), `the parent of ${r.name} is in the run`);
      }
      const depth = (r: Row): number => (r.parent_id === null ? 0 : 1 + depth(byId.get(r.parent_id)!));
      assert.equal(Math.max(...rows.map(depth)), 2, "grandchildren were checked");
      const logs = await q<{ ok: boolean }>(
        "select bool_and(l.root_id = e.root_id) as ok from rhythm.logs l join rhythm.executions e on e.id = l.execution_id",
      );
      assert.equal(logs.rows[0].ok, true);
      const elsewhere = await q<{ n: number }>(
        `select (select count(*) from rhythm.executions where root_id <> $1 and id <> root_id)::int as n`,
        [top],
      );
      assert.equal(elsewhere.rows[0].n, 0, "no execution outside this run claims a root other than itself");
    }

    test("a client's task is its own root; so is a fork, and what it waits on", async () => {
      const task = await rhythm.queueTask("echo", { n: 3 });
      await untilStatus(rhythm, task, "completed");
      const r = await q<Row>("select id, parent_id, root_id from rhythm.executions where id = $1", [task]);
      assert.equal(r.rows[0].root_id, task);

      const leaf = await rhythm.startWorkflow("leaf", {});
      const waiting = async (id: string) =>
        (await q<{ n: number }>("select count(*)::int as n from rhythm.signal_waits where execution_id = $1", [id])).rows[0].n >
        0;
      await until("the leaf to wait on its signal", () => waiting(leaf));
      const fork = await rhythm.fork(leaf);
      await until("the fork to wait on its signal", () => waiting(fork.id));
      const forked = await q<{ root_id: string; wait_root: string }>(
        `select root_id, (select w.root_id from rhythm.signal_waits w where w.execution_id = $1) as wait_root
         from rhythm.executions where id = $1`,
        [fork.id],
      );
      assert.deepEqual(forked.rows[0], { root_id: fork.id, wait_root: fork.id });
      await rhythm.cancel(fork.id);
      await rhythm.cancel(leaf);
    });

    test("a row inserted without a root id (the protocol's functions) gets its parent's", async () => {
      const parent = await rhythm.startWorkflow("mid", {});
      const mid = await q<{ root_id: string }>("select root_id from rhythm.executions where id = $1", [parent]);
      const child = "00000000-0000-4000-8000-00000000c41d";
      await q(
        `insert into rhythm.executions (id, kind, name, status, inputs, parent_id, parent_handle, queue)
         values ($1, 'task', 'nobody-serves', 'queued', 'null', $2, 99, 'no-such-queue')`,
        [child, parent],
      );
      await q("insert into rhythm.logs (execution_id, level, message) values ($1, 'log', 'hi')", [child]);
      await q("insert into rhythm.inbox (execution_id, handle, ok, value) values ($1, 1, true, 'null')", [child]);
      const got = await q<{ root_id: string; log_root: string; inbox_root: string }>(
        `select root_id, (select root_id from rhythm.logs where execution_id = $1) as log_root,
                (select root_id from rhythm.inbox where execution_id = $1) as inbox_root
         from rhythm.executions where id = $1`,
        [child],
      );
      const root = mid.rows[0].root_id;
      assert.deepEqual(got.rows[0], { root_id: root, log_root: root, inbox_root: root });
      await q("delete from rhythm.executions where id = $1", [child]);
      await rhythm.cancel(parent);
    });
  });

  describe(`root id backfill on ${backend.kind}`, () => {
    test("rows written before migration 017 get their run's root", async () => {
      const db = await backend.open();
      try {
        const schema = "before_017";
        for (const m of migrations().filter((m) => m.version < 17)) {
          await db.driver.transaction(async (tx) => {
            await tx.query(`create schema if not exists ${schema}`);
            await tx.query(
              `create table if not exists ${schema}.migrations (version integer primary key, name text not null, applied_at timestamptz not null default now())`,
            );
            await tx.query(withSchema(m.sql, schema));
            await tx.query(`insert into ${schema}.migrations (version, name) values ($1, $2)`, [m.version, m.name]);
          });
        }
        const [root, child, grandchild, orphan] = [1, 2, 3, 4].map((n) => `00000000-0000-4000-8000-00000000000${n}`);
        const insert = (id: string, parent: string | null) =>
          db.driver.query(
            `insert into ${schema}.executions (id, kind, name, status, inputs, parent_id) values ($1, 'workflow', 'w', 'suspended', 'null', $2)`,
            [id, parent],
          );
        // the grandchild first: the backfill must not depend on insertion order
        await insert(root, null);
        await insert(grandchild, null);
        await insert(child, root);
        await db.driver.query(`update ${schema}.executions set parent_id = $2 where id = $1`, [grandchild, child]);
        await insert(orphan, "00000000-0000-4000-8000-0000000000ff");
        await db.driver.query(`insert into ${schema}.inbox (execution_id, handle, ok, value) values ($1, 1, true, 'null')`, [
          grandchild,
        ]);
        await db.driver.query(
          `insert into ${schema}.timers (execution_id, handle, fire_at, kind) values ($1, 1, now(), 'timer')`,
          [child],
        );
        await migrate(db.driver, schema);
        const got = await db.driver.query<{ id: string; root_id: string }>(
          `select id, root_id from ${schema}.executions order by id`,
        );
        assert.deepEqual(got.rows, [
          { id: root, root_id: root },
          { id: child, root_id: root },
          { id: grandchild, root_id: root },
          { id: orphan, root_id: orphan },
        ]);
        const perRun = await db.driver.query<{ t: string; root_id: string }>(
          `select 'inbox' as t, root_id from ${schema}.inbox union all select 'timers', root_id from ${schema}.timers order by 1`,
        );
        assert.deepEqual(perRun.rows, [
          { t: "inbox", root_id: root },
          { t: "timers", root_id: root },
        ]);
        await db.driver.query(`drop schema ${schema} cascade`);
      } finally {
        await db.drop();
      }
    });
  });
}
