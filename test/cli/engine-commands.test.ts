// The engine commands of SPEC §5 through the built CLI, as separate processes the way a user runs
// them: migrate, deploy, a worker with a TypeScript tasks module, start/task --wait, signal, get,
// list, cancel, SIGTERM; then `rhythm dev` serving the embedded PGlite on 127.0.0.1 to the other
// commands of its folder. On a Postgres server when one answers, else through a `rhythm dev`.

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { networkInterfaces } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { migrations } from "../../src/store/migrate.js";
import { postgresAvailable, postgresDatabase, type TestDatabase } from "../support/database.js";
import { background, until, type Background } from "./background.js";
import { jsonDocument, rhythm, tempFolder, type CliResult } from "./cli-process.js";

// ── the project a user would have ───────────────────────────────────────────────────────────

const GREET = `const shouted = await Task.run("shout", { text: Inputs.name });
console.log("shouted", shouted);
const answer = await Signal.next("approve");
return { shouted, answer };
`;

const FILES = {
  "workflows/greet.flow": GREET,
  "workflows/simple.flow": 'const r = await Task.run("shout", { text: Inputs.name })\nreturn r + "!"\n',
  // TypeScript with types (tsx must load it); no package.json, so tsx compiles it as CommonJS
  "tasks.ts": `interface ShoutInputs { text: string }
const shout = async (inputs: ShoutInputs): Promise<string> => inputs.text.toUpperCase();
export default {
  shout,
  flaky: { handler: async (): Promise<never> => { throw new Error("always fails"); }, options: { retries: 0 } },
};
`,
  "broken/lonely.flow": "return 1\n",
  "broken/bad.flow": "return 1\nvar x = 2\n",
};

function json<T = Record<string, unknown>>(r: CliResult): T {
  return jsonDocument(r.stdout) as T;
}

