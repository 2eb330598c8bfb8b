// `rhythm inspect` through the built CLI, as a user runs it against a database where a workflow is
// paused (on a Postgres server): the paused line with a caret, variables by
// name as text (markup quoted, never interpreted; huge values cut; cycles marked), what it awaits
// with the task's id; --json as SPEC §7 gives it; exit codes. Then `rhythm run --inspect`.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Rhythm } from "../../src/index.js";
import { postgresAvailable, postgresDatabase, type TestDatabase } from "../support/database.js";
import { deferred, until, untilStatus } from "../engine/support/until.js";
import { jsonDocument, rhythm as cli, rhythmAsync, tempFolder } from "./cli-process.js";

const PAUSED = `const note = Inputs.note;
const big = Array.from({ length: 1000 }, (_, i) => i);
const loop = { name: "loop" };
loop.self = loop;
const receipt = await Task.run("charge", { cents: 500 });
return receipt;
`;

const hasServer = await postgresAvailable();

// (only where a server answers: the CLI runs in its own process, and an embedded PGlite belongs to
// this one; test/engine/inspect.test.ts covers rhythm.inspect on PGlite)
if (hasServer)
  describe("rhythm inspect", () => {
    let db: TestDatabase;
    let client: Rhythm;
    let folder: { dir: string; remove: () => void };
    const release = deferred();
    const taskIds: string[] = [];
    let id: string;

    before(async () => {
      db = await postgresDatabase();
      folder = tempFolder({ "workflows/paused.flow": PAUSED });
      client = await Rhythm.connect({ databaseUrl: db.url!, workflows: `${folder.dir}/workflows` });
      client.task("charge", async (_inputs, ctx) => {
        taskIds.push(ctx.executionId);
        await release.promise;
        return "ok";
      });
      await client.worker({ pollIntervalMs: 50 }).start();
      id = await client.startWorkflow("paused", { note: '<script>alert("x")</script>' });
      await untilStatus(client, id, "suspended");
      await until("the task to start", () => taskIds.length === 1);
    });
    after(async () => {
      release.resolve();
      await client.close();
      await db.drop();
      folder.remove();
    });

    test("shows the paused line, the variables by name as text, and what it awaits with ids", async () => {
      const r = await rhythmAsync(["inspect", id, "--database-url", db.url!], folder.dir);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.split("\n");
      assert.equal(lines[0], `id        ${id}`);
      assert.match(lines[1], /^workflow {2}paused \(version [0-9a-f]{12}\)$/);
      assert.equal(lines[2], "status    suspended");
      const body = lines.slice(4).join("\n");
      assert.ok(
        body.startsWith(
          [
            'main body, waiting on task "charge"',
            "  main  line 5:17",
            '       5 | const receipt = await Task.run("charge", { cents: 500 });',
            "         |                 ^",
            '    note    = "<script>alert(\\"x\\")</script>"',
          ].join("\n"),
        ),
        body,
      );
      assert.match(body, /\n {4}big {5}= \[0, 1, 2, .*, 49, … 950 more\]\n/);
      assert.match(body, /\n {4}loop {4}= <ref \*1> \{ name: "loop", self: \[Circular \*1\] \}\n/);
      assert.match(body, /\n {4}receipt = <uninitialized>\n/);
      assert.match(body, new RegExp(`\\nawaiting\\n  task "charge"  id ${taskIds[0]}  handle \\d+\\n$`));
    });

    test("--json gives { id, name, status, version, stack, awaiting }", async () => {
      const r = await rhythmAsync(["inspect", id, "--json", "--database-url", db.url!], folder.dir);
      assert.equal(r.code, 0, r.stderr);
      const doc = jsonDocument(r.stdout) as Record<string, unknown> & {
        stack: { function: string; line: number; column: number; variables: Record<string, unknown> }[];
        awaiting: { kind: string; name?: string; id?: string }[];
      };
      assert.deepEqual(Object.keys(doc), ["id", "name", "status", "version", "named", "stack", "awaiting"]);
      assert.deepEqual([doc.id, doc.name, doc.status], [id, "paused", "suspended"]);
      const [frame] = doc.stack;
      assert.deepEqual([frame.function, frame.line, frame.column], ["main", 5, 17]);
      assert.equal(frame.variables.note, '<script>alert("x")</script>');
      assert.deepEqual(frame.variables.receipt, { $type: "uninitialized" });
      assert.deepEqual((frame.variables.big as { length: number }).length, 1000);
      assert.deepEqual(
        doc.awaiting.map(({ kind, name, id: taskId }) => ({ kind, name, id: taskId })),
        [{ kind: "task", name: "charge", id: taskIds[0] }],
      );
    });

    test("exit 1 with the error's code for what it cannot show, 2 for usage", async () => {
      const missing = await rhythmAsync(
        ["inspect", "00000000-0000-4000-8000-000000000000", "--database-url", db.url!],
        folder.dir,
      );
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /no execution with id .* \(EXECUTION_NOT_FOUND\)/);
      const task = await rhythmAsync(["inspect", taskIds[0], "--database-url", db.url!], folder.dir);
      assert.equal(task.code, 1);
      assert.match(task.stderr, /is a task; only workflows have a state to inspect \(NOT_A_WORKFLOW\)/);
      assert.equal((await rhythmAsync(["inspect", "--database-url", db.url!], folder.dir)).code, 2);
    });
  });

describe("rhythm run --inspect", () => {
  test("shows where a suspended run stopped, with its variables; --json adds them as inspection", () => {
    const folder = tempFolder({
      "wait.flow": 'const who = Inputs.who;\nlet count = 2;\nconst answer = await Signal.next("answer");\n',
    });
    try {
      const r = cli(["run", "wait.flow", "--inputs", '{"who":"ann"}', "--inspect"], folder.dir);
      assert.equal(r.code, 1);
      assert.ok(
        r.stdout.includes(
          [
            "where it is paused:",
            '  main body, waiting on signal "answer"',
            "    main  line 3:16",
            '         3 | const answer = await Signal.next("answer");',
            "           |                ^",
            '      who    = "ann"',
            "      count  = 2",
            "      answer = <uninitialized>",
            "",
            "  awaiting",
            '    signal "answer"  handle 2',
          ].join("\n"),
        ),
        r.stdout,
      );
      const json = jsonDocument(cli(["run", "wait.flow", "--inspect", "--json"], folder.dir).stdout) as {
        status: string;
        inspection: { stack: { variables: Record<string, unknown> }[] };
      };
      assert.equal(json.status, "suspended");
      assert.deepEqual(json.inspection.stack[0].variables, {
        who: { $type: "undefined" },
        count: 2,
        answer: { $type: "uninitialized" },
      });
      const plain = jsonDocument(cli(["run", "wait.flow", "--json"], folder.dir).stdout) as object;
      assert.deepEqual(Object.keys(plain), ["status", "output", "error", "taskCalls"], "without --inspect, as SPEC §5 says");
    } finally {
      folder.remove();
    }
  });
});
