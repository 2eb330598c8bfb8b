// The HTTP API (SPEC §7, docs/http-api.md) through a real server on both backends: every
// endpoint, errors as { error: { code, message } } with fitting statuses, bad input (unknown
// ids, bad JSON, huge bodies, wrong content type, unknown fields), actions refused from other
// sites, the OpenAPI document held to the routes, and live events.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { NonRetryableError, type Rhythm } from "../../src/index.js";
import { createApp, startServer, type RunningServer } from "../../src/server/index.js";
import { OPENAPI } from "../../src/server/openapi.js";
import { backends, type TestDatabase } from "../support/database.js";
import { engine, type EngineFixture } from "../support/engine.js";
import { until, untilStatus } from "../engine/support/until.js";
import { events, post, request } from "./support/http.js";

const FLOWS = {
  wait_signal: `
const order = { id: Inputs.orderId, items: Inputs.items };
console.log("waiting for approval of " + order.id);
const decision = await Signal.next("approval");
return { order: order.id, decision };
`,
  steps: `
const a = await Task.run("echo", { n: 1 });
Task.run("echo", { n: 2 });
const t = Timer.delay("1h");
const s = Signal.when("poke", { timeout: "2h" });
const blocked = await Task.run("nobody-runs-this", { n: 3 });
return [a, blocked];
`,
  quick: `return Inputs.x ?? 1;`,
  catches: `
try { await Task.run("always-fails", {}); } catch (e) { return "caught"; }
`,
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MISSING = "00000000-0000-4000-8000-000000000000";

for (const backend of await backends()) {
  describe(`HTTP API on ${backend.kind}`, () => {
    let db: TestDatabase;
    let f: EngineFixture;
    let rhythm: Rhythm;
    let server: RunningServer;
    let base: string;
    const reported: unknown[] = [];

    before(async () => {
      db = await backend.open();
      f = await engine(db, FLOWS);
      rhythm = f.rhythm;
      rhythm.task("echo", async (i) => i);
      rhythm.task("always-fails", async () => {
        throw new NonRetryableError("no luck <b>today</b>");
      });
      let fails = 0;
      rhythm.task(
        "flaky",
        async () => {
          fails++;
          if (fails <= 2) throw new Error(`failure ${fails}`);
          return "third time";
        },
        { retries: 1, timeout: "5s" },
      );
      await rhythm.worker({ pollIntervalMs: 50 }).start();
      await rhythm.throughput();
      server = await startServer(rhythm, { port: 0, token: null, maxBodyBytes: 64 * 1024, report: (e) => reported.push(e) });
      base = server.url;
    });
    after(async () => {
      await server.close();
      await f.close();
      await db.drop();
      assert.deepEqual(reported, [], "no unexpected error reached the server's log");
    });

    test("the OpenAPI document lists exactly the routes the server has", async () => {
      const r = await request(base, "/api/v1/openapi.json");
      assert.equal(r.status, 200);
      assert.equal(r.json.openapi, "3.1.0");
      const documented = new Set<string>();
      for (const [path, methods] of Object.entries(r.json.paths as Record<string, object>))
        for (const method of Object.keys(methods))
          documented.add(`${method.toUpperCase()} /api/v1${path.replace(/\{(\w+)\}/g, ":$1")}`);
      const { app } = createApp(rhythm, { token: null, maxBodyBytes: 1024, report: () => {} });
      const routed = new Set(
        app.routes.filter((x) => x.path.startsWith("/api/v1/") && x.method !== "ALL").map((x) => `${x.method} ${x.path}`),
      );
      assert.deepEqual([...documented].sort(), [...routed].sort());
      // every error answer it documents has the one error shape
      assert.ok(r.json.components.schemas.Error.properties.error.required.includes("code"));
      assert.deepEqual(OPENAPI.servers, [{ url: "/api/v1" }]);
    });

    test("POST /workflows/{name} starts a workflow; GET /executions/{id} reads it", async () => {
      const r = await post(base, "/api/v1/workflows/quick", { inputs: { x: 41 }, options: { queue: "default", priority: 2 } });
      assert.equal(r.status, 201, r.text);
      assert.match(r.json.id, UUID);
      await untilStatus(rhythm, r.json.id, "completed");
      const g = await request(base, `/api/v1/executions/${r.json.id}`);
      assert.equal(g.status, 200);
      assert.equal(g.json.name, "quick");
      assert.equal(g.json.output, 41);
      assert.equal(g.json.priority, 2);
      assert.match(g.headers["content-type"] as string, /^application\/json/);
      // an empty body starts it with {}
      const empty = await request(base, "/api/v1/workflows/quick", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
      });
      assert.equal(empty.status, 201);
      assert.deepEqual((await rhythm.get(empty.json.id))!.inputs, {});
    });

    test("starting refuses unknown workflows, bad inputs and unknown options, writing nothing", async () => {
      const before = (await rhythm.list({ limit: 1000 })).length;
      const cases: [unknown, number, string, RegExp][] = [
        [{ inputs: {} }, 404, "WORKFLOW_NOT_FOUND", /no workflow named "nope"/],
        [{ inputs: [1, 2] }, 400, "INVALID_ARGUMENT", /inputs must be an object/],
        [{ inputs: {}, options: { queue: "" } }, 400, "INVALID_ARGUMENT", /queue must be a non-empty string/],
        [{ inputs: {}, options: { priorty: 1 } }, 400, "INVALID_ARGUMENT", /unknown option "priorty"/],
        [{ inputs: {}, options: { retries: 2 } }, 400, "INVALID_ARGUMENT", /unknown option "retries"/],
        [{ input: {} }, 400, "INVALID_ARGUMENT", /unknown field "input"/],
        [[1], 400, "INVALID_ARGUMENT", /the body must be an object/],
        [{ inputs: {}, options: { delay: "soon" } }, 400, "INVALID_ARGUMENT", /delay/],
      ];
      for (const [body, status, code, message] of cases) {
        const name = status === 404 ? "nope" : "quick";
        const r = await post(base, `/api/v1/workflows/${name}`, body);
        assert.equal(r.status, status, `${JSON.stringify(body)}: ${r.text}`);
        assert.equal(r.json.error.code, code);
        assert.match(r.json.error.message, message);
      }
      assert.equal((await rhythm.list({ limit: 1000 })).length, before);
    });

    test("bad JSON is a 400 that says why; a body over the limit is a 413", async () => {
      const bad = await request(base, "/api/v1/workflows/quick", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: '{"inputs": {"x": 1,}}',
      });
      assert.equal(bad.status, 400);
      assert.equal(bad.json.error.code, "INVALID_ARGUMENT");
      assert.match(bad.json.error.message, /^the request body is not valid JSON: /);
      const huge = await post(base, "/api/v1/workflows/quick", { inputs: { blob: "x".repeat(100 * 1024) } });
      assert.equal(huge.status, 413);
      assert.deepEqual(huge.json.error, {
        code: "PAYLOAD_TOO_LARGE",
        message: "the request body is over the limit of 65536 bytes",
      });
      // the same, sent without a Content-Length (chunked)
      const chunked = await request(base, "/api/v1/workflows/quick", {
        method: "POST",
        headers: { "Content-Type": "application/json", "Transfer-Encoding": "chunked" },
        body: JSON.stringify({ inputs: { blob: "y".repeat(100 * 1024) } }),
      });
      assert.equal(chunked.status, 413);
    });

    test("actions must be JSON and come from this server: forms and other sites are refused", async () => {
      const form = await request(base, "/api/v1/workflows/quick", {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: "https://evil.example" },
        body: "inputs=1",
      });
      assert.equal(form.status, 415);
      assert.equal(form.json.error.code, "UNSUPPORTED_MEDIA_TYPE");
      const plain = await request(base, "/api/v1/workflows/quick", {
        method: "POST",
        headers: { "Content-Type": "text/plain" },
        body: "{}",
      });
      assert.equal(plain.status, 415);
      const none = await request(base, "/api/v1/workflows/quick", { method: "POST", body: "{}" });
      assert.equal(none.status, 415);
      assert.match(none.json.error.message, /Content-Type: application\/json \(got none\)/);
      const origin = await post(base, "/api/v1/workflows/quick", {}, { Origin: "https://evil.example" });
      assert.equal(origin.status, 403);
      assert.equal(origin.json.error.code, "FORBIDDEN");
      const nullOrigin = await post(base, "/api/v1/workflows/quick", {}, { Origin: "null" });
      assert.equal(nullOrigin.status, 403);
      const site = await post(base, "/api/v1/workflows/quick", {}, { "Sec-Fetch-Site": "cross-site" });
      assert.equal(site.status, 403);
      const sameSite = await post(base, "/api/v1/workflows/quick", {}, { "Sec-Fetch-Site": "same-site" });
      assert.equal(sameSite.status, 403);
      // what the dashboard's own page sends
      const own = await post(
        base,
        "/api/v1/workflows/quick",
        {},
        { Origin: base.replace(/\/$/, ""), "Sec-Fetch-Site": "same-origin" },
      );
      assert.equal(own.status, 201, own.text);
    });

    test("a request naming another host is refused when there is no token (DNS rebinding)", async () => {
      const r = await request(base, "/api/v1/executions", { headers: { Host: "attacker.example:80" } });
      assert.equal(r.status, 403);
      assert.match(r.json.error.message, /only requests to localhost/);
      const page = await request(base, "/", { headers: { Host: "attacker.example" } });
      assert.equal(page.status, 403);
      const local = await request(base, "/api/v1/counts", { headers: { Host: `localhost:${server.port}` } });
      assert.equal(local.status, 200);
    });

    test("POST /tasks/{name} queues a task with its options; an unregistered name waits", async () => {
      const r = await post(base, "/api/v1/tasks/echo", { inputs: { hello: "there" }, options: { retries: 0, timeout: "10s" } });
      assert.equal(r.status, 201, r.text);
      const done = await rhythm.wait(r.json.id, { timeout: "10s" });
      assert.deepEqual(done.output, { hello: "there" });
      const later = await post(base, "/api/v1/tasks/not-registered-anywhere", { inputs: 7 });
      assert.equal(later.status, 201);
      const got = await request(base, `/api/v1/executions/${later.json.id}`);
      assert.equal(got.json.status, "queued");
      assert.match(got.json.blocked, /no running worker registers task "not-registered-anywhere"/);
      const bad = await post(base, "/api/v1/tasks/echo", { options: { retries: -1 } });
      assert.equal(bad.status, 400);
    });

    test("unknown and malformed ids are 404s", async () => {
      for (const path of [
        `/api/v1/executions/${MISSING}`,
        "/api/v1/executions/not-an-id",
        `/api/v1/executions/${MISSING}/timeline`,
        `/api/v1/executions/${MISSING}/logs`,
      ]) {
        const r = await request(base, path);
        assert.equal(r.status, 404, path);
        assert.equal(r.json.error.code, "EXECUTION_NOT_FOUND", path);
      }
      for (const path of ["signals/x", "cancel", "retry"]) {
        const r = await post(base, `/api/v1/executions/${MISSING}/${path}`, {});
        assert.equal(r.status, 404, path);
        assert.equal(r.json.error.code, "EXECUTION_NOT_FOUND");
      }
      const route = await request(base, "/api/v1/nothing-here");
      assert.equal(route.status, 404);
      assert.equal(route.json.error.code, "NOT_FOUND");
    });

    test("a signal sent over HTTP resumes a workflow; signalling what cannot take it is a 409", async () => {
      const { json } = await post(base, "/api/v1/workflows/wait_signal", { inputs: { orderId: "A-1", items: ["mug"] } });
      await untilStatus(rhythm, json.id, "suspended");
      const sent = await post(base, `/api/v1/executions/${json.id}/signals/approval`, { approved: true, by: "ada" });
      assert.equal(sent.status, 200, sent.text);
      assert.deepEqual(sent.json, { sent: true });
      const done = await rhythm.wait(json.id, { timeout: "10s" });
      assert.deepEqual(done.output, { order: "A-1", decision: { approved: true, by: "ada" } });
      const finished = await post(base, `/api/v1/executions/${json.id}/signals/approval`, null);
      assert.equal(finished.status, 409);
      assert.equal(finished.json.error.code, "EXECUTION_FINISHED");
      const task = await post(base, "/api/v1/tasks/echo", { inputs: 1 });
      const toTask = await post(base, `/api/v1/executions/${task.json.id}/signals/x`, 1);
      assert.equal(toTask.status, 409);
      assert.equal(toTask.json.error.code, "NOT_A_WORKFLOW");
      // an empty body is a null payload
      const second = await post(base, "/api/v1/workflows/wait_signal", { inputs: { orderId: "A-2", items: [] } });
      await untilStatus(rhythm, second.json.id, "suspended");
      const empty = await request(base, `/api/v1/executions/${second.json.id}/signals/approval`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
      });
      assert.equal(empty.status, 200);
      assert.deepEqual((await rhythm.wait(second.json.id, { timeout: "10s" })).output, { order: "A-2", decision: null });
    });

    test("POST cancel cancels a live execution, again is fine, a finished one is a 409", async () => {
      const { json } = await post(base, "/api/v1/workflows/wait_signal", { inputs: { orderId: "C", items: [] } });
      await untilStatus(rhythm, json.id, "suspended");
      const r = await post(base, `/api/v1/executions/${json.id}/cancel`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.status, "cancelled");
      assert.equal((await post(base, `/api/v1/executions/${json.id}/cancel`)).status, 200);
      const done = await post(base, "/api/v1/workflows/quick", {});
      await untilStatus(rhythm, done.json.id, "completed");
      const late = await post(base, `/api/v1/executions/${done.json.id}/cancel`);
      assert.equal(late.status, 409);
      assert.equal(late.json.error.code, "EXECUTION_FINISHED");
    });

    test("POST retry queues a failed standalone task for one more attempt, keeping its errors", async () => {
      const { json } = await post(base, "/api/v1/tasks/flaky", {});
      const failed = await untilStatus(rhythm, json.id, "failed");
      assert.equal(failed.attempt, 2);
      const r = await post(base, `/api/v1/executions/${json.id}/retry`);
      assert.equal(r.status, 200, r.text);
      // (a worker may have claimed it already)
      assert.ok(["queued", "running", "completed"].includes(r.json.status), r.json.status);
      assert.equal(r.json.error, null);
      const done = await rhythm.wait(json.id, { timeout: "10s" });
      assert.equal(done.status, "completed");
      assert.equal(done.output, "third time");
      assert.equal(done.attempt, 3);
      assert.deepEqual(
        (done.errors as { message: string }[]).map((e) => e.message),
        ["failure 1", "failure 2"],
      );
      const again = await post(base, `/api/v1/executions/${json.id}/retry`);
      assert.equal(again.status, 409);
      assert.equal(again.json.error.code, "RETRY_REFUSED");
      assert.match(again.json.error.message, /it is completed; only a failed task can be retried/);
      // a task a workflow started: the workflow was told of the failure already
      const wf = await post(base, "/api/v1/workflows/catches", {});
      await untilStatus(rhythm, wf.json.id, "completed");
      const [child] = await rhythm.list({ parentId: wf.json.id });
      const refused = await post(base, `/api/v1/executions/${child.id}/retry`);
      assert.equal(refused.status, 409);
      assert.match(refused.json.error.message, /has already been told of its failure/);
      const workflow = await post(base, `/api/v1/executions/${wf.json.id}/retry`);
      assert.equal(workflow.status, 409);
      // (a workflow is retried from its failed await: test/server/operations-api.test.ts)
      assert.match(workflow.json.error.message, /it is completed; only a failed execution can be retried/);
    });

    test("GET /executions filters, pages by keyset, and refuses bad filters", async () => {
      const ids: string[] = [];
      for (let n = 0; n < 5; n++)
        ids.push((await post(base, "/api/v1/tasks/page-me", { inputs: n, options: { queue: "paging" } })).json.id);
      const first = await request(base, "/api/v1/executions?queue=paging&limit=2");
      assert.equal(first.status, 200);
      assert.deepEqual(
        first.json.executions.map((e: { id: string }) => e.id),
        [ids[4], ids[3]],
      );
      assert.equal(first.json.next, ids[3]);
      const second = await request(base, `/api/v1/executions?queue=paging&limit=2&after=${first.json.next}`);
      assert.deepEqual(
        second.json.executions.map((e: { id: string }) => e.id),
        [ids[2], ids[1]],
      );
      const last = await request(base, `/api/v1/executions?queue=paging&limit=2&after=${second.json.next}`);
      assert.deepEqual(
        last.json.executions.map((e: { id: string }) => e.id),
        [ids[0]],
      );
      assert.equal(last.json.next, null);
      const byStatus = await request(base, "/api/v1/executions?status=queued&queue=paging&kind=task&name=page-me&limit=10");
      assert.equal(byStatus.json.executions.length, 5);
      const deep = await request(base, `/api/v1/executions?status=queued&queue=paging&limit=10&after=${ids[2]}`);
      assert.deepEqual(
        deep.json.executions.map((e: { id: string }) => e.id),
        [ids[1], ids[0]],
      );
      const prefix = await request(base, `/api/v1/executions?idPrefix=${ids[0].slice(0, 13)}`);
      assert.deepEqual(
        prefix.json.executions.map((e: { id: string }) => e.id),
        [ids[0]],
      );
      for (const [query, message] of [
        ["status=stuck", /status must be one of/],
        ["kind=job", /kind must be "workflow" or "task"/],
        ["limit=0", /limit must be an integer from 1 to 1000/],
        ["limit=5000", /limit must be an integer/],
        ["after=last", /after must be the id of an execution/],
        ["parent=x", /parentId must be the id of an execution/],
        ["stauts=queued", /unknown query parameter "stauts"/],
        ["idPrefix=ab", /at least 4 hex digits/],
        ["idPrefix=abcd&status=queued", /idPrefix goes with limit only/],
        ["topLevel=yes", /topLevel must be true or false/],
      ] as const) {
        const r = await request(base, `/api/v1/executions?${query}`);
        assert.equal(r.status, 400, query);
        assert.equal(r.json.error.code, "INVALID_ARGUMENT");
        assert.match(r.json.error.message, message, query);
      }
    });

    test("a workflow's timeline, children and log; topLevel and parent lists", async () => {
      const { json } = await post(base, "/api/v1/workflows/steps", {});
      const e = await until("the workflow to wait on its blocked task", async () => {
        const x = await rhythm.get(json.id);
        return x?.status === "suspended" && x.blocked ? x : undefined;
      });
      const unknown = await post(base, `/api/v1/executions/${json.id}/signals/other`, { buffered: true });
      assert.equal(unknown.status, 400);
      assert.equal(unknown.json.error.code, "UNKNOWN_SIGNAL");
      assert.match(unknown.json.error.message, /never waits on a signal named "other": it waits on "poke"/);
      const forced = await post(base, `/api/v1/executions/${json.id}/signals/other?force=true`, { buffered: true });
      assert.equal(forced.status, 200, forced.text);
      const t = await request(base, `/api/v1/executions/${json.id}/timeline`);
      assert.equal(t.status, 200);
      assert.deepEqual(
        t.json.children.map((c: { name: string; status: string }) => c.name),
        ["echo", "echo", "nobody-runs-this"],
      );
      assert.equal(t.json.childCount, 3);
      const echo = t.json.children[0];
      assert.equal(echo.status, "completed");
      assert.equal(echo.inputs, '{"n":1}');
      assert.equal(echo.attempt, 1);
      assert.deepEqual(t.json.signalWaits, [{ name: "poke" }]);
      // its timers and buffered signals come with the execution
      const got = await request(base, `/api/v1/executions/${json.id}`);
      assert.deepEqual(got.json.timers.map((x: { kind: string }) => x.kind).sort(), ["signal-timeout", "timer"]);
      assert.deepEqual(
        got.json.bufferedSignals.map((s: { name: string; payload: unknown }) => [s.name, s.payload]),
        [["other", { buffered: true }]],
      );
      assert.match(e.blocked!, /its task "nobody-runs-this"/);
      const children = await request(base, `/api/v1/executions?parent=${json.id}`);
      assert.equal(children.json.executions.length, 3);
      const top = await request(base, "/api/v1/executions?topLevel=true&limit=1000");
      assert.ok(top.json.executions.every((x: { parentId: string | null }) => x.parentId === null));
      assert.ok(top.json.executions.some((x: { id: string }) => x.id === json.id));
      const logged = await post(base, "/api/v1/workflows/wait_signal", { inputs: { orderId: "L-1", items: [] } });
      await untilStatus(rhythm, logged.json.id, "suspended");
      const logs = await request(base, `/api/v1/executions/${logged.json.id}/logs`);
      assert.equal(logs.status, 200);
      assert.deepEqual(
        logs.json.logs.map((l: { message: string; line: number }) => [l.message, l.line]),
        [["waiting for approval of L-1", 3]],
      );
      const tl = await request(base, `/api/v1/executions/${logged.json.id}/timeline`);
      assert.deepEqual(
        tl.json.logs.map((l: { message: string; executionId: string }) => [l.message, l.executionId]),
        [["waiting for approval of L-1", logged.json.id]],
      );
    });

    test("queues, workers, counts, workflows and their versions", async () => {
      await post(base, "/api/v1/tasks/no-worker-queue-task", { options: { queue: "nobody-serves-this" } });
      const q = await request(base, "/api/v1/queues");
      assert.equal(q.status, 200);
      const lonely = q.json.queues.find((x: { queue: string }) => x.queue === "nobody-serves-this");
      assert.equal(lonely.ready, 1);
      assert.deepEqual(lonely.workers, []);
      assert.equal(lonely.groups[0].blocked, 'no running worker serves queue "nobody-serves-this"');
      const def = q.json.queues.find((x: { queue: string }) => x.queue === "default");
      assert.equal(def.workers.length, 1);
      assert.ok(typeof q.json.throughput.seconds === "number");
      const w = await request(base, "/api/v1/workers");
      assert.equal(w.json.workers.length, 1);
      assert.ok(w.json.workers[0].tasks.includes("echo"));
      const c = await request(base, "/api/v1/counts");
      assert.deepEqual(Object.keys(c.json).sort(), ["queued", "running", "suspended"]);
      assert.ok(c.json.queued >= 1);
      const wf = await request(base, "/api/v1/workflows");
      const quick = wf.json.workflows.find((x: { name: string }) => x.name === "quick");
      assert.equal(quick.versions.length, 1);
      const src = await request(base, `/api/v1/workflows/quick/versions/${quick.versions[0].version}`);
      assert.equal(src.status, 200);
      assert.equal(src.json.source, FLOWS.quick);
      const missing = await request(base, `/api/v1/workflows/quick/versions/${"0".repeat(64)}`);
      assert.equal(missing.status, 404);
      assert.equal(missing.json.error.code, "VERSION_NOT_FOUND");
      const bad = await request(base, "/api/v1/workflows/quick/versions/abc");
      assert.equal(bad.status, 400);
    });

    test("throughput counts what finished while the server watched, by queue and status", async () => {
      const ids = await Promise.all(
        [1, 2, 3].map((n) => post(base, "/api/v1/tasks/echo", { inputs: n, options: { queue: "default" } })),
      );
      await Promise.all(ids.map((r) => rhythm.wait(r.json.id, { timeout: "10s" })));
      await until("three completions counted", async () => {
        const q = await request(base, "/api/v1/queues");
        const d = q.json.throughput.queues.find((x: { queue: string }) => x.queue === "default");
        return d && d.completed >= 3;
      });
    });

    test("GET inspect reads a paused workflow's stacks, variables and awaits; what has no state is a 409", async () => {
      const { json } = await post(base, "/api/v1/workflows/wait_signal", { inputs: { orderId: "I-1", items: ["mug", "tote"] } });
      await untilStatus(rhythm, json.id, "suspended");
      const r = await request(base, `/api/v1/executions/${json.id}/inspect`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.id, json.id);
      assert.equal(r.json.name, "wait_signal");
      assert.equal(r.json.status, "suspended");
      const [frame] = r.json.stack;
      assert.equal(frame.function, "main");
      assert.equal(frame.line, 4);
      assert.deepEqual(frame.variables.order, { id: "I-1", items: ["mug", "tote"] });
      assert.deepEqual(
        r.json.awaiting.map((a: { kind: string; name: string }) => [a.kind, a.name]),
        [["signal", "approval"]],
      );
      await rhythm.signal(json.id, "approval", true);
      await untilStatus(rhythm, json.id, "completed");
      const done = await request(base, `/api/v1/executions/${json.id}/inspect`);
      assert.equal(done.status, 409);
      assert.equal(done.json.error.code, "NOTHING_TO_INSPECT");
      const task = await post(base, "/api/v1/tasks/echo", { inputs: 1 });
      const notWorkflow = await request(base, `/api/v1/executions/${task.json.id}/inspect`);
      assert.equal(notWorkflow.status, 409);
      assert.equal(notWorkflow.json.error.code, "NOT_A_WORKFLOW");
      const missing = await request(base, `/api/v1/executions/${MISSING}/inspect`);
      assert.equal(missing.status, 404);
    });

    test("live events: ready, then a change when work is queued or finishes", async () => {
      const stream = events(base);
      try {
        await stream.next("ready");
        const { json } = await post(base, "/api/v1/workflows/quick", {});
        let seen: { ids: string[]; queues: string[]; settle: boolean } | null = null;
        for (let n = 0; n < 10 && !seen; n++) {
          const change = JSON.parse(await stream.next("change"));
          assert.ok(Array.isArray(change.ids) && Array.isArray(change.queues));
          if (change.ids.includes(json.id)) seen = change;
        }
        assert.ok(seen, "a change named the execution that finished");
        assert.equal(seen.settle, false);
      } finally {
        stream.close();
      }
    });

    test("every answer carries the security headers; the page has a strict CSP", async () => {
      const page = await request(base, "/executions/whatever");
      assert.equal(page.status, 200);
      const csp = page.headers["content-security-policy"] as string;
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      assert.equal(page.headers["x-content-type-options"], "nosniff");
      assert.match(page.text, /<script type="module" src="\/assets\/app\.js\?v=/);
      assert.doesNotMatch(page.text, /<script>|\son[a-z]+=/);
      const js = await request(base, "/assets/app.js");
      assert.equal(js.status, 200);
      assert.match(js.headers["content-type"] as string, /^text\/javascript/);
      const cached = await request(base, "/assets/app.js", { headers: { "If-None-Match": js.headers.etag as string } });
      assert.equal(cached.status, 304);
      const error = await request(base, `/api/v1/executions/${MISSING}`);
      assert.match(error.headers["content-security-policy"] as string, /default-src 'none'/);
      assert.equal((await request(base, "/assets/../package.json")).status, 404);
    });
  });
}

