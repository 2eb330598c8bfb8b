// Workflows on the engine (SPEC §2.2, §3, §4): outputs, task failures as TaskError, child
// workflows and WorkflowError, timers on the database clock, fan-out with Promise.all,
// fire-and-forget tasks, what a suspended workflow waits on, and list filters and pagination.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import type { Execution, Rhythm } from "../../src/index.js";
import { backends, type TestDatabase } from "../support/database.js";
import { engine, type EngineFixture } from "../support/engine.js";
import { deferred, until, untilStatus, type Deferred } from "./support/until.js";

const FLOWS = {
  basic: `
const sum = await Task.run("add", { x: Inputs.x, y: 1 });
return { sum, name: Context.workflowName };
`,
  catches: `
try {
  await Task.run("always-fails", { tag: "caught" }, { retries: { limit: 1, initial: "10ms" } });
  return "no error";
} catch (e) {
  return { type: e.type, name: e.name, message: e.message, task: e.task, attempts: e.attempts, cause: e.cause };
}
`,
  unhandled: `
await Task.run("always-fails", { tag: "unhandled" }, { retries: 0 });
return "unreachable";
`,
  parent: `
const out = await Workflow.run("child_ok", { n: Inputs.n });
let failed = null;
try {
  await Workflow.run("child_fails", {});
} catch (e) {
  failed = { type: e.type, message: e.message, cause: e.cause };
}
let unknown = null;
// a computed name: written literally, deploy would refuse the file (no such .flow in the folder)
const missing = "no_such_workflow";
try {
  Workflow.run(missing, {});
} catch (e) {
  unknown = { type: e.type, message: e.message };
}
return { out, failed, unknown };
`,
  child_ok: `
const one = await Task.run("add", { x: 0, y: 1 });
return { doubled: Inputs.n * 2 + one - 1, parentId: Context.parentId };
`,
  child_fails: `throw Error("child broke");`,
  sleeper: `
const t0 = Date.now();
await Timer.delay("200ms");
return Date.now() - t0;
`,
  clock: `
const times = [Date.now()];
for (let i = 0; i < 3; i++) {
  await Task.run("add", { x: i, y: 0 });
  times.push(Date.now());
}
await Timer.delay("10ms");
times.push(Date.now());
return times;
`,
  fanout: `
const handles = [];
for (let i = 0; i < Inputs.n; i++) handles.push(Task.run("add", { x: i, y: i }));
const results = await Promise.all(handles);
return results.reduce((a, b) => a + b, 0);
`,
  fire_forget: `
Task.run("blocker", { key: Inputs.key });
return "ended";
`,
  unstorable: `
console.log("before the bad call");
const priority = 10000000000; // computed: written literally, deploy would refuse the file
const r = await Task.run("add", { x: 1, y: 1 }, { priority });
return r;
`,
  waits_on_task: `
const first = 1;
// the await below is on line 4
const value = await Task.run("blocker", { key: Inputs.key });
return value + first;
`,
};

