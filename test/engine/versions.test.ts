// Versions on the engine (SPEC §3): a workflow suspended on a signal resumes with the version it
// started with after its file changes and the worker restarts, while new executions run the new
// version; and an old version still runs after its file is deleted.

import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Rhythm } from "../../src/index.js";
import { backends, type TestDatabase } from "../support/database.js";
import { connectTo, engine, type EngineFixture } from "../support/engine.js";
import { untilStatus } from "./support/until.js";

const V1 = `
const s = await Signal.next("go");
return { v: 1, s };
`;

const V2 = `
const extra = "new";
// the await moved down two lines
const s = await Signal.next("go");
return { v: 2, s, extra };
`;

for (const backend of await backends()) {
  describe(`versions on ${backend.kind}`, () => {
    let db: TestDatabase;
    let f: EngineFixture;
    let current: Rhythm | null = null;

    /** A restarted worker process: a new client on the same database and folder. */
    const restart = async (): Promise<Rhythm> => {
      await current?.close();
      current = await connectTo(db, f.dir);
      await current.worker({ pollIntervalMs: 50 }).start();
      return current;
    };

    before(async () => {
      db = await backend.open();
      f = await engine(db, { greet: V1 });
    });
    after(async () => {
      await current?.close();
      rmSync(f.dir, { recursive: true, force: true });
      await db.drop();
    });

    test("a suspended execution keeps its version across a change and a restart; new ones use the new version", async () => {
      current = f.rhythm;
      await current.worker({ pollIntervalMs: 50 }).start();
      const old = await current.startWorkflow("greet", {});
      const before = await untilStatus(current, old, "suspended");
      assert.deepEqual(
        before.waitingOn?.map((w) => w.line),
        [2],
      );

      f.write("greet", V2);
      let rhythm = await restart();
      const fresh = await rhythm.startWorkflow("greet", {});
      const freshSuspended = await untilStatus(rhythm, fresh, "suspended");
      assert.notEqual(freshSuspended.version, before.version);
      assert.deepEqual(
        freshSuspended.waitingOn?.map((w) => w.line),
        [4],
      );
      const oldNow = await rhythm.get(old);
      assert.equal(oldNow?.version, before.version);
      assert.deepEqual(
        oldNow?.waitingOn?.map((w) => w.line),
        [2],
      );

      await rhythm.signal(old, "go", "hello");
      await rhythm.signal(fresh, "go", "hi");
      assert.deepEqual((await rhythm.wait(old, { timeout: "10s" })).output, { v: 1, s: "hello" });
      assert.deepEqual((await rhythm.wait(fresh, { timeout: "10s" })).output, { v: 2, s: "hi", extra: "new" });

      // the old version runs even after its file is gone
      const v1Again = await rhythm.startWorkflow("greet", {});
      await untilStatus(rhythm, v1Again, "suspended");
      f.write("greet", V1); // back to V1: it becomes the newest version again
      rhythm = await restart();
      const onV1 = await rhythm.startWorkflow("greet", {});
      assert.equal((await rhythm.get(onV1))?.version, before.version);
      const onV2 = v1Again;
      await untilStatus(rhythm, onV1, "suspended");
      rmSync(join(f.dir, "greet.flow"));
      rhythm = await restart();
      await rhythm.signal(onV2, "go", "still here");
      await rhythm.signal(onV1, "go", "me too");
      assert.deepEqual((await rhythm.wait(onV2, { timeout: "10s" })).output, { v: 2, s: "still here", extra: "new" });
      assert.deepEqual((await rhythm.wait(onV1, { timeout: "10s" })).output, { v: 1, s: "me too" });
      // and new executions can still start from the stored definition
      const later = await rhythm.startWorkflow("greet", {});
      assert.equal((await rhythm.get(later))?.version, before.version);
    });
  });
}
