// The HTTP API's start options `concurrency` and `rateLimit` (docs/flow-control.md), on both
// backends: accepted for workflows and tasks and stored with the execution; bad ones answered
// 400 INVALID_ARGUMENT with nothing written; both documented in the OpenAPI document.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startServer, type RunningServer } from "../../src/server/index.js";
import { backends, type TestDatabase } from "../support/database.js";
import { engine, type EngineFixture } from "../support/engine.js";
import { post, request } from "./support/http.js";

for (const backend of await backends()) {
  describe(`HTTP API flow-control options on ${backend.kind}`, () => {
    let db: TestDatabase;
    let f: EngineFixture;
    let server: RunningServer;

    before(async () => {
      db = await backend.open();
      f = await engine(db, { quick: "return 1;" });
      await f.rhythm.deploy();
      server = await startServer(f.rhythm, { port: 0, token: null, maxBodyBytes: 64 * 1024, report: () => {} });
    });
    after(async () => {
      await server.close();
      await f.close();
      await db.drop();
    });

    const stored = async (id: string) =>
      (
        await db.driver.query(
          "select concurrency_key, concurrency_limit, rate_key, rate_limit, rate_per_ms from rhythm.executions where id = $1",
          [id],
        )
      ).rows[0];

    test("a workflow and a task started with both options keep them", async () => {
      const options = { concurrency: { key: "customer-9", limit: 2 }, rateLimit: { key: "api", limit: 50, per: "1s" } };
      for (const path of ["/api/v1/workflows/quick", "/api/v1/tasks/nobody-runs-this"]) {
        const r = await post(server.url, path, { inputs: {}, options });
        assert.equal(r.status, 201, r.text);
        assert.deepEqual(await stored(r.json.id), {
          concurrency_key: "customer-9",
          concurrency_limit: 2,
          rate_key: "api",
          rate_limit: 50,
          rate_per_ms: 1000,
        });
      }
    });

    test("bad options: 400 INVALID_ARGUMENT naming the field, nothing written", async () => {
      const count = async () =>
        (await db.driver.query<{ n: number }>("select count(*)::int as n from rhythm.executions")).rows[0].n;
      const before = await count();
      for (const [options, message] of [
        [{ concurrency: { key: "" } }, /concurrency\.key must be a non-empty string/],
        [{ concurrency: { key: "k", limit: 0 } }, /concurrency\.limit must be a whole number/],
        [{ rateLimit: { key: "k", limit: 5 } }, /rateLimit\.per is required/],
        [{ rateLimit: { key: "k", limit: 5, per: "soon" } }, /rateLimit\.per must be a duration/],
      ] as const) {
        const r = await post(server.url, "/api/v1/tasks/t", { inputs: {}, options });
        assert.equal(r.status, 400, r.text);
        assert.equal(r.json.error.code, "INVALID_ARGUMENT");
        assert.match(r.json.error.message, message);
      }
      assert.equal(await count(), before);
    });

    test("the OpenAPI document describes both options", async () => {
      const r = await request(server.url, "/api/v1/openapi.json");
      const text = JSON.stringify(r.json);
      for (const field of ['"concurrency":{"type":"object"', '"rateLimit":{"type":"object"'])
        assert.ok(text.includes(field), field);
    });
  });
}
