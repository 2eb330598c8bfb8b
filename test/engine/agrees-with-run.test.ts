// The engine tells what `rhythm run` tells (issue 10 item 5): where a failed workflow threw
// (`errorAt`, "file:line:col (function)") on get, wait and list, printed by the CLI's get; and
// where each log line came from (a workflow's console.*, the interpreter itself, a task's ctx.log).

import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { formatExecution } from "../../src/cli/format-execution.js";
import type { Rhythm } from "../../src/index.js";
import { runFlowFile } from "../../src/testing/index.js";
import { backends, type TestDatabase } from "../support/database.js";
import { engine, type EngineFixture } from "../support/engine.js";

const FLOWS = {
  reads_undefined: `
const a = { b: 1 };
function pick(o) {
  return o.a.b;
}
return pick(a);
`,
  logs: `
console.log("from console");
async function explode() {
  await null;
  throw Error("nobody listens");
}
explode();
await Task.run("logs-too", {});
return "done";
`,
};

for (const backend of await backends()) {
  describe(`what rhythm run tells, on ${backend.kind}`, () => {
    let db: TestDatabase;
    let f: EngineFixture;
    let rhythm: Rhythm;

    before(async () => {
      db = await backend.open();
      f = await engine(db, FLOWS);
      rhythm = f.rhythm;
      rhythm.task("logs-too", async (_, ctx) => {
        ctx.log("from the handler");
        return null;
      });
      await rhythm.worker({ pollIntervalMs: 50 }).start();
    });
    after(async () => {
      await f?.close();
      await db?.drop();
    });

    test("a failed workflow's errorAt: get, wait and list give where it threw, as rhythm run does; the CLI prints it", async () => {
      const file = join(f.dir, "reads_undefined.flow");
      const run = await runFlowFile(file);
      assert.equal(run.errorAt, `${file}:4:14 (pick)`);
      const id = await rhythm.startWorkflow("reads_undefined", {});
      const done = await rhythm.wait(id, { timeout: "10s" });
      assert.equal(done.status, "failed");
      assert.deepEqual(done.error, run.error);
      assert.equal(done.errorAt, run.errorAt);
      assert.equal((await rhythm.get(id))!.errorAt, run.errorAt);
      assert.equal((await rhythm.list({ name: "reads_undefined" }))[0].errorAt, run.errorAt);
      assert.match(
        formatExecution(done),
        new RegExp(`^at +${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:4:14 \\(pick\\)$`, "m"),
      );
      // nothing of the kind for what did not fail by a throw
      const ok = await rhythm.wait(await rhythm.startWorkflow("logs", {}), { timeout: "10s" });
      assert.equal(ok.errorAt, undefined);
    });

    test("log lines say where they came from: console, the runtime, a task's ctx.log", async () => {
      const id = await rhythm.startWorkflow("logs", {});
      await rhythm.wait(id, { timeout: "10s" });
      const lines = await rhythm.logs(id);
      assert.deepEqual(
        lines.map((l) => [l.source, l.message.split("\n")[0]]),
        [
          ["console", "from console"],
          ["runtime", "unhandled error in a concurrent function: Error: nobody listens"],
        ],
      );
      const run = await runFlowFile(join(f.dir, "logs.flow"), { tasks: { "logs-too": { returns: null } } });
      assert.deepEqual(
        run.logs.map((l) => [l.source, l.message]),
        lines.map((l) => [l.source, l.message]),
      );
      const task = (await rhythm.list({ kind: "task", name: "logs-too" }))[0];
      assert.deepEqual(
        (await rhythm.logs(task.id)).map((l) => [l.source, l.message]),
        [["task", "from the handler"]],
      );
    });
  });
}
