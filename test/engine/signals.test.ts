// Signals on the engine (SPEC §2.3, §4): buffered until a wait takes them, FIFO per name and in
// the order waits were created, Signal.when timeouts on the database clock, and the typed errors
// of signalling something that is not a running workflow.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Rhythm } from "../../src/index.js";
import { backends, type TestDatabase } from "../support/database.js";
import { engine, type EngineFixture } from "../support/engine.js";
import { untilStatus } from "./support/until.js";

const FLOWS = {
  fifo: `
await Signal.next("go");
const a = await Signal.next("item");
const b = await Signal.next("item");
const c = await Signal.next("item");
return [a, b, c];
`,
  wait_order: `
const first = Signal.next("n");
const second = Signal.next("n");
const b = await second;
const a = await first;
return [a, b];
`,
  when_timeout: `
try {
  await Signal.when("never", { timeout: "200ms" });
  return "got it";
} catch (e) {
  return { type: e.type, message: e.message };
}
`,
  when_in_time: `
const payload = await Signal.when("soon", { timeout: "1h" });
return payload;
`,
  quick: `return 1;`,
  race_loser: `
const winner = await Promise.race([Signal.next("answer"), "default"]);
const late = await Promise.race([Timer.delay("1h"), "now"]);
const next = await Signal.next("answer");
await Signal.next("end");
return [winner, next, late];
`,
};

async function count(db: TestDatabase, table: string, id: string): Promise<number> {
  const r = await db.driver.query<{ n: string | number }>(`select count(*) as n from rhythm.${table} where execution_id = $1`, [
    id,
  ]);
  return Number(r.rows[0].n);
}