describe("HTTP API with a token", () => {
  let db: TestDatabase;
  let f: EngineFixture;
  let server: RunningServer;
  const token = "s3cret-token-for-tests-0123456789";

  before(async () => {
    const [backend] = await backends();
    db = await backend.open();
    f = await engine(db, { quick: "return 1;" });
    await f.rhythm.deploy(f.dir);
    server = await startServer(f.rhythm, { host: "127.0.0.1", port: 0, token });
  });
  after(async () => {
    await server.close();
    await f.close();
    await db.drop();
  });

  test("every API request needs the bearer token; the page shell does not", async () => {
    const none = await request(server.url, "/api/v1/counts");
    assert.equal(none.status, 401);
    assert.equal(none.json.error.code, "UNAUTHENTICATED");
    const wrong = await request(server.url, "/api/v1/counts", { headers: { Authorization: "Bearer nope" } });
    assert.equal(wrong.status, 403);
    const right = await request(server.url, "/api/v1/counts", { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(right.status, 200);
    assert.equal(right.headers["cache-control"], "no-store");
    const start = await post(server.url, "/api/v1/workflows/quick", {}, { Authorization: `Bearer ${token}` });
    assert.equal(start.status, 201);
    const noTokenStart = await post(server.url, "/api/v1/workflows/quick", {});
    assert.equal(noTokenStart.status, 401);
    const page = await request(server.url, "/");
    assert.equal(page.status, 200);
    // with a token, the Host may be any name (the server may sit behind a proxy)
    const proxied = await request(server.url, "/api/v1/counts", {
      headers: { Host: "rhythm.internal", Authorization: `Bearer ${token}` },
    });
    assert.equal(proxied.status, 200);
  });

  test("bound to a non-loopback address it refuses to start without a token, or with a short one", async () => {
    await assert.rejects(startServer(f.rhythm, { host: "0.0.0.0", port: 0, token: null }), {
      code: "INVALID_ARGUMENT",
      message: /bound to 0\.0\.0\.0, which other machines can reach: set RHYTHM_API_TOKEN/,
    });
    await assert.rejects(startServer(f.rhythm, { host: "0.0.0.0", port: 0, token: "short" }), /at least 16 characters/);
    const open = await startServer(f.rhythm, { host: "0.0.0.0", port: 0, token });
    try {
      assert.equal(open.authenticated, true);
      assert.equal((await request(`http://127.0.0.1:${open.port}/`, "/api/v1/counts")).status, 401);
    } finally {
      await open.close();
    }
  });
});
