// JSON keeps its JavaScript meaning through the engine (issue 10 item 1): object keys come back in
// the order they were written, on every path a value takes — enqueued from the API, started by a
// workflow and dispatched in the same transaction or claimed from the queue, delivered through a
// workflow's inbox, sent as a signal, returned as an output, thrown as an error, kept in `errors`
// — and read by get, list and wait. Compared as JSON text, so key order counts (jsonb sorted keys
// by length, then bytes: {"zulu","alpha","mid"} came back as {"mid","zulu","alpha"}).

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Rhythm } from "../../src/index.js";
import { migrate, migrations } from "../../src/store/migrate.js";
import { withSchema } from "../../src/store/schema-name.js";
import { backends, type TestDatabase } from "../support/database.js";
import { connectTo, engine, type EngineFixture } from "../support/engine.js";
import { untilStatus } from "./support/until.js";

/** Keys in an order no sorting gives: jsonb would write {"mid","zulu","alpha"}. */
const ORDERED = { zulu: 1, alpha: { yankee: true, bravo: [{ x: 1, a: 2 }] }, mid: "m" };
const TEXT = JSON.stringify(ORDERED);

const FLOWS = {
  // what a workflow sees of its inputs, of a task's result on both dispatch paths, of a signal,
  // of a child's output, and of a task's error
  sees: `
const keys = { inputs: Object.keys(Inputs) };
const dispatched = await Task.run("echo", Inputs);
keys.dispatched = Object.keys(dispatched);
const queued = await Task.run("echo", Inputs, { delay: "10ms" });
keys.queued = Object.keys(queued);
const child = await Workflow.run("child", Inputs);
keys.child = Object.keys(child);
try {
  await Task.run("throws", Inputs, { retries: { limit: 1, initial: "10ms" } });
} catch (e) {
  keys.cause = Object.keys(e.cause);
}
const signal = await Signal.next("go");
keys.signal = Object.keys(signal);
return { keys, dispatched, queued, child, signal };
`,
  child: `
const { zulu, alpha, mid } = Inputs;
return { zulu, alpha, mid, keys: Object.keys(Inputs) };
`,
  fails: `
const e = Error("broke");
e.zulu = 1;
e.alpha = 2;
throw e;
`,
  returns: "return Inputs",
  two_signals: 'const a = await Signal.next("first");\nconst b = await Signal.next("second");\nreturn [a, b];',
  // a workflow on a queue the tasks' worker does not serve: the task's result goes through its inbox
  elsewhere: `
const r = await Task.run("echo", Inputs);
return { keys: Object.keys(r), r };
`,
};

