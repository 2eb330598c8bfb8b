// End to end on the engine: a workflow with tasks, a fire-and-forget task, a loop, a signal with
// a timeout, concurrency and a child, run by a worker on each backend.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { backends, type TestDatabase } from "../support/database.js";
import { engine, type EngineFixture } from "../support/engine.js";

const ONBOARD = `
const user = await Task.run("create-account", { email: Inputs.email });
Task.run("send-email", { to: Inputs.email, template: "welcome" });
let verified = false;
try {
  const click = await Signal.when("verified", { timeout: Inputs.timeout });
  verified = click.ok;
} catch (e) {
  if (e.type !== "Timeout") throw e;
}
const projects = await Promise.all(["a", "b"].map(async (kind) => (await Task.run("create-project", { kind })).id));
const child = await Workflow.run("double", { n: projects.length });
for (const p of projects) console.log("ready", p);
return { user: user.id, verified, projects, child };
`;

for (const backend of await backends()) {
  describe(`engine on ${backend.kind}`, () => {
    let db: TestDatabase;
    let f: EngineFixture;
    const emails: unknown[] = [];
    before(async () => {
      db = await backend.open();
      f = await engine(db, { onboard: ONBOARD, double: "return Inputs.n * 2" });
      f.rhythm
        .task("create-account", async (i: { email: string }) => ({ id: `user-${i.email}` }))
        .task("send-email", async (i) => {
          emails.push(i);
          return { sent: true };
        })
        .task("create-project", async (i: { kind: string }) => ({ id: `p-${i.kind}` }));
      await f.rhythm.worker({ pollIntervalMs: 100 }).start();
    });
    after(async () => {
      await f.close();
      await db.drop();
    });

    test("a signalled workflow runs to the end", async () => {
      const id = await f.rhythm.startWorkflow("onboard", { email: "ada", timeout: "1h" });
      // wait until it suspends on the signal, then signal it (the fire-and-forget email's
      // completion wakes it once more meanwhile: it is briefly queued again)
      let waiting = await f.rhythm.get(id);
      const onSignal = () =>
        waiting?.status === "suspended" && waiting.waitingOn?.some((w) => w.description === 'signal "verified"');
      for (let i = 0; i < 250 && !onSignal(); i++) {
        await new Promise((r) => setTimeout(r, 20));
        waiting = await f.rhythm.get(id);
      }
      assert.equal(waiting?.status, "suspended");
      assert.deepEqual(
        waiting?.waitingOn?.map((w) => [w.description, w.line]),
        [['signal "verified"', 6]],
      );
      await f.rhythm.signal(id, "verified", { ok: true });
      const done = await f.rhythm.wait(id, { timeout: "10s" });
      assert.equal(done.status, "completed", JSON.stringify(done.error));
      assert.deepEqual(done.output, { user: "user-ada", verified: true, projects: ["p-a", "p-b"], child: 4 });
      assert.deepEqual(emails, [{ to: "ada", template: "welcome" }]);
      const logs = await f.rhythm.logs(id);
      assert.deepEqual(
        logs.map((l) => l.message),
        ["ready p-a", "ready p-b"],
      );
    });

    test("the signal timeout path runs on the database clock", async () => {
      const id = await f.rhythm.startWorkflow("onboard", { email: "bob", timeout: "300ms" });
      const done = await f.rhythm.wait(id, { timeout: "10s" });
      assert.equal(done.status, "completed", JSON.stringify(done.error));
      assert.deepEqual(done.output, { user: "user-bob", verified: false, projects: ["p-a", "p-b"], child: 4 });
    });
  });
}
