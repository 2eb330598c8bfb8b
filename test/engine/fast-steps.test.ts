// A workflow step in one round trip (issue 17): a task's completion that wakes its workflow on the
// same worker goes as one statement (FastStep) — same outputs, logs and key order as the usual
// step and as `rhythm run` — and whatever changed the workflow while its task ran (a signal, a
// cancellation, an operation, a timeout) makes that statement write nothing, the usual step
// taking over with nothing lost or doubled.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { Rhythm, type Worker } from "../../src/index.js";
import { runFlowFile } from "../../src/testing/index.js";
import type { Driver } from "../../src/store/driver.js";
import { backends, type TestDatabase } from "../support/database.js";
import { CountingDriver } from "./support/counting-driver.js";
import { until } from "./support/until.js";

const STEPS = 6;

const FLOWS = {
  chain: `
let acc = { z: Inputs.n, a: [] };
for (let i = 0; i < ${STEPS}; i++) {
  const r = await Task.run("inc", { n: acc.z, i });
  console.log("step", i, JSON.stringify(r));
  acc = { z: r.b, a: [...acc.a, r.a] };
}
return acc;
`,
  // waits on a task it holds in the cache while something else happens to it
  gated: `
const first = await Task.run("gate", { n: Inputs.n });
const second = await Task.run("inc", { n: first, i: 0 });
return { first, second };
`,
  poked: `
const first = await Task.run("gate", { n: Inputs.n });
return { first, poke: await Signal.next("poke") };
`,
};

/** Releases the "gate" task's attempts one at a time, from the test. */
class Gate {
  private waiting: (() => void)[] = [];
  entered = 0;
  wait(): Promise<void> {
    this.entered++;
    return new Promise((r) => this.waiting.push(r));
  }
  open(): void {
    for (const r of this.waiting.splice(0)) r();
  }
}

