// The HTTP API's operations on paused runs (docs/operations.md) through a real server on both
// backends: a variable set (and refused: 409 EDIT_REFUSED, 400 for a bad body), a fork (201), a
// failed workflow retried from its failed await; each logged as who the body says asked.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { NonRetryableError, type Rhythm } from "../../src/index.js";
import { startServer, type RunningServer } from "../../src/server/index.js";
import { backends, type TestDatabase } from "../support/database.js";
import { engine, type EngineFixture } from "../support/engine.js";
import { until, untilStatus } from "../engine/support/until.js";
import { post } from "./support/http.js";

const FLOWS = {
  approve: `
let limit = Inputs.limit;
const quote = await Task.run("quote", {});
const ok = await Signal.next("approve");
return { limit, quote, ok };
`,
};

for (const backend of await backends()) {
  describe(`HTTP API operations on ${backend.kind}`, () => {
    let db: TestDatabase;
    let f: EngineFixture;
    let rhythm: Rhythm;
    let server: RunningServer;
    let base: string;
    let broken = false;
    let quotes = 0;

    before(async () => {
      db = await backend.open();
      f = await engine(db, FLOWS);
      rhythm = f.rhythm;
      rhythm.task("quote", async () => {
        quotes++;
        if (broken) throw new NonRetryableError("no quote today");
        return 42;
      });
      await rhythm.worker({ pollIntervalMs: 50 }).start();
      server = await startServer(rhythm, { port: 0, token: null, maxBodyBytes: 64 * 1024, report: () => {} });
      base = server.url;
    });
    after(async () => {
      await server.close();
      await f.close();
      await db.drop();
    });

    const paused = async () => {
      const id = await rhythm.startWorkflow("approve", { limit: 10 });
      await until(
        "it to wait for approval",
        async () => (await rhythm.get(id))?.status === "suspended" && (await rhythm.inspect(id)).stack[0].line === 4,
      );
      return id;
    };

    test("POST variables sets one by name, refuses what cannot be set", async () => {
      const id = await paused();
      const r = await post(base, `/api/v1/executions/${id}/variables`, { name: "limit", value: 50, by: "frank" });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json, { id, name: "limit", frame: 0, function: "main", line: 4, old: 10, new: 50, by: "frank" });
      const missing = await post(base, `/api/v1/executions/${id}/variables`, { name: "limt", value: 1 });
      assert.equal(missing.status, 409);
      assert.equal(missing.json.error.code, "EDIT_REFUSED");
      const bad = await post(base, `/api/v1/executions/${id}/variables`, { name: "limit" });
      assert.equal(bad.status, 400);
      const unknown = await post(base, `/api/v1/executions/${id}/variables`, { name: "limit", value: 1, frmae: 1 });
      assert.equal(unknown.status, 400);
      const up = await post(base, `/api/v1/executions/${id}/upgrade`, { dryRun: true });
      assert.equal(up.status, 200, up.text);
      assert.deepEqual([up.json.movable, up.json.moved, up.json.reason], [false, false, "it already runs that version"]);
      assert.equal((await post(base, `/api/v1/executions/${id}/upgrade`, { dryRun: "yes" })).status, 400);
      await rhythm.signal(id, "approve", true);
      assert.deepEqual((await untilStatus(rhythm, id, "completed")).output, { limit: 50, quote: 42, ok: true });
      assert.ok(
        (await rhythm.logs(id)).some((l) => l.source === "operation" && /set limit = 50 \(was 10\).* by frank$/.test(l.message)),
      );
    });

    test("POST fork answers the new execution; POST retry continues a failed workflow from its failed await", async () => {
      const id = await paused();
      const fork = await post(base, `/api/v1/executions/${id}/fork`, {});
      assert.equal(fork.status, 201, fork.text);
      assert.equal(fork.json.forkedFrom, id);
      assert.ok(
        (await rhythm.logs(fork.json.id)).some((l) => l.source === "operation" && l.message.startsWith("forked by http api")),
      );

      broken = true;
      const failing = await rhythm.startWorkflow("approve", { limit: 1 });
      await untilStatus(rhythm, failing, "failed");
      broken = false;
      const before = quotes;
      const r = await post(base, `/api/v1/executions/${failing}/retry`, { by: "gina" });
      assert.equal(r.status, 200, r.text);
      await until("the retried run to pause", async () => (await rhythm.get(failing))?.status === "suspended");
      assert.equal(quotes, before + 1);
      await rhythm.signal(failing, "approve", "yes");
      assert.deepEqual((await untilStatus(rhythm, failing, "completed")).output, { limit: 1, quote: 42, ok: "yes" });
    });
  });
}