for (const backend of await backends()) {
  describe(`JSON key order on ${backend.kind}`, () => {
    let db: TestDatabase;
    let f: EngineFixture;
    let rhythm: Rhythm;
    let other: Rhythm;
    const seenByHandlers: string[] = [];

    before(async () => {
      db = await backend.open();
      f = await engine(db, FLOWS);
      rhythm = f.rhythm;
      rhythm
        .task("echo", async (inputs) => {
          seenByHandlers.push(JSON.stringify(inputs));
          return inputs;
        })
        .task("throws", async (inputs) => {
          throw Object.assign(new Error("bad"), inputs as object);
        })
        .task("standalone", async (inputs) => {
          seenByHandlers.push(JSON.stringify(inputs));
          return { ...(inputs as object), added: true };
        });
      await rhythm.worker({ pollIntervalMs: 50 }).start();
      other = await connectTo(db, f.dir);
      await other.worker({ queues: ["elsewhere"], pollIntervalMs: 50 }).start();
    });
    after(async () => {
      await other?.close();
      await f?.close();
      await db?.drop();
    });

    test("a workflow sees inputs, task results (dispatched and claimed), a child's output, an error's cause and a signal in their own order", async () => {
      const id = await rhythm.startWorkflow("sees", ORDERED);
      await untilStatus(rhythm, id, "suspended");
      await rhythm.signal(id, "go", ORDERED);
      const done = await rhythm.wait(id, { timeout: "10s" });
      assert.equal(done.status, "completed", JSON.stringify(done.error));
      const keys = ["zulu", "alpha", "mid"];
      assert.equal(
        JSON.stringify(done.output),
        JSON.stringify({
          keys: {
            inputs: keys,
            dispatched: keys,
            queued: keys,
            child: [...keys, "keys"],
            cause: ["name", "message", ...keys],
            signal: keys,
          },
          dispatched: ORDERED,
          queued: ORDERED,
          child: { ...ORDERED, keys },
          signal: ORDERED,
        }),
      );
      // the handlers were given the inputs in the caller's order, on both paths
      for (const seen of seenByHandlers) assert.equal(seen, TEXT);
    });

    test("get, list and wait return inputs, outputs, errors and every attempt's error in their own order", async () => {
      const id = await rhythm.startWorkflow("returns", ORDERED);
      const done = await rhythm.wait(id, { timeout: "10s" });
      assert.equal(JSON.stringify(done.inputs), TEXT);
      assert.equal(JSON.stringify(done.output), TEXT);
      assert.equal(JSON.stringify((await rhythm.get(id))!.output), TEXT);
      const listed = (await rhythm.list({ name: "returns" })).find((e) => e.id === id)!;
      assert.equal(JSON.stringify(listed.inputs), TEXT);
      assert.equal(JSON.stringify(listed.output), TEXT);

      const failed = await rhythm.wait(await rhythm.startWorkflow("fails", {}), { timeout: "10s" });
      assert.equal(failed.status, "failed");
      assert.deepEqual(Object.keys(failed.error as object).slice(0, 2), ["name", "type"]);
      assert.deepEqual(
        Object.keys(failed.error as object).filter((k) => k === "zulu" || k === "alpha"),
        ["zulu", "alpha"],
      );

      const task = await rhythm.queueTask("throws", ORDERED, { retries: { limit: 1, initial: "10ms" } });
      const t = await rhythm.wait(task, { timeout: "10s" });
      assert.equal(t.status, "failed");
      const errorKeys = ["name", "message", "zulu", "alpha", "mid", "attempt"];
      assert.deepEqual(Object.keys(t.error as object), errorKeys);
      assert.equal(t.errors!.length, 2);
      for (const e of t.errors!) assert.deepEqual(Object.keys(e as object), errorKeys);
      assert.equal(JSON.stringify((t.errors![1] as { alpha: unknown }).alpha), JSON.stringify(ORDERED.alpha));
    });

    test("a buffered signal's payload, as get shows it, keeps its order", async () => {
      const id = await rhythm.startWorkflow("two_signals", {});
      await untilStatus(rhythm, id, "suspended");
      await rhythm.signal(id, "second", ORDERED);
      const e = (await rhythm.get(id))!;
      assert.equal(JSON.stringify(e.bufferedSignals?.map((s) => s.payload)), JSON.stringify([ORDERED]));
      await rhythm.signal(id, "first", 1);
      assert.equal(JSON.stringify((await rhythm.wait(id, { timeout: "10s" })).output), JSON.stringify([1, ORDERED]));
    });

    test("a task queued from the API: its handler and its output keep the caller's order", async () => {
      seenByHandlers.length = 0;
      const id = await rhythm.queueTask("standalone", ORDERED);
      const done = await rhythm.wait(id, { timeout: "10s" });
      assert.equal(seenByHandlers[0], TEXT);
      assert.equal(JSON.stringify(done.output), JSON.stringify({ ...ORDERED, added: true }));
      // many at once (a transaction of its own rather than one statement)
      const ids = await rhythm.queueTasks(
        "standalone",
        Array.from({ length: 150 }, () => ORDERED),
      );
      const last = await rhythm.wait(ids[149], { timeout: "10s" });
      assert.equal(JSON.stringify(last.inputs), TEXT);
    });

    test("a settlement that goes through a workflow's inbox keeps its order", async () => {
      const id = await rhythm.startWorkflow("elsewhere", ORDERED, { queue: "elsewhere" });
      const done = await rhythm.wait(id, { timeout: "10s" });
      assert.equal(done.status, "completed", JSON.stringify(done.error));
      assert.equal(JSON.stringify(done.output), JSON.stringify({ keys: ["zulu", "alpha", "mid"], r: ORDERED }));
    });
  });

  describe(`migration 003 on ${backend.kind}`, () => {
    test("rows written before it keep their values (in jsonb's key order: the original order is gone)", async () => {
      const db = await backend.open();
      try {
        const schema = "before_003";
        const q = `"${schema}"`;
        await db.driver.query(`create schema ${q}`);
        await db.driver.query(
          `create table ${q}.migrations (version integer primary key, name text not null, applied_at timestamptz not null default now())`,
        );
        for (const m of migrations().filter((m) => m.version < 3)) {
          await db.driver.query(withSchema(m.sql, schema));
          await db.driver.query(`insert into ${q}.migrations (version, name) values ($1, $2)`, [m.version, m.name]);
        }
        const id = "00000000-0000-4000-8000-000000000001";
        await db.driver.query(
          `insert into ${q}.executions (id, kind, name, status, inputs, output, errors, finished_at)
           values ($1, 'task', 'old', 'completed', $2::jsonb, $2::jsonb, jsonb_build_array($2::jsonb), now())`,
          [id, TEXT],
        );
        assert.deepEqual(await migrate(db.driver, schema), [
          3,
          ...migrations()
            .map((m) => m.version)
            .filter((v) => v > 3),
        ]);
        const r = await db.driver.query<{ inputs: unknown; output: unknown; errors: unknown[] }>(
          `select inputs, output, errors from ${q}.executions where id = $1`,
          [id],
        );
        assert.deepEqual(r.rows[0].inputs, ORDERED);
        assert.deepEqual(r.rows[0].output, ORDERED);
        assert.deepEqual(r.rows[0].errors, [ORDERED]);
        assert.deepEqual(Object.keys(r.rows[0].inputs as object), ["mid", "zulu", "alpha"]);
        // a client works on the migrated schema
        const client = await connectTo(db, "/nonexistent", { schema });
        try {
          assert.deepEqual((await client.get(id))!.output, ORDERED);
        } finally {
          await client.close();
        }
      } finally {
        await db.drop();
      }
    });
  });
}