for (const backend of await backends()) {
  describe(`a workflow step in one statement, on ${backend.kind}`, () => {
    let db: TestDatabase;
    let dir: string;
    let counting: CountingDriver;
    let rhythm: Rhythm;
    let worker: Worker;
    const gate = new Gate();
    const errors: unknown[] = [];

    const connect = async (fastSteps: boolean) => {
      rhythm = await Rhythm.connectWith(counting, { workflows: dir });
      rhythm
        .task("inc", async (i: { n: number; i: number }) => ({ b: i.n + 1, a: `${i.i}:${i.n}` }))
        .task("gate", async (i: { n: number }) => {
          await gate.wait();
          return i.n * 10;
        });
      worker = rhythm.worker({ pollIntervalMs: 60_000, fastSteps, onError: (e) => errors.push(e) });
      await worker.start();
    };
    const reconnect = async (fastSteps: boolean) => {
      await rhythm.close();
      await connect(fastSteps);
    };

    before(async () => {
      db = await backend.open();
      dir = mkdtempSync(join(tmpdir(), "rhythm-fast-"));
      for (const [name, source] of Object.entries(FLOWS)) writeFileSync(join(dir, `${name}.flow`), source);
      counting = new CountingDriver(db.driver as Driver, false);
      await connect(true);
    });
    after(async () => {
      assert.deepEqual(errors, [], "the worker survived no error");
      await rhythm?.close();
      rmSync(dir, { recursive: true, force: true });
      await db.drop();
    });

    const result = async (id: string) => {
      const done = await rhythm.wait(id, { timeout: "20s" });
      const logs = (await rhythm.logs(id)).map((l) => [l.level, l.message, l.line, l.source]);
      return { status: done.status, output: JSON.stringify(done.output), logs };
    };

    test("each step after the workflow's start is one statement, with the result of the usual step and of rhythm run", async () => {
      counting.reset();
      const fastTaken = worker.fast!.taken;
      const id = await rhythm.startWorkflow("chain", { n: 5 });
      const fast = await result(id);
      // (counted once the statement's answer is read: the workflow's end may be heard first)
      await until("every task's completion to go the fast way", () => worker.fast!.taken - fastTaken === STEPS);
      // from the first step's statement to the last, nothing else went to the database
      const texts = counting.texts;
      const first = texts.findIndex((t) => t.includes("with g as"));
      const last = texts.length - 1 - [...texts].reverse().findIndex((t) => t.includes("with g as"));
      assert.deepEqual(texts.slice(first, last + 1), Array(STEPS).fill(texts[first]), texts.join("\n"));

      await reconnect(false);
      assert.equal(worker.fast, null);
      counting.reset();
      const slowId = await rhythm.startWorkflow("chain", { n: 5 });
      const slow = await result(slowId);
      assert.equal(counting.texts.filter((t) => t.includes("with g as")).length, 0, "the switch turns the fast path off");
      assert.deepEqual(fast, slow);
      assert.equal(fast.status, "completed");
      assert.equal(fast.output, '{"z":11,"a":["0:5","1:6","2:7","3:8","4:9","5:10"]}');

      const run = await runFlowFile(join(dir, "chain.flow"), {
        inputs: { n: 5 },
        tasks: { inc: (i) => ({ b: (i as { n: number }).n + 1, a: `${(i as { i: number }).i}:${(i as { n: number }).n}` }) },
      });
      assert.equal(JSON.stringify(run.output), fast.output);
      assert.deepEqual(
        run.logs.map((l) => [l.level, l.message, l.line, l.source]),
        fast.logs,
      );
      await reconnect(true);
    });

    /** Starts `gated`, waits for its gate task to run, does `meanwhile`, lets the task finish. */
    const gated = async (meanwhile: (id: string) => Promise<void>, flow = "gated") => {
      const entered = gate.entered;
      const id = await rhythm.startWorkflow(flow, { n: 4 });
      await until("the gate task to run", () => gate.entered > entered);
      await meanwhile(id);
      const declined = worker.fast!.declined;
      gate.open();
      const r = await rhythm.wait(id, { timeout: "20s" }).catch((e: unknown) => e);
      return { r, declined: worker.fast!.declined - declined };
    };

    test("a signal arriving while the workflow waits on its kept task: the fast path declines, the signal is kept", async () => {
      const { r, declined } = await gated((id) => rhythm.signal(id, "poke", "hi").then(() => {}), "poked");
      assert.equal(declined, 1);
      assert.deepEqual((r as { output: unknown }).output, { first: 40, poke: "hi" });
    });

    test("without anything happening meanwhile, the same workflow goes the fast way", async () => {
      const taken = worker.fast!.taken;
      const { r, declined } = await gated(async () => {});
      assert.equal(declined, 0);
      await until("both steps to go the fast way", () => worker.fast!.taken - taken === 2);
      assert.deepEqual((r as { output: unknown }).output, { first: 40, second: { b: 41, a: "0:40" } });
    });

    test("any write to the workflow's row meanwhile (an operation, a timeout, a delivery) makes the statement decline", async () => {
      const { r, declined } = await gated((id) =>
        // what rhythm set/upgrade or a deadline do to a suspended run's row, reduced to "it was written"
        db.driver.query(`update rhythm.executions set state = state where id = $1`, [id]).then(() => {}),
      );
      assert.equal(declined, 1, "the row's version moved: FastStep wrote nothing");
      assert.deepEqual((r as { output: unknown }).output, { first: 40, second: { b: 41, a: "0:40" } });
      // the usual step took the completion once: one next task, completed once
      const id = (r as { id: string }).id;
      const children = await rhythm.list({ parentId: id });
      assert.deepEqual(children.map((c) => [c.name, c.status]).sort(), [
        ["gate", "completed"],
        ["inc", "completed"],
      ]);
    });

    test("a cancellation meanwhile: the fast path declines and the workflow ends cancelled, its task's output kept", async () => {
      let taskId = "";
      const { r, declined } = await gated(async (id) => {
        const children = await rhythm.list({ parentId: id });
        taskId = children[0].id;
        await rhythm.cancel(id);
      });
      assert.equal(declined, 0, "a cancelled task's handler is aborted: its completion is not written");
      assert.equal((r as { status: string }).status, "cancelled");
      const task = await rhythm.get(taskId);
      assert.notEqual(task?.status, "running");
      // nothing started after the cancellation
      const id = (r as { id: string }).id;
      assert.equal((await rhythm.list({ parentId: id })).length, 1);
    });

    test("a stale claim (its task taken back meanwhile) writes nothing", async () => {
      const entered = gate.entered;
      const before = await count(db, "kind = 'task' and name = 'inc'");
      const id = await rhythm.startWorkflow("gated", { n: 4 });
      await until("the gate task to run", () => gate.entered > entered);
      const taskId = (await rhythm.list({ parentId: id }))[0].id;
      // as lease expiry does: the attempt goes back to its queue under a new claim
      await db.driver.query(`update rhythm.executions set claim_token = gen_random_uuid() where id = $1`, [taskId]);
      const declined = worker.fast!.declined;
      gate.open();
      await until("the fast path to decline", () => worker.fast!.declined > declined);
      // and the usual step, which follows, matches no claim either
      await until("the attempt's end", async () => (await rhythm.get(taskId))?.status === "running");
      await new Promise((r) => setTimeout(r, 200));
      assert.equal((await rhythm.get(id))?.status, "suspended");
      assert.equal((await rhythm.get(taskId))?.status, "running");
      assert.equal(await count(db, "kind = 'task' and name = 'inc'"), before, "no next task was started");
      await rhythm.cancel(id);
    });
  });
}

async function count(db: TestDatabase, where: string): Promise<number> {
  const r = await db.driver.query<{ n: string | number }>(`select count(*) as n from rhythm.executions where ${where}`);
  return Number(r.rows[0].n);
}
