// rhythm.inspect(id) on the engine (SPEC §7), Postgres and PGlite: a suspended workflow read from
// the database shows its paused line, its variables by name with their values (markup kept as
// text, huge values cut, cycles marked), and what it awaits with the ids of the task and child it
// started and the fire time of its timer; programs stored before debug tables; the typed errors
// for what has no state to show.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { NotAWorkflowError, NothingToInspectError, ExecutionNotFoundError, showText, type Rhythm } from "../../src/index.js";
import { backends, type TestDatabase } from "../support/database.js";
import { engine, type EngineFixture } from "../support/engine.js";
import { deferred, until, untilStatus } from "./support/until.js";

const FLOWS = {
  paused: `
const order = { id: Inputs.id, note: Inputs.note, lines: Array.from({ length: 1000 }, (_, i) => i) };
order.self = order;
let attempts = 0;
async function charge(cents) {
  attempts++;
  const receipt = await Task.run("charge", { cents });
  return receipt;
}
const child = Workflow.run("child", { id: Inputs.id });
const timer = Timer.delay("1h");
const result = await Promise.all([charge(500), child, timer]);
return result;
`,
  child: `return await Signal.next("go");`,
  quick: `return 1;`,
};

for (const backend of await backends()) {
  describe(`rhythm.inspect on ${backend.kind}`, () => {
    let db: TestDatabase;
    let f: EngineFixture;
    let rhythm: Rhythm;
    const release = deferred();
    const taskIds: string[] = [];

    before(async () => {
      db = await backend.open();
      f = await engine(db, FLOWS);
      rhythm = f.rhythm;
      rhythm.task("charge", async (_inputs, ctx) => {
        taskIds.push(ctx.executionId);
        await release.promise;
        return { ok: true };
      });
      await rhythm.worker({ pollIntervalMs: 50 }).start();
    });
    after(async () => {
      release.resolve();
      await f.close();
      await db.drop();
    });

    test("a suspended workflow: its paused lines, variables by name, and what it awaits with ids", async () => {
      const note = "<script>alert('x')</script>";
      const id = await rhythm.startWorkflow("paused", { id: 42, note });
      await untilStatus(rhythm, id, "suspended");
      await until("the task to start", () => taskIds.length === 1);
      const r = await rhythm.inspect(id);
      assert.deepEqual(
        { id: r.id, name: r.name, status: r.status, named: r.named },
        { id, name: "paused", status: "suspended", named: true },
      );
      assert.equal(r.version, (await rhythm.get(id))!.version);
      assert.deepEqual(
        r.stack.map((s) => [s.fiber, s.function, s.line, s.column, s.source?.trim()]),
        [
          [0, "main", 12, 16, "const result = await Promise.all([charge(500), child, timer]);"],
          [1, "charge", 7, 19, 'const receipt = await Task.run("charge", { cents });'],
        ],
      );
      const main = r.stack[0].variables;
      assert.deepEqual(Object.keys(main), ["order", "attempts", "charge", "child", "timer", "result"]);
      const order = main.order as { $type: string; ref: number; entries: Record<string, unknown> };
      assert.equal(order.entries.note, note, "markup is kept as text");
      assert.deepEqual(order.entries.self, { $type: "circular", ref: order.ref });
      assert.deepEqual((order.entries.lines as { items: unknown[]; length: number }).length, 1000);
      assert.equal((order.entries.lines as { items: unknown[] }).items.length, 50, "a huge array is cut");
      assert.equal(main.attempts, 1);
      assert.equal(showText(main.result), "<uninitialized>");
      const [child] = await rhythm.list({ name: "child" });
      assert.equal(showText(main.child), '[child workflow "child" pending]');
      assert.equal((main.child as { id?: string }).id, child.id);
      // charge sees what it captured (attempts), not main's other variables
      assert.deepEqual(r.stack[1].variables, { receipt: { $type: "uninitialized" }, cents: 500, attempts: 1 });
      // by stack: the main body's Promise.all waits on the child and the timer, stack 1 on the task
      const awaiting = r.awaiting.map(({ handle: _handle, ...a }) => a);
      assert.deepEqual(
        awaiting.map((a) => a.kind),
        ["workflow", "timer", "task"],
      );
      assert.deepEqual(awaiting[0], { kind: "workflow", name: "child", id: child.id });
      assert.deepEqual(awaiting[2], { kind: "task", name: "charge", id: taskIds[0] });
      const fires = Date.parse(awaiting[1].until!);
      const started = Date.parse((await rhythm.get(id))!.startedAt!);
      assert.ok(
        Math.abs(fires - (started + 3_600_000)) < 60_000,
        `the timer fires an hour after the start: ${awaiting[1].until}`,
      );

      await untilStatus(rhythm, child.id, "suspended");
      const childView = await rhythm.inspect(child.id);
      assert.deepEqual(childView.awaiting, [{ kind: "signal", name: "go", handle: childView.awaiting[0].handle }]);
      assert.equal(childView.stack[0].source, 'return await Signal.next("go");');
    });

    test("a program stored before debug tables is named from its source, or shown by slot when the code differs", async () => {
      const id = await rhythm.startWorkflow("child", {});
      await untilStatus(rhythm, id, "suspended");
      const version = (await rhythm.get(id))!.version;
      const strip = async (change: string) =>
        db.driver.query(
          `update rhythm.workflow_versions set program = jsonb_set(program, '{functions}', (
             select jsonb_agg(f - 'debug' ${change}) from jsonb_array_elements(program->'functions') f))
           where name = 'child' and version = $1`,
          [version],
        );
      await strip("");
      assert.equal((await rhythm.inspect(id)).named, true);
      await strip("|| jsonb_build_object('locals', (f->>'locals')::int + 1)");
      const r = await rhythm.inspect(id);
      assert.equal(r.named, false);
      assert.equal(r.stack[0].line, 1);
    });

    test("what has no saved state says so with a typed error", async () => {
      await assert.rejects(rhythm.inspect("00000000-0000-4000-8000-000000000000"), ExecutionNotFoundError);
      await assert.rejects(rhythm.inspect("not an id"), ExecutionNotFoundError);
      const task = await rhythm.queueTask("charge", {}, { queue: "nobody-serves" });
      await assert.rejects(rhythm.inspect(task), NotAWorkflowError);
      const queued = await rhythm.startWorkflow("quick", {}, { queue: "nobody-serves" });
      await assert.rejects(
        rhythm.inspect(queued),
        (e: unknown) => e instanceof NothingToInspectError && /not paused yet/.test(e.message),
      );
      const done = await rhythm.startWorkflow("quick", {});
      assert.equal((await rhythm.wait(done, { timeout: "10s" })).status, "completed");
      await assert.rejects(
        rhythm.inspect(done),
        (e: unknown) => e instanceof NothingToInspectError && /completed/.test(e.message),
      );
      const paused = await rhythm.startWorkflow("child", {});
      await untilStatus(rhythm, paused, "suspended");
      await db.driver.query(
        `update rhythm.executions set state = jsonb_set(state::jsonb, '{format}', '99')::json where id = $1`,
        [paused],
      );
      await assert.rejects(
        rhythm.inspect(paused),
        (e: unknown) => e instanceof NothingToInspectError && /saved state cannot be read: .*format 99/.test(e.message),
      );
    });
  });
}