for (const backend of await backends()) {
  describe(`signals on ${backend.kind}`, () => {
    let db: TestDatabase;
    let f: EngineFixture;
    let rhythm: Rhythm;

    before(async () => {
      db = await backend.open();
      f = await engine(db, FLOWS);
      rhythm = f.rhythm;
      rhythm.task("plain-task", async () => "done");
      await rhythm.worker({ pollIntervalMs: 50 }).start();
    });
    after(async () => {
      await f.close();
      await db.drop();
    });

    test("signals sent before any wait are buffered and taken in order", async () => {
      // queued on a queue no worker serves yet: every signal arrives before the first activation
      const id = await rhythm.startWorkflow("fifo", {}, { queue: "signals-later" });
      for (const n of [1, 2, 3]) await rhythm.signal(id, "item", { n });
      await rhythm.signal(id, "go", null);
      assert.equal(await count(db, "signals", id), 4);
      const w = rhythm.worker({ queues: ["signals-later"], pollIntervalMs: 50 });
      await w.start();
      try {
        const done = await rhythm.wait(id, { timeout: "10s" });
        assert.equal(done.status, "completed", JSON.stringify(done.error));
        assert.deepEqual(done.output, [{ n: 1 }, { n: 2 }, { n: 3 }]);
        assert.equal(await count(db, "signals", id), 0);
      } finally {
        await w.stop();
      }
    });

    test("signals buffered while the workflow waits on another name keep their order", async () => {
      const id = await rhythm.startWorkflow("fifo", {});
      await untilStatus(rhythm, id, "suspended");
      for (const n of ["x", "y", "z"]) await rhythm.signal(id, "item", n);
      await rhythm.signal(id, "go");
      const done = await rhythm.wait(id, { timeout: "10s" });
      assert.deepEqual(done.output, ["x", "y", "z"]);
    });

    test("a wait or timer that loses a race, unstored, in the activation that made it is never written: the next wait takes the first signal", async () => {
      // both signals are buffered before the first activation, which makes the losing wait and the next one
      const id = await rhythm.startWorkflow("race_loser", {}, { queue: "race-later" });
      await rhythm.signal(id, "answer", "first answer");
      await rhythm.signal(id, "answer", "second answer");
      const w = rhythm.worker({ queues: ["race-later"], pollIntervalMs: 50 });
      await w.start();
      try {
        const waiting = await untilStatus(rhythm, id, "suspended");
        assert.deepEqual(
          waiting.waitingOn?.map((x) => x.description),
          ['signal "end"'],
        );
        assert.equal(await count(db, "timers", id), 0, "the lost Timer.delay left no timer");
        assert.equal(await count(db, "signal_waits", id), 1);
        await rhythm.signal(id, "end", null);
        const done = await rhythm.wait(id, { timeout: "10s" });
        assert.equal(done.status, "completed", JSON.stringify(done.error));
        assert.deepEqual(done.output, ["default", "first answer", "now"]);
      } finally {
        await w.stop();
      }
    });

    test("concurrent waits take signals in the order the waits were created", async () => {
      const id = await rhythm.startWorkflow("wait_order", {});
      const suspended = await untilStatus(rhythm, id, "suspended");
      assert.deepEqual(
        suspended.waitingOn?.map((w) => w.description),
        ['signal "n"'],
      );
      await rhythm.signal(id, "n", 1);
      await rhythm.signal(id, "n", 2);
      const done = await rhythm.wait(id, { timeout: "10s" });
      assert.deepEqual(done.output, [1, 2]);
    });

    test("Signal.when throws Timeout when no signal comes in time", async () => {
      const id = await rhythm.startWorkflow("when_timeout", {});
      const done = await rhythm.wait(id, { timeout: "10s" });
      assert.equal(done.status, "completed", JSON.stringify(done.error));
      assert.equal((done.output as { type: string }).type, "Timeout");
      assert.ok(Date.parse(done.finishedAt!) - Date.parse(done.startedAt!) >= 200);
      assert.equal(await count(db, "signal_waits", id), 0);
    });

    test("Signal.when gives the payload when the signal beats the timeout, and its timer goes", async () => {
      const id = await rhythm.startWorkflow("when_in_time", {});
      await untilStatus(rhythm, id, "suspended");
      assert.equal(await count(db, "timers", id), 1);
      await rhythm.signal(id, "soon", { fast: true });
      assert.equal(await count(db, "timers", id), 0, "the timeout timer is dropped with the wait");
      const done = await rhythm.wait(id, { timeout: "10s" });
      assert.deepEqual(done.output, { fast: true });
    });

    test("signalMany: one transaction for many workflows, order kept per workflow, waits and buffers alike", async () => {
      const waiting = await rhythm.startWorkflows("when_in_time", [{}, {}, {}]);
      for (const id of waiting) await untilStatus(rhythm, id, "suspended");
      const fifo = await rhythm.startWorkflow("fifo", {});
      await untilStatus(rhythm, fifo, "suspended");
      await rhythm.signalMany([
        ...waiting.map((id, n) => ({ id, name: "soon", payload: { n } })),
        // the same workflow three times and a fourth name it waits on: buffered in this order
        { id: fifo, name: "item", payload: "a" },
        { id: fifo, name: "item", payload: "b" },
        { id: fifo, name: "item", payload: "c" },
        { id: fifo, name: "go", payload: null },
      ]);
      for (const [n, id] of waiting.entries()) {
        assert.equal(await count(db, "timers", id), 0, "each timeout timer went with its wait");
        assert.deepEqual((await rhythm.wait(id, { timeout: "10s" })).output, { n });
      }
      assert.deepEqual((await rhythm.wait(fifo, { timeout: "10s" })).output, ["a", "b", "c"]);
    });

    test("signalMany writes nothing when one target is not a live workflow", async () => {
      const live = await rhythm.startWorkflow("when_in_time", {});
      await untilStatus(rhythm, live, "suspended");
      const finished = await rhythm.startWorkflow("quick", {});
      await rhythm.wait(finished, { timeout: "10s" });
      await assert.rejects(
        rhythm.signalMany([
          { id: live, name: "soon", payload: 1 },
          { id: finished, name: "x", payload: 2 },
        ]),
        { name: "ExecutionFinishedError", code: "EXECUTION_FINISHED" },
      );
      await assert.rejects(
        rhythm.signalMany([
          { id: live, name: "soon", payload: 1 },
          { id: "00000000-0000-4000-8000-000000000000", name: "x" },
        ]),
        { name: "ExecutionNotFoundError" },
      );
      assert.equal(await count(db, "inbox", live), 0);
      assert.equal(await count(db, "signals", live), 0);
      assert.equal((await rhythm.get(live))?.status, "suspended");
      await rhythm.signalMany([{ id: live, name: "soon", payload: "late" }]);
      assert.equal((await rhythm.wait(live, { timeout: "10s" })).output, "late");
    });

    test("signalling an unknown id, a finished workflow or a task is a typed error and writes nothing", async () => {
      await assert.rejects(rhythm.signal("00000000-0000-4000-8000-000000000000", "x"), {
        name: "ExecutionNotFoundError",
        code: "EXECUTION_NOT_FOUND",
      });
      await assert.rejects(rhythm.signal("not-a-uuid", "x"), { name: "ExecutionNotFoundError", code: "EXECUTION_NOT_FOUND" });

      const finished = await rhythm.startWorkflow("quick", {});
      await rhythm.wait(finished, { timeout: "10s" });
      await assert.rejects(rhythm.signal(finished, "x", 1), { name: "ExecutionFinishedError", code: "EXECUTION_FINISHED" });
      assert.equal(await count(db, "signals", finished), 0);

      const task = await rhythm.queueTask("plain-task", {});
      await assert.rejects(rhythm.signal(task, "x", 1), { name: "NotAWorkflowError", code: "NOT_A_WORKFLOW" });
      assert.equal(await count(db, "signals", task), 0);

      const waiting = await rhythm.startWorkflow("when_in_time", {});
      await untilStatus(rhythm, waiting, "suspended");
      await assert.rejects(rhythm.signal(waiting, "soon", { at: new Date() }), { code: "INVALID_ARGUMENT" });
      await assert.rejects(rhythm.signal(waiting, "", 1), { code: "INVALID_ARGUMENT" });
      assert.equal((await rhythm.get(waiting))?.status, "suspended");
      assert.equal(await count(db, "signals", waiting), 0);
      await rhythm.signal(waiting, "soon", "ok");
      assert.equal((await rhythm.wait(waiting, { timeout: "10s" })).output, "ok");
    });
  });
}
