// The flow-control options of SPEC §9 through the HTTP API: a workflow's `timeout` and
// `debounce` in a start's options, and bad values refused with 400 INVALID_ARGUMENT.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Rhythm } from "../../src/index.js";
import { startServer, type RunningServer } from "../../src/server/index.js";
import { backends, type TestDatabase } from "../support/database.js";
import { engine, type EngineFixture } from "../support/engine.js";
import { post } from "./support/http.js";

for (const backend of await backends()) {
  describe(`flow-control options over HTTP on ${backend.kind}`, () => {
    let db: TestDatabase;
    let f: EngineFixture;
    let rhythm: Rhythm;
    let server: RunningServer;

    before(async () => {
      db = await backend.open();
      f = await engine(db, { waits_forever: 'await Signal.next("never");\nreturn 1;\n' });
      rhythm = f.rhythm;
      await rhythm.worker({ pollIntervalMs: 5000 }).start();
      server = await startServer(rhythm, { port: 0, token: null, maxBodyBytes: 64 * 1024, report: () => {} });
    });
    after(async () => {
      await server.close();
      await f.close();
      await db.drop();
    });

    test("a workflow started with a timeout fails with Timeout", async () => {
      const r = await post(server.url, "/api/v1/workflows/waits_forever", { options: { timeout: "300ms" } });
      assert.equal(r.status, 201, r.text);
      const done = await rhythm.wait(r.json.id, { timeout: "15s" });
      assert.equal(done.status, "failed");
      assert.equal((done.error as { type: string }).type, "Timeout");
    });

    test("debounced starts return the execution that has not started yet", async () => {
      const options = { debounce: { key: "http", delay: "1h" } };
      const a = await post(server.url, "/api/v1/tasks/nobody-runs", { inputs: 1, options });
      const b = await post(server.url, "/api/v1/tasks/nobody-runs", { inputs: 2, options });
      assert.equal(a.status, 201, a.text);
      assert.equal(b.json.id, a.json.id);
      assert.equal((await rhythm.get(a.json.id))!.inputs, 2);
    });

    test("bad flow-control options are refused", async () => {
      const cases: [string, unknown, RegExp][] = [
        ["/api/v1/workflows/waits_forever", { timeout: "soon" }, /timeout/],
        ["/api/v1/tasks/t", { debounce: { key: "k" } }, /needs a delay/],
        ["/api/v1/tasks/t", { debounce: { key: "k", delay: 1 }, idempotencyKey: "i" }, /cannot be combined with idempotencyKey/],
      ];
      for (const [path, options, message] of cases) {
        const r = await post(server.url, path, { options });
        assert.equal(r.status, 400, r.text);
        assert.equal(r.json.error.code, "INVALID_ARGUMENT");
        assert.match(r.json.error.message, message);
      }
    });
  });
}