function ok(r: CliResult, code = 0): CliResult {
  assert.equal(r.code, code, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

// `rhythm dev` creates a fresh embedded database first, which takes seconds: it starts now and its
// test (the last) finds it ready.
const devProject = tempFolder({ ...FILES, "package.json": '{ "type": "module" }\n' });
const devServer = background(["dev", "--tasks", "tasks.ts"], devProject.dir);

// ── the commands, on Postgres (or through rhythm dev when there is no server) ───────────────────

describe("engine commands", () => {
  const project = tempFolder(FILES);
  let db: TestDatabase | null = null;
  let dev: Background | null = null;
  let devHome: ReturnType<typeof tempFolder> | null = null;
  let url = "";
  let worker: Background;
  const cli = (...args: string[]) => rhythm([...args, "--database-url", url], project.dir);

  before(async () => {
    if (await postgresAvailable()) {
      db = await postgresDatabase();
      url = db.url!;
    } else {
      // No server: the embedded PGlite served by `rhythm dev` (in its own folder, running no
      // worker, so the worker under test is the only one and does all the work).
      const home = tempFolder();
      devHome = home;
      dev = background(["dev", "--no-worker"], home.dir);
      url = (await dev.waitFor(/served at (postgres:\/\/\S+);/, 40_000))[1];
    }
  });

  after(async () => {
    if (dev) assert.equal(await dev.stop(), 0);
    devHome?.remove();
    await db?.drop();
    project.remove();
  });

  test("migrate applies the schema once and says so", () => {
    const first = json(ok(cli("migrate", "--schema", "cli_migrate", "--json")));
    const versions = migrations().map((m) => m.version);
    const latest = versions[versions.length - 1];
    assert.deepEqual(first, { schema: "cli_migrate", applied: versions, version: latest });
    const again = ok(cli("migrate", "--schema", "cli_migrate"));
    assert.equal(again.stdout, `schema "cli_migrate" is up to date (version ${latest})\n`);
    assert.match(again.stderr, /^rhythm migrate: database postgres:\/\/.*127\.0\.0\.1/m);
    assert.equal(ok(cli("migrate", "--schema", "Bad-Name"), 2).stdout, "");
  });

  test("deploy stores nothing when a file does not load, then every version of a good folder", () => {
    const bad = ok(cli("deploy", "--workflows", "broken"), 2);
    assert.equal(
      bad.stderr
        .split("\n")
        .filter((l) => l.startsWith("broken/"))
        .join("\n"),
      "broken/bad.flow:2:1 `var` is not supported; use `let` or `const`",
    );
    const lonely = ok(cli("start", "lonely"), 1);
    assert.match(lonely.stderr, /rhythm start: no workflow named "lonely" is stored: .* \(WORKFLOW_NOT_FOUND\)\n/);

    const good = ok(cli("deploy"));
    assert.match(
      good.stdout,
      /^greet {3}[0-9a-f]{12} {2}workflows\/greet\.flow\nsimple {2}[0-9a-f]{12} {2}workflows\/simple\.flow\n$/,
    );
    const again = json<{ workflows: { name: string; version: string; file: string }[] }>(ok(cli("deploy", "--json")));
    assert.deepEqual(
      again.workflows.map((w) => [w.name, w.file, w.version.length]),
      [
        ["greet", "workflows/greet.flow", 64],
        ["simple", "workflows/simple.flow", 64],
      ],
    );
    assert.equal(ok(cli("deploy", "--workflows", "nowhere"), 2).stdout, "");
  });

  test("a worker with a TypeScript tasks module runs a workflow started with start --wait", async () => {
    worker = background(["worker", "--tasks", "tasks.ts", "--database-url", url], project.dir);
    await worker.waitFor(/serving queue\(s\) default with tasks shout, flaky/);
    const done = json(ok(cli("start", "simple", "--inputs", '{"name":"ada"}', "--wait", "--timeout", "20", "--json")));
    assert.equal(done.status, "completed");
    assert.equal(done.output, "ADA!");
    assert.equal(done.kind, "workflow");
    await worker.waitFor(/task shout \S+ attempt 1 completed in \d+ ms/);
    // for people: the id alone on stdout without --wait
    const id = ok(cli("start", "simple", "--inputs", '{"name":"bo"}')).stdout.trim();
    assert.match(id, /^[0-9a-f-]{36}$/);
  });

  test("task --wait prints the finished task; a failed one exits 1", () => {
    const done = json(ok(cli("task", "shout", "--inputs", '{"text":"hi"}', "--wait", "--timeout", "20s", "--json")));
    assert.deepEqual([done.kind, done.name, done.status, done.output], ["task", "shout", "completed", "HI"]);
    // no --retries: the worker applies the options it registered "flaky" with (retries: 0)
    const failed = ok(cli("task", "flaky", "--inputs", "{}", "--wait", "--timeout", "20"), 1);
    assert.match(failed.stdout, /^status +failed$/m);
    assert.match(failed.stdout, /^error +Error: always fails$/m);
    assert.match(failed.stdout, /^attempt 1 +Error: always fails$/m);
    assert.doesNotMatch(failed.stdout, /^attempt 2/m);
    const retried = json(ok(cli("task", "flaky", "--retries", "1", "--wait", "--timeout", "20", "--json"), 1));
    assert.equal((retried.errors as unknown[]).length, 2, "--retries given here wins over the registration");
  });

  test("start --idempotency-key: a second start queues nothing, and says which execution has the key", () => {
    const first = ok(cli("start", "simple", "--inputs", '{"name":"ida"}', "--idempotency-key", "order-9"));
    assert.match(first.stderr, /^rhythm start: queued workflow simple$/m);
    const id = first.stdout.trim();
    const again = ok(cli("start", "simple", "--inputs", '{"name":"ida"}', "--idempotency-key", "order-9"));
    assert.equal(again.stdout, `${id}\n`);
    assert.match(
      again.stderr,
      new RegExp(
        `^rhythm start: nothing queued: the idempotency key "order-9" is taken by workflow simple ${id}, returned instead$`,
        "m",
      ),
    );
    assert.doesNotMatch(again.stderr, /queued workflow/);
    assert.deepEqual(json(ok(cli("start", "simple", "--idempotency-key", "order-9", "--json"))), { id, created: false });
    const task = json(ok(cli("task", "shout", "--inputs", '{"text":"k"}', "--idempotency-key", "order-9", "--json")));
    assert.equal(task.created, true, "a task's keys are its own");
  });

  let waiting = "";

  test("get shows what a suspended workflow waits on, the line and its log; signal resumes it", async () => {
    waiting = ok(cli("start", "greet", "--inputs", '{"name":"cy"}')).stdout.trim();
    const suspended = await until("the workflow to wait on its signal", () => {
      const e = json<{ status: string; waitingOn?: { description: string; line: number; function: string }[] }>(
        ok(cli("get", waiting, "--json")),
      );
      return e.status === "suspended" ? e : null;
    });
    assert.deepEqual(
      suspended.waitingOn?.map((w) => [w.description, w.line, w.function]),
      [['signal "approve"', 3, "main"]],
    );
    const human = ok(cli("get", waiting)).stdout;
    assert.match(human, /^status +suspended$/m);
    assert.match(human, /^waiting on +signal "approve" at line 3:\d+ \(in main\)$/m);
    assert.match(human, /^ +3 \| const answer = await Signal\.next\("approve"\);$/m);
    assert.match(human, /^ +\S+ \[line 2\] shouted CY$/m);
    // what it started, with its status
    assert.match(
      human,
      /^started \(1\):\n +ID +KIND +NAME +STATUS +DUE \/ FINISHED\n +[0-9a-f-]{36} +task +shout +completed +\S+Z$/m,
    );
    const started = json<{ children: { id: string; name: string; status: string }[]; childCount: number }>(
      ok(cli("get", waiting, "--json")),
    );
    assert.deepEqual(
      started.children.map((c) => [c.name, c.status]),
      [["shout", "completed"]],
    );
    assert.deepEqual(
      json<{ id: string }[]>(ok(cli("list", "--parent", waiting, "--json"))).map((c) => c.id),
      [started.children[0].id],
    );
    assert.match(ok(cli("list", "--parent", "nope"), 2).stderr, /--parent must be an execution id, got "nope"/);

    // a name greet never waits on: refused, with the one it does; --force sends it anyway
    const typo = ok(cli("signal", waiting, "aprove"), 1);
    assert.match(
      typo.stderr,
      /^rhythm signal: workflow greet \(\S+\) never waits on a signal named "aprove": it waits on "approve" — did you mean "approve"\? \(to send it anyway: force: true, rhythm signal --force\) \(UNKNOWN_SIGNAL\)$/m,
    );
    ok(cli("signal", waiting, "aprove", "--force"));
    assert.deepEqual(
      json<{ bufferedSignals: { name: string }[] }>(ok(cli("get", waiting, "--json"))).bufferedSignals.map((b) => b.name),
      ["aprove"],
    );
    assert.match(ok(cli("get", waiting)).stdout, /^buffered +signal "aprove" null, sent \S+Z, not taken by any wait yet$/m);
    const sent = json(ok(cli("signal", waiting, "approve", "--payload", '{"ok":true}', "--json")));
    assert.deepEqual(sent, { id: waiting, signal: "approve", payload: { ok: true } });
    const done = await until("the signalled workflow to finish", () => {
      const e = json(ok(cli("get", waiting, "--json")));
      return e.status === "completed" ? e : null;
    });
    assert.deepEqual(done.output, { shouted: "CY", answer: { ok: true } });
    assert.match(ok(cli("signal", waiting, "approve"), 1).stderr, /has already finished \(completed\) \(EXECUTION_FINISHED\)/);
    assert.match(
      ok(cli("get", "no-such-id"), 1).stderr,
      /^rhythm get: no execution with id "no-such-id" \(EXECUTION_NOT_FOUND\)$/m,
    );
  });

  test("list filters by name, status, kind and queue, pages with --after, and prints a table", () => {
    type Row = { id: string; name: string; status: string; kind: string };
    const greets = json<Row[]>(ok(cli("list", "--name", "greet", "--json")));
    assert.deepEqual(
      greets.map((e) => [e.id, e.status]),
      [[waiting, "completed"]],
    );
    const tasks = json<Row[]>(ok(cli("list", "--kind", "task", "--status", "completed", "--json")));
    assert.ok(tasks.length >= 3 && tasks.every((e) => e.kind === "task" && e.status === "completed"), JSON.stringify(tasks));
    const failed = json<Row[]>(ok(cli("list", "--status", "failed", "--json")));
    assert.deepEqual(
      failed.map((e) => e.name),
      ["flaky", "flaky"],
    );
    assert.deepEqual(json<Row[]>(ok(cli("list", "--queue", "elsewhere", "--json"))), []);
    const all = json<Row[]>(ok(cli("list", "--json", "--limit", "100")));
    const page1 = json<Row[]>(ok(cli("list", "--json", "--limit", "2")));
    const page2 = json<Row[]>(ok(cli("list", "--json", "--limit", "2", "--after", page1[1].id)));
    assert.deepEqual(
      [...page1, ...page2].map((e) => e.id),
      all.slice(0, 4).map((e) => e.id),
    );
    const table = ok(cli("list", "--name", "greet")).stdout.split("\n");
    assert.match(table[0], /^ID +KIND +NAME +STATUS +QUEUE +ATTEMPT +CREATED$/);
    assert.match(table[1], new RegExp(`^${waiting} +workflow +greet +completed +default +1 +\\S+Z$`));
    assert.equal(ok(cli("list", "--status", "done"), 2).stdout, "");
  });

  test("cancel stops a waiting workflow; a finished one cannot be cancelled", async () => {
    const id = ok(cli("start", "greet", "--inputs", '{"name":"dee"}')).stdout.trim();
    await until("the workflow to suspend", () => json(ok(cli("get", id, "--json"))).status === "suspended");
    const cancelled = json(ok(cli("cancel", id, "--json")));
    assert.equal(cancelled.status, "cancelled");
    assert.match(ok(cli("cancel", id), 1).stderr, /already finished \(cancelled\) \(EXECUTION_FINISHED\)/);
    assert.match(ok(cli("cancel", "00000000-0000-0000-0000-000000000000"), 1).stderr, /\(EXECUTION_NOT_FOUND\)/);
  });

  test("start --wait gives up after --timeout; bad input is refused before anything is written", () => {
    const slow = ok(cli("start", "greet", "--inputs", '{"name":"eve"}', "--wait", "--timeout", "1"), 1);
    assert.match(slow.stderr, /did not finish within 1000 ms \(WAIT_TIMEOUT\)/);
    assert.equal(slow.stdout, "");
    const before = json<unknown[]>(ok(cli("list", "--json", "--limit", "100"))).length;
    assert.match(ok(cli("start", "greet", "--inputs", "{nope"), 2).stderr, /--inputs is not valid JSON/);
    assert.match(ok(cli("start", "greet", "--inputs", "[1]"), 2).stderr, /--inputs must be a JSON object/);
    assert.match(ok(cli("start", "greet", "--frobnicate"), 2).stderr, /^rhythm start: unknown option --frobnicate\n/);
    assert.match(ok(cli("signal", waiting, "approve", "--payload", "{"), 2).stderr, /--payload is not valid JSON/);
    assert.equal(json<unknown[]>(ok(cli("list", "--json", "--limit", "100"))).length, before);
  });

  test("workers lists the running worker; a task no worker registers is blocked, and get and list say so", () => {
    const workers = json<{ id: string; queues: string[]; tasks: string[] }[]>(ok(cli("workers", "--json")));
    assert.deepEqual(
      workers.map((w) => [w.queues, [...w.tasks].sort()]),
      [[["default"], ["flaky", "shout"]]],
    );
    const table = ok(cli("workers")).stdout.split("\n");
    assert.match(table[0], /^ID +QUEUES +STARTED +SEEN +TASKS$/);
    assert.match(table[1], new RegExp(`^${workers[0].id} +default +\\S+Z +\\S+Z +(flaky,shout|shout,flaky)$`));

    const { id } = json<{ id: string }>(ok(cli("task", "nobody-has-this", "--json")));
    const why = 'no running worker registers task "nobody-has-this" (1 worker serves queue "default")';
    assert.equal(json(ok(cli("get", id, "--json"))).blocked, why);
    assert.match(ok(cli("get", id)).stdout, new RegExp(`^blocked +${why.replace(/[()]/g, "\\$&")}$`, "m"));
    const list = ok(cli("list", "--name", "nobody-has-this")).stdout;
    assert.ok(list.includes(`\nblocked ${id}: ${why}\n`), list);
    ok(cli("cancel", id));
  });

  test("SIGTERM stops the worker gracefully with exit 0", async () => {
    assert.equal(await worker.stop("SIGTERM"), 0);
    assert.match(worker.stderr(), /SIGTERM: stopping/);
    assert.match(worker.stderr(), /rhythm worker: stopped\n$/);
    assert.doesNotMatch(worker.stderr(), /Warning/, "a worker prints no Node or driver warning");
    // its row went with it
    assert.match(ok(cli("workers")).stderr, /^rhythm workers: no worker is running$/m);
  });
});

// ── rhythm dev: the embedded database shared over a socket ────────────────────────────────────

describe("rhythm dev", () => {
  const project = devProject;
  after(() => project.remove());

  test("serves PGlite on 127.0.0.1 to the other commands of its folder, and cleans up on SIGTERM", async () => {
    const dev = devServer;
    const served = (await dev.waitFor(/served at (postgres:\/\/\S+);/, 40_000))[1];
    const devFile = join(project.dir, ".rhythm", "dev.json");
    const info = JSON.parse(readFileSync(devFile, "utf8")) as { url: string; pid: number };
    assert.deepEqual(info, { url: served, pid: dev.child.pid });
    const port = Number(new URL(info.url).port);
    assert.equal(new URL(info.url).hostname, "127.0.0.1");
    assert.ok(port >= 5488 && port < 5508, info.url);
    // not reachable on the machine's other addresses
    for (const address of Object.values(networkInterfaces())
      .flatMap((l) => l ?? [])
      .filter((a) => a.family === "IPv4" && !a.internal)) {
      const reached = await new Promise<boolean>((resolve) => {
        const s = connect(port, address.address, () => (s.destroy(), resolve(true))).on("error", () => resolve(false));
      });
      assert.equal(reached, false, `reachable on ${address.address}`);
    }
    await dev.waitFor(/serving queue\(s\) default with tasks shout, flaky/);

    // no --database-url: connection.ts finds the server through ./.rhythm/dev.json
    const done = rhythm(["start", "simple", "--inputs", '{"name":"dev"}', "--wait", "--timeout", "20", "--json"], project.dir);
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stderr, new RegExp(`database ${info.url.replace(/[.]/g, "\\.")} \\(rhythm dev, pid ${info.pid}\\)`));
    const finished = json(done);
    assert.deepEqual([finished.status, finished.output], ["completed", "DEV!"]);
    const id = ok(rhythm(["start", "greet", "--inputs", '{"name":"fay"}'], project.dir)).stdout.trim();
    const suspended = await until("the workflow to suspend", () => {
      const r = ok(rhythm(["get", id], project.dir));
      return /^status +suspended$/m.test(r.stdout) ? r.stdout : null;
    });
    assert.match(suspended, /^waiting on +signal "approve" at line 3:\d+ \(in main\)$/m);

    const second = rhythm(["dev"], project.dir);
    assert.equal(second.code, 1);
    assert.match(second.stderr, /rhythm dev is already running in this folder \(pid \d+, .*\) \(DATABASE_IN_USE\)/);

    assert.equal(await dev.stop("SIGTERM"), 0);
    assert.equal(existsSync(devFile), false);
    assert.equal(existsSync(join(project.dir, ".rhythm", "data.lock")), false);
    // the data stays: without the server, commands open the embedded database itself
    const after = rhythm(["get", id, "--json"], project.dir);
    assert.equal(after.code, 0, after.stderr);
    assert.match(after.stderr, /database embedded PGlite in \.\/\.rhythm\/data/);
    assert.equal(json(after).status, "suspended");
  });
});