for (const backend of await backends()) {
  describe(`workflows on ${backend.kind}`, () => {
    let db: TestDatabase;
    let f: EngineFixture;
    let rhythm: Rhythm;
    const blockers = new Map<string, Deferred<unknown>>();
    const blocker = (key: string) => {
      if (!blockers.has(key)) blockers.set(key, deferred<unknown>());
      return blockers.get(key)!;
    };
    const failures: string[] = [];

    before(async () => {
      db = await backend.open();
      f = await engine(db, FLOWS);
      rhythm = f.rhythm;
      rhythm
        .task("add", async (i: { x: number; y: number }) => i.x + i.y)
        .task("always-fails", async (i: { tag: string }, ctx) => {
          failures.push(`${i.tag} ${ctx.attempt}`);
          throw Object.assign(new Error(`no luck (${i.tag})`), { code: "E_LUCK" });
        })
        .task("blocker", async (i: { key: string }) => blocker(i.key).promise);
      await rhythm.worker({ pollIntervalMs: 50 }).start();
    });
    after(async () => {
      for (const d of blockers.values()) d.resolve(null);
      await f.close();
      await db.drop();
    });

    test("a started workflow completes with its output", async () => {
      const id = await rhythm.startWorkflow("basic", { x: 41 });
      const done = await rhythm.wait(id, { timeout: "10s" });
      assert.equal(done.status, "completed", JSON.stringify(done.error));
      assert.deepEqual(done.output, { sum: 42, name: "basic" });
      assert.equal(done.kind, "workflow");
      assert.match(done.version!, /^[0-9a-f]{64}$/);
      assert.ok(done.startedAt && done.finishedAt);
      const [task] = await rhythm
        .list({ kind: "task", name: "add", limit: 1000 })
        .then((l) => l.filter((t) => t.parentId === id));
      assert.equal(task.status, "completed");
      assert.deepEqual(task.inputs, { x: 41, y: 1 });
    });

    test("a failing task is a TaskError the workflow can catch, with task, attempts and cause", async () => {
      const id = await rhythm.startWorkflow("catches", {});
      const done = await rhythm.wait(id, { timeout: "10s" });
      assert.equal(done.status, "completed", JSON.stringify(done.error));
      const out = done.output as Record<string, unknown>;
      assert.equal(out.type, "TaskError");
      assert.equal(out.name, "TaskError");
      assert.equal(out.message, "no luck (caught)");
      assert.equal(out.task, "always-fails");
      assert.equal(out.attempts, 2);
      assert.deepEqual(
        {
          name: (out.cause as Record<string, unknown>).name,
          message: (out.cause as Record<string, unknown>).message,
          code: (out.cause as Record<string, unknown>).code,
        },
        { name: "Error", message: "no luck (caught)", code: "E_LUCK" },
      );
      assert.deepEqual(
        failures.filter((x) => x.startsWith("caught")),
        ["caught 1", "caught 2"],
      );
    });

    test("an unhandled task failure fails the workflow with the TaskError", async () => {
      const id = await rhythm.startWorkflow("unhandled", {});
      const done = await rhythm.wait(id, { timeout: "10s" });
      assert.equal(done.status, "failed");
      const error = done.error as Record<string, unknown>;
      assert.equal(error.type, "TaskError");
      assert.equal(error.task, "always-fails");
      assert.equal(error.attempts, 1);
      assert.equal(done.output, null);
    });

    test("child workflows: output, a failed child as WorkflowError with its cause, an unknown name at the call", async () => {
      const id = await rhythm.startWorkflow("parent", { n: 5 });
      const done = await rhythm.wait(id, { timeout: "10s" });
      assert.equal(done.status, "completed", JSON.stringify(done.error));
      const out = done.output as { out: unknown; failed: Record<string, unknown>; unknown: Record<string, unknown> };
      assert.deepEqual(out.out, { doubled: 10, parentId: id });
      assert.equal(out.failed.type, "WorkflowError");
      assert.match(out.failed.message as string, /child broke/);
      assert.deepEqual(
        {
          type: (out.failed.cause as Record<string, unknown>).type,
          message: (out.failed.cause as Record<string, unknown>).message,
        },
        { type: "Error", message: "child broke" },
      );
      assert.equal(out.unknown.type, "WorkflowError");
      assert.match(out.unknown.message as string, /no_such_workflow/);
      const children = (await rhythm.list({ kind: "workflow", limit: 1000 })).filter((e) => e.parentId === id);
      assert.deepEqual(children.map((c) => `${c.name} ${c.status}`).sort(), ["child_fails failed", "child_ok completed"]);
    });

    test("Timer.delay waits on the database clock", async () => {
      const id = await rhythm.startWorkflow("sleeper", {});
      const suspended = await untilStatus(rhythm, id, "suspended");
      assert.match(suspended.waitingOn![0].description, /timer/);
      const done = await rhythm.wait(id, { timeout: "10s" });
      assert.equal(done.status, "completed", JSON.stringify(done.error));
      assert.ok((done.output as number) >= 200, `Date.now() moved ${done.output} ms`);
      assert.ok(Date.parse(done.finishedAt!) - Date.parse(done.startedAt!) >= 200);
    });

    test("Date.now() is whole milliseconds in every activation, though the database clock has microseconds", async () => {
      const id = await rhythm.startWorkflow("clock", {});
      const done = await rhythm.wait(id, { timeout: "10s" });
      assert.equal(done.status, "completed", JSON.stringify(done.error));
      const times = done.output as number[];
      assert.equal(times.length, 5);
      for (const t of times) assert.ok(Number.isInteger(t), `Date.now() gave ${t}`);
      assert.deepEqual(
        [...times].sort((a, b) => a - b),
        times,
        "time does not go back",
      );
    });

    test("Promise.all over many tasks", async () => {
      const id = await rhythm.startWorkflow("fanout", { n: 60 });
      const done = await rhythm.wait(id, { timeout: "20s" });
      assert.equal(done.status, "completed", JSON.stringify(done.error));
      assert.equal(done.output, 2 * ((59 * 60) / 2));
      const tasks = (await rhythm.list({ kind: "task", name: "add", limit: 1000 })).filter((t) => t.parentId === id);
      assert.equal(tasks.length, 60);
    });

    test("a workflow asking for what the database cannot store fails instead of retrying forever", async () => {
      // the priority is a valid JavaScript integer but out of the database's range: refused at the
      // call (a RangeError in the workflow), before any write; a write the database itself refuses
      // with a data error (class 22) is faults-disk's case
      const id = await rhythm.startWorkflow("unstorable", {});
      const done = await rhythm.wait(id, { timeout: "10s" });
      assert.equal(done.status, "failed");
      assert.match((done.error as { message: string }).message, /out of range/);
      assert.deepEqual(
        (await rhythm.list({ limit: 1000 })).filter((e) => e.parentId === id),
        [],
        "nothing of the failed activation was written",
      );
    });

    test("a fire-and-forget task still runs after its workflow ended", async () => {
      const id = await rhythm.startWorkflow("fire_forget", { key: "ff" });
      const done = await rhythm.wait(id, { timeout: "10s" });
      assert.equal(done.status, "completed");
      assert.equal(done.output, "ended");
      const [task] = (await rhythm.list({ kind: "task", name: "blocker", limit: 1000 })).filter((t) => t.parentId === id);
      assert.ok(task, "the task was enqueued with the workflow's last commit");
      assert.ok(["queued", "running"].includes(task.status), task.status);
      blocker("ff").resolve("late");
      const finished = await rhythm.wait(task.id, { timeout: "10s" });
      assert.equal(finished.status, "completed");
      assert.equal(finished.output, "late");
      assert.equal((await rhythm.get(id))?.status, "completed");
      const inbox = await db.driver.query("select * from rhythm.inbox where execution_id = $1", [id]);
      assert.deepEqual(inbox.rows, [], "nothing is left for a workflow that will never run again");
    });

    test("get of a suspended workflow says what it waits on and the line of the await", async () => {
      const id = await rhythm.startWorkflow("waits_on_task", { key: "w" });
      const suspended = await untilStatus(rhythm, id, "suspended");
      assert.deepEqual(
        suspended.waitingOn?.map((w) => [w.description, w.line]),
        [['task "blocker"', 4]],
      );
      blocker("w").resolve(41);
      const done = await rhythm.wait(id, { timeout: "10s" });
      assert.equal(done.output, 42);
      assert.equal(done.waitingOn, undefined);
    });

    test("many waits at once share the client's connections", { timeout: 30_000 }, async () => {
      const keys = Array.from({ length: 25 }, (_, n) => `many-${n}`);
      const ids = await rhythm.queueTasks(
        "blocker",
        keys.map((key) => ({ key })),
      );
      const waits = Promise.all(ids.map((id) => rhythm.wait(id, { timeout: "20s" })));
      // the worker must still be able to reach the database while 25 callers wait
      await until("some of them to run", async () =>
        (await rhythm.list({ name: "blocker", status: "running" })).some((e) => ids.includes(e.id)),
      );
      for (const k of keys) blocker(k).resolve(k);
      const done = await waits;
      assert.deepEqual(
        done.map((e) => e.output),
        keys,
      );
    });

    test("startWorkflow with an idempotency key returns the first execution", async () => {
      const first = await rhythm.startWorkflow("basic", { x: 1 }, { idempotencyKey: "signup-7" });
      const again = await rhythm.startWorkflow("basic", { x: 2 }, { idempotencyKey: "signup-7" });
      assert.equal(again, first);
      assert.deepEqual((await rhythm.wait(first, { timeout: "10s" })).output, { sum: 2, name: "basic" });
      assert.equal(await rhythm.startWorkflow("basic", { x: 3 }, { idempotencyKey: "signup-7" }), first, "also once it finished");
    });

    if (backend.kind === "postgres") {
      test("tx: a workflow started in a rolled-back transaction never exists; a committed one runs", async () => {
        const client = new pg.Client({ connectionString: db.url! });
        await client.connect();
        try {
          await client.query("begin");
          const lost = await rhythm.startWorkflow("basic", { x: 0 }, { tx: client });
          await client.query("rollback");
          assert.equal(await rhythm.get(lost), null);
          await client.query("begin");
          const kept = await rhythm.startWorkflow("basic", { x: 9 }, { tx: client });
          await client.query("commit");
          assert.deepEqual((await rhythm.wait(kept, { timeout: "10s" })).output, { sum: 10, name: "basic" });
        } finally {
          await client.end();
        }
      });
    }

    test("starting an unknown workflow is refused at the call", async () => {
      await assert.rejects(rhythm.startWorkflow("nope_not_here", {}), {
        name: "WorkflowNotFoundError",
        code: "WORKFLOW_NOT_FOUND",
      });
      await assert.rejects(rhythm.startWorkflow("basic", [1, 2] as unknown as object), { code: "INVALID_ARGUMENT" });
      assert.equal(await rhythm.get("not-an-id"), null);
      await assert.rejects(rhythm.wait("00000000-0000-4000-8000-000000000000"), { code: "EXECUTION_NOT_FOUND" });
    });

    test("list filters by status, name, queue and kind", async () => {
      await rhythm.queueTasks("list-a", [{}, {}, {}], { queue: "list-qa" });
      await rhythm.queueTasks("list-b", [{}, {}], { queue: "list-qb" });
      const wf = await rhythm.startWorkflow("basic", { x: 1 }, { queue: "default" });
      await rhythm.wait(wf, { timeout: "10s" });
      const names = (l: Execution[]) => l.map((e) => e.name).sort();
      assert.deepEqual(names(await rhythm.list({ queue: "list-qa" })), ["list-a", "list-a", "list-a"]);
      assert.deepEqual(names(await rhythm.list({ queue: "list-qb", status: "queued" })), ["list-b", "list-b"]);
      assert.deepEqual(await rhythm.list({ queue: "list-qb", status: "completed" }), []);
      assert.deepEqual(await rhythm.list({ name: "list-a", kind: "workflow" }), []);
      const workflows = await rhythm.list({ kind: "workflow", limit: 1000 });
      assert.ok(workflows.length > 0 && workflows.every((e) => e.kind === "workflow"));
      const completedBasic = await rhythm.list({ status: "completed", name: "basic", limit: 1000 });
      assert.ok(completedBasic.some((e) => e.id === wf));
      assert.ok(completedBasic.every((e) => e.status === "completed" && e.name === "basic"));
      assert.equal((await rhythm.list({ name: "list-a", limit: 2 })).length, 2);
    });

    test("list refuses a limit or cursor it cannot use, and wait gives up after its timeout", async () => {
      for (const filter of [{ limit: -1 }, { limit: 1.5 }, { after: "not-an-id" }])
        await assert.rejects(rhythm.list(filter), { code: "INVALID_ARGUMENT" }, JSON.stringify(filter));
      assert.deepEqual(await rhythm.list({ after: "00000000-0000-4000-8000-000000000000" }), []);
      const id = await rhythm.startWorkflow("waits_on_task", { key: "never-released" });
      await assert.rejects(rhythm.wait(id, { timeout: "200ms" }), { name: "WaitTimeoutError", code: "WAIT_TIMEOUT" });
    });

    test("the after cursor pages through executions without gaps or repeats", async () => {
      // a batch shares one created_at; single enqueues get their own
      const ids = [
        ...(await rhythm.queueTasks(
          "page-task",
          Array.from({ length: 17 }, (_, n) => ({ n })),
        )),
      ];
      for (let n = 0; n < 4; n++) ids.push(await rhythm.queueTask("page-task", { n: 100 + n }));
      ids.push(...(await rhythm.queueTasks("page-task", [{ n: 200 }, { n: 201 }])));
      const seen: Execution[] = [];
      let after: string | undefined;
      for (let page = 0; page < 50; page++) {
        const rows = await rhythm.list({ name: "page-task", limit: 5, after });
        seen.push(...rows);
        if (rows.length < 5) break;
        after = rows[rows.length - 1].id;
      }
      assert.equal(seen.length, ids.length);
      assert.deepEqual(new Set(seen.map((e) => e.id)), new Set(ids));
      for (let i = 1; i < seen.length; i++) assert.ok(seen[i - 1].createdAt >= seen[i].createdAt, "newest first");
      // the newest single enqueue comes before the first batch
      assert.ok(seen.findIndex((e) => e.id === ids[20]) < seen.findIndex((e) => e.id === ids[0]));
    });
  });
}
