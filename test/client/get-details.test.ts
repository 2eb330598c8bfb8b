// get() of a workflow says what a person asks: the tasks and children it started with their
// status and when a queued one runs, its timers and Signal.when timeouts (when they fire), each
// await's deadline, and the signals nothing has taken; list({ parentId }) pages through what it
// started. The details come with the execution's row, in the same statement.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { InvalidArgumentError, type Execution, type Rhythm } from "../../src/index.js";
import { backends, type TestDatabase } from "../support/database.js";
import { engine, type EngineFixture } from "../support/engine.js";
import { until } from "../engine/support/until.js";

const PARENT = `
Task.run("later", {}, { delay: "1h" });
Task.run("soon", {});
Workflow.run("child", {});
const answer = await Promise.race([Signal.when("approve", { timeout: "1d" }), Timer.delay("2h")]);
const other = await Signal.next("other");
return { answer, other };
`;

const HOUR = 3600_000;

/** `iso` is `ms` from `from`, give or take a minute (the database's clock, the test's). */
function near(iso: string | undefined, from: number, ms: number): boolean {
  return iso !== undefined && Math.abs(Date.parse(iso) - (from + ms)) < 60_000;
}

for (const backend of await backends()) {
  describe(`get's details on ${backend.kind}`, () => {
    let db: TestDatabase;
    let f: EngineFixture;
    let rhythm: Rhythm;

    before(async () => {
      db = await backend.open();
      f = await engine(db, { parent: PARENT, child: 'return await Signal.next("never");\n' });
      rhythm = f.rhythm;
      // workflows only: the tasks stay queued
      await rhythm.worker({ pollIntervalMs: 100 }).start();
    });
    after(async () => {
      await f.close();
      await db.drop();
    });

    test("a suspended workflow's children, timers, deadlines and buffered signals", async () => {
      const started = Date.now();
      const id = await rhythm.startWorkflow("parent", {});
      const e = await until("the parent and its child to wait", async () => {
        const p = await rhythm.get(id);
        return p?.status === "suspended" && p.children?.find((c) => c.kind === "workflow")?.status === "suspended"
          ? p
          : undefined;
      });
      await rhythm.signal(id, "other", { x: 1 });
      const got = (await rhythm.get(id)) as Execution;

      assert.deepEqual(
        got.children?.map((c) => [c.kind, c.name, c.status]),
        [
          ["task", "later", "queued"],
          ["task", "soon", "queued"],
          ["workflow", "child", "suspended"],
        ],
      );
      assert.equal(got.childCount, 3);
      const [later, soon, child] = got.children!;
      assert.ok(near(later.runAt, started, HOUR), `later runs in an hour: ${later.runAt}`);
      assert.ok(Date.parse(soon.runAt!) <= Date.now());
      assert.equal(child.runAt, undefined);
      assert.equal(child.finishedAt, null);

      assert.deepEqual(
        got.timers?.map((t) => [t.kind, t.signal]),
        [
          ["timer", undefined],
          ["signal-timeout", "approve"],
        ],
      );
      assert.ok(near(got.timers![0].firesAt, started, 2 * HOUR));
      assert.ok(near(got.timers![1].firesAt, started, 24 * HOUR));
      // the race's deadline is its first timer
      assert.equal(got.waitingOn?.length, 1);
      assert.equal(got.waitingOn![0].until, got.timers![0].firesAt);

      assert.deepEqual(
        got.bufferedSignals?.map((s) => [s.name, s.payload]),
        [["other", { x: 1 }]],
      );
      assert.equal(e.bufferedSignals?.length, 0, "nothing was buffered before the signal");

      // a task has none of these; wait() and list() do not read them
      const task = (await rhythm.get(later.id)) as Execution;
      assert.equal(task.children, undefined);
      assert.equal((await rhythm.list({ name: "parent" }))[0].children, undefined);
    });

    test("list({ parentId }) pages through what a workflow started", async () => {
      const [parent] = await rhythm.list({ name: "parent" });
      const children = await rhythm.list({ parentId: parent.id });
      assert.deepEqual(children.map((c) => c.name).sort(), ["child", "later", "soon"]);
      const tasks = await rhythm.list({ parentId: parent.id, kind: "task", limit: 1 });
      const rest = await rhythm.list({ parentId: parent.id, kind: "task", after: tasks[0].id });
      assert.deepEqual([...tasks, ...rest].map((c) => c.name).sort(), ["later", "soon"]);
      assert.deepEqual(await rhythm.list({ parentId: tasks[0].id }), [], "a task starts nothing");
      await assert.rejects(rhythm.list({ parentId: "nope" }), InvalidArgumentError);
    });
  });
}
