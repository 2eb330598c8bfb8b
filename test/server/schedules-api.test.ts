// The schedules of the HTTP API on both backends: create or replace (PUT), list, read, pause,
// resume, trigger, delete; bad options and unknown names answered with their codes.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Rhythm } from "../../src/index.js";
import { startServer, type RunningServer } from "../../src/server/index.js";
import { backends, type TestDatabase } from "../support/database.js";
import { engine, type EngineFixture } from "../support/engine.js";
import { JSON_HEADERS, post, request } from "./support/http.js";

for (const backend of await backends()) {
  describe(`HTTP API schedules on ${backend.kind}`, () => {
    let db: TestDatabase;
    let f: EngineFixture;
    let rhythm: Rhythm;
    let server: RunningServer;
    let base: string;
    const reported: unknown[] = [];
    const put = (path: string, body: unknown) =>
      request(base, path, { method: "PUT", headers: JSON_HEADERS, body: JSON.stringify(body) });

    before(async () => {
      db = await backend.open();
      f = await engine(db, { report: "return Inputs.day;\n" });
      rhythm = f.rhythm;
      await rhythm.deploy(f.dir);
      server = await startServer(rhythm, { port: 0, token: null, maxBodyBytes: 64 * 1024, report: (e) => reported.push(e) });
      base = server.url;
    });
    after(async () => {
      await server.close();
      await f.close();
      await db.drop();
      assert.deepEqual(reported, []);
    });

    test("create, list, read, pause, resume, trigger, delete", async () => {
      const created = await put("/api/v1/schedules/weekly", {
        cron: "0 9 * * 1",
        timezone: "Europe/Paris",
        workflow: "report",
        inputs: { day: "monday" },
        overlap: "allow",
      });
      assert.equal(created.status, 200, created.text);
      assert.equal(created.json.workflow, "report");
      assert.equal(created.json.overlap, "allow");
      // Monday 09:00 in Paris: 07:00 or 08:00 UTC
      assert.equal(new Date(created.json.nextFireAt).getUTCDay(), 1);
      const list = await request(base, "/api/v1/schedules");
      assert.deepEqual(
        list.json.schedules.map((s: { name: string }) => s.name),
        ["weekly"],
      );
      assert.equal((await request(base, "/api/v1/schedules/weekly")).json.nextFireAt, created.json.nextFireAt);
      const paused = await post(base, "/api/v1/schedules/weekly/pause");
      assert.equal(paused.json.paused, true);
      assert.equal(paused.json.nextFireAt, null);
      assert.equal((await post(base, "/api/v1/schedules/weekly/resume")).json.paused, false);
      const triggered = await post(base, "/api/v1/schedules/weekly/trigger");
      assert.equal(triggered.status, 201);
      const e = await request(base, `/api/v1/executions/${triggered.json.id}`);
      assert.equal(e.json.scheduleName, "weekly");
      assert.deepEqual(e.json.inputs, { day: "monday" });
      const del = await request(base, "/api/v1/schedules/weekly", { method: "DELETE", headers: JSON_HEADERS });
      assert.equal(del.status, 200);
      assert.deepEqual((await request(base, "/api/v1/schedules")).json.schedules, []);
    });

    test("bad options, unknown fields and unknown names", async () => {
      const cases: [unknown, number, string][] = [
        [{ cron: "bad", task: "t" }, 400, "INVALID_ARGUMENT"],
        [{ cron: "* * * * *", task: "t", every: 5 }, 400, "INVALID_ARGUMENT"],
        [{ cron: "* * * * *", workflow: "absent" }, 404, "WORKFLOW_NOT_FOUND"],
        [[1], 400, "INVALID_ARGUMENT"],
      ];
      for (const [body, status, code] of cases) {
        const r = await put("/api/v1/schedules/x", body);
        assert.equal(r.status, status, r.text);
        assert.equal(r.json.error.code, code);
      }
      for (const r of [
        await request(base, "/api/v1/schedules/none"),
        await post(base, "/api/v1/schedules/none/trigger"),
        await post(base, "/api/v1/schedules/none/pause"),
        await request(base, "/api/v1/schedules/none", { method: "DELETE", headers: JSON_HEADERS }),
      ]) {
        assert.equal(r.status, 404, r.text);
        assert.equal(r.json.error.code, "SCHEDULE_NOT_FOUND");
      }
      // an action from another site is refused
      const cross = await request(base, "/api/v1/schedules/x", {
        method: "PUT",
        headers: { ...JSON_HEADERS, Origin: "https://evil.example" },
        body: JSON.stringify({ cron: "* * * * *", task: "t" }),
      });
      assert.equal(cross.status, 403);
      assert.deepEqual((await request(base, "/api/v1/schedules")).json.schedules, []);
    });
  });
}
