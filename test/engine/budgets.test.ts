// The activation budgets on the engine (issue 14): the bombs that aborted a worker process or
// escaped as host errors now end in a recorded failure (or a cut log line) within seconds, the
// worker goes on with other work, and a failed activation queues none of its tasks.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { backends, type TestDatabase } from "../support/database.js";
import { engine, type EngineFixture } from "../support/engine.js";

const FLOWS = {
  logbomb: 'console.log(Array.from({ length: 3000 }).fill("x".repeat(2000000))); return "logged"',
  statebomb: `for (let i = 0; i < 2000; i++) Task.run("count", { i })
const s = "x".repeat(2000000); const refs = Array.from({ length: 300 }).fill(s)
await Timer.delay(1)
return refs.length`,
  sortbomb: 'const a = "x".repeat(2000000).split(""); for (let i = 0; i < 80; i++) a.slice().sort(); return 1',
  ordinary: 'return await Task.run("count", { i: -1 })',
};

for (const backend of await backends()) {
  describe(`activation budgets on ${backend.kind}`, () => {
    let db: TestDatabase;
    let f: EngineFixture;
    let counted = 0;
    before(async () => {
      db = await backend.open();
      f = await engine(db, FLOWS);
      f.rhythm.task("count", async () => ++counted);
      await f.rhythm.worker({ pollIntervalMs: 50, limits: { maxLogLineChars: 100 } }).start();
    });
    after(async () => {
      await f.close();
      await db.drop();
    });

    test("bombs end in a recorded failure or a cut line, no task of a failed activation runs, and ordinary work completes", async () => {
      const ids = await Promise.all(Object.keys(FLOWS).map((name) => f.rhythm.startWorkflow(name, {})));
      const [log, state, sort, ordinary] = await Promise.all(ids.map((id) => f.rhythm.wait(id, { timeout: "60s" })));
      assert.equal(log.status, "completed");
      const lines = await f.rhythm.logs(ids[0]!);
      assert.equal(lines[0]?.message, '["' + "x".repeat(98) + " … [cut: log line too long]");
      assert.equal(state.status, "failed");
      assert.match(
        String((state.error as { message: string }).message),
        /^state size limit exceeded: the saved state would be at least \d+ bytes/,
      );
      assert.equal(sort.status, "failed");
      assert.match(String((sort.error as { message: string }).message), /^instruction limit exceeded/);
      assert.equal(ordinary.status, "completed");
      // only the ordinary workflow's task ran: the state bomb's 2,000 tasks were never queued
      assert.equal(counted, 1);
    });
  });
}
