// A signal whose name the workflow's version never waits on is refused (UNKNOWN_SIGNAL, naming
// the ones it does wait on) and nothing is written, unless a wait computes its name or the
// sender forces it. The names are read at compile time and stored with the version.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { UnknownSignalError, type Rhythm } from "../../src/index.js";
import { backends, type TestDatabase } from "../support/database.js";
import { engine, type EngineFixture } from "../support/engine.js";
import { until } from "../engine/support/until.js";

const FLOWS = {
  approve: `const decision = await Signal.when("decision", { timeout: "1d" });
const comment = await Signal.next("comment");
return { decision, comment };
`,
  computed: `return await Signal.next(Inputs.kind + "-done");\n`,
  quiet: `return await Timer.delay("1d");\n`,
};

for (const backend of await backends()) {
  describe(`unknown signals on ${backend.kind}`, () => {
    let db: TestDatabase;
    let f: EngineFixture;
    let rhythm: Rhythm;

    before(async () => {
      db = await backend.open();
      f = await engine(db, FLOWS);
      rhythm = f.rhythm;
      await rhythm.worker({ pollIntervalMs: 100 }).start();
    });
    after(async () => {
      await f.close();
      await db.drop();
    });

    const suspended = (id: string) =>
      until(`${id} to suspend`, async () => ((await rhythm.get(id))?.status === "suspended" ? true : undefined));

    test("a misspelt name is refused with the names the workflow waits on; nothing is written", async () => {
      const id = await rhythm.startWorkflow("approve", {});
      await suspended(id);
      const refused = await rhythm.signal(id, "decisoin", { ok: true }).then(
        () => assert.fail("sent"),
        (e: unknown) => e,
      );
      assert.ok(refused instanceof UnknownSignalError);
      assert.equal(refused.code, "UNKNOWN_SIGNAL");
      assert.equal(
        refused.message,
        `workflow approve (${id}) never waits on a signal named "decisoin": it waits on "comment", "decision" — did you mean "decision"? (to send it anyway: force: true, rhythm signal --force)`,
      );
      assert.deepEqual(refused.names, ["comment", "decision"]);
      assert.deepEqual((await rhythm.get(id))?.bufferedSignals, []);
      // all or nothing: the good one of the batch is not sent either
      await assert.rejects(
        rhythm.signalMany([
          { id, name: "decision", payload: 1 },
          { id, name: "nope", payload: 2 },
        ]),
        UnknownSignalError,
      );
      assert.equal((await rhythm.get(id))?.status, "suspended");

      // a name it waits on later is taken, and buffered until then
      await rhythm.signal(id, "comment", "later");
      assert.deepEqual(
        (await rhythm.get(id))?.bufferedSignals?.map((s) => s.name),
        ["comment"],
      );
      // forced: sent, and buffered for nobody
      await rhythm.signal(id, "decisoin", "typo", { force: true });
      await rhythm.signalMany([{ id, name: "other-typo", force: true }]);
      assert.deepEqual(
        (await rhythm.get(id))?.bufferedSignals?.map((s) => s.name),
        ["comment", "decisoin", "other-typo"],
      );
      await rhythm.signal(id, "decision", { ok: true });
      const done = await rhythm.wait(id, { timeout: "20s" });
      assert.deepEqual(done.output, { decision: { ok: true }, comment: "later" });
    });

    test("a workflow that computes a name takes any; one that waits on none says so", async () => {
      const computed = await rhythm.startWorkflow("computed", { kind: "build" });
      await suspended(computed);
      await rhythm.signal(computed, "build-done", 7);
      assert.equal((await rhythm.wait(computed, { timeout: "20s" })).output, 7);

      const quiet = await rhythm.startWorkflow("quiet", {});
      await suspended(quiet);
      await assert.rejects(rhythm.signal(quiet, "go"), /never waits on a signal named "go": it waits on no signal \(to send/);
    });

    test("a version stored before the names were kept takes any name", async () => {
      const id = await rhythm.startWorkflow("quiet", {});
      await suspended(id);
      await db.driver.query(`update rhythm.workflow_versions set program = program - 'signals' where name = 'quiet'`);
      await rhythm.signal(id, "anything", null);
      assert.deepEqual(
        (await rhythm.get(id))?.bufferedSignals?.map((s) => s.name),
        ["anything"],
      );
    });
  });
}
