// A task's registration options (retries, timeout) apply wherever the task was queued from: a
// client without the registration (another process, the CLI) leaves them to the worker.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Rhythm } from "../../src/index.js";
import { backends, type TestDatabase } from "../support/database.js";
import { connectTo, engine, type EngineFixture } from "../support/engine.js";

for (const backend of await backends()) {
  describe(`registration options on ${backend.kind}`, () => {
    let db: TestDatabase;
    let f: EngineFixture;
    let producer: Rhythm;
    let calls = 0;
    before(async () => {
      db = await backend.open();
      f = await engine(db, {});
      f.rhythm
        .task(
          "flaky",
          async () => {
            calls++;
            throw new Error("always fails");
          },
          { retries: 0 },
        )
        .task(
          "slow",
          (_i, ctx) => new Promise((_r, reject) => ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason))),
          {
            retries: 0,
            timeout: "200ms",
          },
        );
      await f.rhythm.worker({ pollIntervalMs: 100 }).start();
      producer = await connectTo(db, f.dir); // knows no task registrations
    });
    after(async () => {
      await producer.close();
      await f.close();
      await db.drop();
    });

    test("retries: 0 on the worker's registration holds for a task queued elsewhere", async () => {
      const id = await producer.queueTask("flaky", { n: 1 });
      const done = await producer.wait(id, { timeout: "10s" });
      assert.equal(done.status, "failed");
      assert.equal(done.attempt, 1);
      assert.equal(calls, 1);
    });

    test("the registration's timeout bounds an attempt of a task queued elsewhere", async () => {
      const id = await producer.queueTask("slow", {});
      const done = await producer.wait(id, { timeout: "10s" });
      assert.equal(done.status, "failed");
      assert.match(JSON.stringify(done.error), /timeout of 200 ms/);
    });

    test("retries given with the call win over the registration", async () => {
      calls = 0;
      const id = await producer.queueTask("flaky", { n: 2 }, { retries: { limit: 1, initial: "10ms" } });
      const done = await producer.wait(id, { timeout: "10s" });
      assert.equal(done.status, "failed");
      assert.equal(done.attempt, 2);
      assert.equal(calls, 2);
    });
  });
}
