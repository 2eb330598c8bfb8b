// enqueueWorkflow / enqueueTask say whether they inserted: `created` is false when the
// idempotency key was taken (the id is then the execution that has it), known from the insert
// itself — one statement for a new execution, as for startWorkflow. `rhythm start/task` say so.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Rhythm } from "../../src/index.js";
import { backends, type TestDatabase } from "../support/database.js";
import { engine, type EngineFixture } from "../support/engine.js";
import { CountingDriver } from "../engine/support/counting-driver.js";
import { Rhythm as RhythmClass } from "../../src/index.js";

for (const backend of await backends()) {
  describe(`enqueue results on ${backend.kind}`, () => {
    let db: TestDatabase;
    let f: EngineFixture;
    let rhythm: Rhythm;

    before(async () => {
      db = await backend.open();
      f = await engine(db, { hello: "return 1;\n" });
      rhythm = f.rhythm;
      await rhythm.deploy();
    });
    after(async () => {
      await f.close();
      await db.drop();
    });

    test("a taken idempotency key: created false, the first execution's id", async () => {
      const first = await rhythm.enqueueWorkflow("hello", {}, { idempotencyKey: "signup-7" });
      const again = await rhythm.enqueueWorkflow("hello", { other: true }, { idempotencyKey: "signup-7" });
      assert.deepEqual(first, { id: first.id, created: true });
      assert.deepEqual(again, { id: first.id, created: false });
      const task = await rhythm.enqueueTask("nobody-runs-it", 1, { idempotencyKey: "signup-7" });
      assert.equal(task.created, true, "keys are per kind and name");
      assert.deepEqual(await rhythm.enqueueTask("nobody-runs-it", 2, { idempotencyKey: "signup-7" }), {
        id: task.id,
        created: false,
      });
      assert.equal(
        await rhythm.startWorkflow("hello", {}, { idempotencyKey: "signup-7" }),
        first.id,
        "startWorkflow still answers the id",
      );
    });

    test("a new execution costs one statement, as startWorkflow's does", async () => {
      const counting = new CountingDriver(db.driver, false);
      const client = await RhythmClass.connectWith(counting, { workflows: f.dir });
      try {
        await client.enqueueTask("nobody-runs-it", 3);
        counting.reset();
        assert.equal((await client.enqueueTask("nobody-runs-it", 4, { idempotencyKey: "fresh" })).created, true);
        assert.equal(counting.statements, 1, counting.texts.join("\n"));
      } finally {
        await client.close();
      }
    });
  });
}
