// A workflow started from TypeScript runs Python tasks (python -m rhythm_flow worker, a real
// process) beside a TypeScript task: outputs keep their key order across the languages, a
// Python failure reaches the workflow as a TaskError, and a Python worker SIGKILLed mid-task
// loses nothing — the attempt runs again once its lease runs out, and the workflow completes once.

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, describe, test } from "node:test";
import type { Rhythm, Worker } from "../../src/index.js";
import { postgresDatabase, type TestDatabase } from "../support/database.js";
import { engine, type EngineFixture } from "../support/engine.js";
import { until, untilStatus } from "../engine/support/until.js";
import { exited, pythonMissing, pythonWorker } from "./support/python.js";

const MIXED = `
const ts = await Task.run("ts-label", { n: Inputs.n });
const py = await Task.run("py-double", { n: Inputs.n, label: ts }, { queue: "py" });
let failed = null;
try {
  await Task.run("py-refuse", { why: "no stock" }, { queue: "py" });
} catch (e) {
  failed = { name: e.name, message: e.message, attempts: e.attempts, cause: e.cause };
}
return { ts, py, keys: Object.keys(py), failed };
`;

const KILLED = `
const r = await Task.run("py-slow-once", { marker: Inputs.marker }, { queue: "py", retries: { limit: 2, initial: "10ms" } });
return { r };
`;

const CANCELLED = `
return await Task.run("py-patient", { marker: Inputs.marker }, { queue: "py" });
`;

const TASKS_PY = `
import time
from rhythm_flow import task, NonRetryableError


@task("py-double")
def double(inputs, ctx):
    return {"zulu": inputs["n"] * 2, "alpha": inputs["label"], "attempt": ctx.attempt}


@task("py-refuse")
async def refuse(inputs, ctx):
    raise NonRetryableError(inputs["why"])


@task("py-patient")
def patient(inputs, ctx):
    open(inputs["marker"], "w").write("started")
    heard = ctx.cancel_event.wait(60)
    open(inputs["marker"], "w").write("cancelled" if heard and ctx.cancelled else "not told")
    return "finished anyway"


@task("py-slow-once")
def slow_once(inputs, ctx):
    if ctx.attempt == 1:
        open(inputs["marker"], "w").write(ctx.execution_id)
        time.sleep(120)
    return f"done on attempt {ctx.attempt}"
`;

if ((await pythonMissing()) === null) {
  describe("TypeScript workflows running Python tasks", () => {
    let db: TestDatabase;
    let f: EngineFixture;
    let rhythm: Rhythm;
    let tsWorker: Worker;
    let dir: string;
    const completed: string[] = [];
    const spawned: ReturnType<typeof pythonWorker>[] = [];
    const startPython = () => {
      const p = pythonWorker(["--tasks", join(dir, "cross_tasks.py"), "--queues", "py", "--lease", "1.5"], {
        RHYTHM_DATABASE_URL: db.url!,
      });
      spawned.push(p);
      return p;
    };
    const pythonReady = (n: number) =>
      until("the Python worker's row", async () => (await rhythm.workers()).filter((w) => w.id.startsWith("py-")).length >= n);

    before(async () => {
      db = await postgresDatabase();
      dir = mkdtempSync(join(tmpdir(), "rhythm-cross-"));
      writeFileSync(join(dir, "cross_tasks.py"), TASKS_PY);
      f = await engine(db, { mixed: MIXED, killed: KILLED, cancelled: CANCELLED });
      rhythm = f.rhythm;
      rhythm.task("ts-label", (inputs: { n: number }) => `n=${inputs.n}`);
      await rhythm.deploy();
      tsWorker = rhythm.worker({
        queues: ["default"],
        pollIntervalMs: 50,
        onEvent: (e) => {
          if (e.type === "completed") completed.push(e.executionId);
        },
      });
      await tsWorker.start();
    });
    // a test that failed half-way must not leave its worker to take the next test's tasks
    afterEach(async () => {
      for (const p of spawned.splice(0))
        if (p.exitCode === null && p.signalCode === null) {
          p.kill("SIGKILL");
          await exited(p);
        }
    });
    after(async () => {
      for (const p of spawned) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
      await f.close();
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    test("one workflow calls a TypeScript task and Python tasks on their queues", async () => {
      const py = startPython();
      await pythonReady(1);
      const id = await rhythm.startWorkflow("mixed", { n: 21 });
      const done = await untilStatus(rhythm, id, "completed", 30_000);
      assert.deepEqual(done.output, {
        ts: "n=21",
        py: { zulu: 42, alpha: "n=21", attempt: 1 },
        keys: ["zulu", "alpha", "attempt"],
        failed: {
          name: "TaskError",
          message: "no stock",
          attempts: 1,
          cause: { name: "NonRetryableError", message: "no stock", nonRetryable: true },
        },
      });
      py.kill("SIGTERM");
      assert.equal(await exited(py), 0, py.log());
      assert.match(py.log(), /stopped/);
    });

    test("rhythm.cancel reaches a running Python handler, and its result is not recorded", async () => {
      const marker = join(dir, "patient");
      const py = startPython();
      await pythonReady(1);
      const id = await rhythm.startWorkflow("cancelled", { marker });
      await until("the handler to start", () => existsSync(marker) && readFileSync(marker, "utf8") === "started", 30_000);
      await rhythm.cancel(id);
      // the handler rewrites the file ("w" empties it first): wait for its last word, not the empty moment
      const heard = () => readFileSync(marker, "utf8");
      await until("the handler to hear of it", () => ["cancelled", "not told"].includes(heard()), 30_000);
      assert.equal(heard(), "cancelled");
      const [task] = await rhythm.list({ parentId: id });
      assert.equal((await rhythm.get(task.id))!.status, "cancelled");
      assert.equal((await rhythm.get(task.id))!.output, null);
      py.kill("SIGTERM");
      assert.equal(await exited(py), 0, py.log());
    });

    test("a Python worker killed mid-task: the task runs again after its lease, the workflow completes once", async () => {
      const marker = join(dir, "started");
      const first = startPython();
      await pythonReady(1);
      const id = await rhythm.startWorkflow("killed", { marker });
      await until("the first attempt to start", () => existsSync(marker), 30_000);
      first.kill("SIGKILL");
      await exited(first);
      const second = startPython();
      const done = await untilStatus(rhythm, id, "completed", 30_000);
      assert.deepEqual(done.output, { r: "done on attempt 2" });
      const tasks = await rhythm.list({ parentId: id });
      assert.equal(tasks.length, 1);
      const task = (await rhythm.get(tasks[0].id))!;
      assert.equal(task.status, "completed");
      assert.equal(task.attempt, 2);
      assert.deepEqual(
        (task.errors as { name: string; attempt: number }[]).map((e) => [e.name, e.attempt]),
        [["LeaseExpired", 1]],
      );
      // the workflow finished once: one completion, whatever the retries
      await until("the completion event", () => completed.includes(id));
      assert.equal(completed.filter((c) => c === id).length, 1);
      second.kill("SIGTERM");
      assert.equal(await exited(second), 0, second.log());
    });
  });
}
