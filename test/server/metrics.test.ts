// GET /metrics (docs/telemetry.md) on both backends: Prometheus text with HELP and TYPE lines,
// queue depths and counts by status from the database, this process's workers' counters and
// histograms; the same guard as the API (a token when there is one, loopback Host names without).
// The text writer's escaping and histogram rules against the exposition format.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { NonRetryableError } from "../../src/index.js";
import { startServer, type RunningServer } from "../../src/server/index.js";
import { Exposition, formatValue } from "../../src/server/prometheus.js";
import { backends, type TestDatabase } from "../support/database.js";
import { engine, type EngineFixture } from "../support/engine.js";
import { untilStatus } from "../engine/support/until.js";
import { request } from "./support/http.js";

const FLOWS = { twice: `const a = await Task.run("echo", { n: 1 }); return await Task.run("echo", { n: a.n + 1 });` };

/** The samples of an exposition: `name{labels}` → value. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

for (const backend of await backends()) {
  describe(`/metrics on ${backend.kind}`, () => {
    let db: TestDatabase;
    let f: EngineFixture;
    let server: RunningServer;
    before(async () => {
      db = await backend.open();
      f = await engine(db, FLOWS);
      // the server first: this process's workers count from then on
      server = await startServer(f.rhythm, { port: 0, token: null });
      f.rhythm
        .task("echo", async (i: { n: number }) => i)
        .task("broken", async () => {
          throw new NonRetryableError("no");
        });
      await f.rhythm.worker({ pollIntervalMs: 100 }).start();
    });
    after(async () => {
      await server.close();
      await f.close();
      await db.drop();
    });

    test("queue depths, counts by status and this process's counters, as Prometheus text", async () => {
      // the counters are the process's (the other backend's suite ran in it too): compared with before
      const before = samples((await request(server.url, "/metrics")).text);
      const ok = await f.rhythm.startWorkflow("twice", {});
      const bad = await f.rhythm.queueTask("broken", {});
      await f.rhythm.wait(ok, { timeout: "10s" });
      await untilStatus(f.rhythm, bad, "failed");
      // waiting on a queue no worker serves: 2 ready, 1 due later
      await f.rhythm.queueTasks("nobody", [{}, {}], { queue: "idle" });
      await f.rhythm.queueTask("nobody", {}, { queue: "idle", delay: "1h" });

      const r = await request(server.url, "/metrics");
      assert.equal(r.status, 200);
      assert.equal(r.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
      const lines = r.text.split("\n");
      // every family is described once, before its samples
      for (const family of [
        "rhythm_queue_depth gauge",
        "rhythm_executions gauge",
        "rhythm_executions_started_total counter",
        "rhythm_executions_finished_total counter",
        "rhythm_task_attempt_duration_seconds histogram",
        "rhythm_claim_latency_seconds histogram",
      ]) {
        const name = family.split(" ")[0];
        const type = lines.indexOf(`# TYPE ${family}`);
        assert.ok(type > 0 && lines[type - 1].startsWith(`# HELP ${name} `), family);
        assert.equal(lines.filter((l) => l.startsWith(`# TYPE ${name} `)).length, 1);
        const first = lines.findIndex((l) => l.startsWith(name) && !l.startsWith("#"));
        assert.ok(first > type, `${name}'s samples follow its TYPE line`);
      }

      const s = samples(r.text);
      const delta = (k: string) => (s.get(k) ?? 0) - (before.get(k) ?? 0);
      assert.equal(s.get('rhythm_queue_depth{queue="idle",kind="task",name="nobody",state="ready"}'), 2);
      assert.equal(s.get('rhythm_queue_depth{queue="idle",kind="task",name="nobody",state="later"}'), 1);
      assert.ok((s.get('rhythm_queue_oldest_ready_age_seconds{queue="idle"}') ?? -1) >= 0);
      assert.equal(s.get('rhythm_executions{status="completed"}'), 3);
      assert.equal(s.get('rhythm_executions{status="failed"}'), 1);
      assert.equal(s.get('rhythm_executions{status="queued"}'), 3);
      assert.equal(delta('rhythm_executions_started_total{kind="task",name="echo"}'), 2);
      assert.equal(delta('rhythm_executions_started_total{kind="workflow",name="twice"}'), 1);
      assert.equal(delta('rhythm_executions_finished_total{kind="workflow",name="twice",status="completed"}'), 1);
      assert.equal(delta('rhythm_executions_finished_total{kind="task",name="broken",status="failed"}'), 1);
      // a histogram's buckets are cumulative and end at +Inf with its count
      const echo = 'name="echo",outcome="completed"';
      assert.equal(delta(`rhythm_task_attempt_duration_seconds_count{${echo}}`), 2);
      assert.equal(delta(`rhythm_task_attempt_duration_seconds_bucket{${echo},le="+Inf"}`), 2);
      const buckets = [...s]
        .filter(([k]) => k.startsWith(`rhythm_task_attempt_duration_seconds_bucket{${echo}`))
        .map(([, v]) => v);
      assert.deepEqual(
        buckets,
        [...buckets].sort((a, b) => a - b),
      );
      assert.ok((s.get(`rhythm_task_attempt_duration_seconds_sum{${echo}}`) ?? -1) >= 0);
      assert.ok(delta('rhythm_claim_latency_seconds_count{queue="default",kind="workflow"}') >= 1);
    });

    test("without a token, only requests to localhost are answered", async () => {
      const r = await request(server.url, "/metrics", { headers: { Host: "attacker.example" } });
      assert.equal(r.status, 403);
    });
  });
}

describe("/metrics with a token", () => {
  let db: TestDatabase;
  let f: EngineFixture;
  let server: RunningServer;
  const token = "metrics-token-for-tests-0123456789";
  before(async () => {
    db = await (await backends())[0].open();
    f = await engine(db, {});
    server = await startServer(f.rhythm, { host: "127.0.0.1", port: 0, token });
  });
  after(async () => {
    await server.close();
    await f.close();
    await db.drop();
  });

  test("needs the bearer token, as the API does", async () => {
    assert.equal((await request(server.url, "/metrics")).status, 401);
    assert.equal(
      (await request(server.url, "/metrics", { headers: { Authorization: "Bearer wrong-token-0123456789" } })).status,
      403,
    );
    const r = await request(server.url, "/metrics", { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(r.status, 200);
    assert.match(r.text, /^# HELP rhythm_queue_depth /);
  });
});

describe("the Prometheus text writer", () => {
  test("escapes label values and HELP text, and spells special values", () => {
    const text = new Exposition()
      .scalar("x_total", "counter", 'a \\ b\nc "d"', [{ labels: { q: 'say "hi"\\now\nthen' }, value: 1.5 }])
      .text();
    assert.equal(
      text,
      ['# HELP x_total a \\\\ b\\nc "d"', "# TYPE x_total counter", 'x_total{q="say \\"hi\\"\\\\now\\nthen"} 1.5', ""].join("\n"),
    );
    assert.deepEqual([Infinity, -Infinity, NaN, 0.25].map(formatValue), ["+Inf", "-Inf", "NaN", "0.25"]);
  });

  test("writes histograms as cumulative buckets, +Inf, sum and count", () => {
    const text = new Exposition()
      .histogram("h_seconds", "h", [{ labels: { a: "1" }, value: { bounds: [0.1, 1], counts: [2, 1, 3], sum: 9.5, count: 6 } }])
      .text();
    assert.deepEqual(text.split("\n").slice(2, -1), [
      'h_seconds_bucket{a="1",le="0.1"} 2',
      'h_seconds_bucket{a="1",le="1"} 3',
      'h_seconds_bucket{a="1",le="+Inf"} 6',
      'h_seconds_sum{a="1"} 9.5',
      'h_seconds_count{a="1"} 6',
    ]);
  });

  test("refuses names the format does not allow, and a family written twice", () => {
    assert.throws(() => new Exposition().scalar("bad-name", "gauge", "h", []), /invalid Prometheus metric name/);
    assert.throws(() => new Exposition().scalar("ok", "gauge", "h", [{ labels: { "bad-label": "x" }, value: 1 }]), /label name/);
    assert.throws(() => new Exposition().scalar("ok", "gauge", "h", []).scalar("ok", "gauge", "h", []), /twice/);
  });
});
