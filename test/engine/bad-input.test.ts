// Bad input on the engine (issue 4, SPEC §3 "nothing is lost: bad input is refused before anything
// is written"): every case gets a typed error naming the problem, writes nothing when it comes
// from the API, and never leaves an execution retried forever or stuck without an explanation.
// Cases covered elsewhere: unknown workflow (workflows.test.ts), signals to an unknown id, a
// finished workflow or a task (signals.test.ts), BigInt/function/cycle/Date/undefined/NaN inputs
// and the default size limit (tasks.test.ts), timeouts (tasks.test.ts).

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Rhythm, type Execution } from "../../src/index.js";
import type { Driver } from "../../src/store/driver.js";
import { backends, type TestDatabase } from "../support/database.js";
import { engine, type EngineFixture } from "../support/engine.js";
import { untilStatus } from "./support/until.js";

const FLOWS = {
  echo: "return Inputs",
  waits: 'return await Signal.next("go")',
  deep_output: "let v = {}; for (let i = 1; i < 10000; i++) v = { v }; return v",
  nul_output: 'return { note: "a\\u0000b" }',
  nan_output: "return { n: NaN, inf: Infinity, list: [NaN] }",
  deep_task_inputs:
    'let v = {}; for (let i = 1; i < 10000; i++) v = { v }; await Task.run("never-called", v); return "unreachable"',
  comparator_recursion: "function f(n) { return n === 0 ? 0 : [n, 1].sort((a, b) => f(n - 1) + a - b)[0] } return f(900)",
  awaits_bad_result: 'try { await Task.run("returns-bigint", {}) } catch (e) { return { type: e.type, cause: e.cause.name } }',
  awaits_nobody: 'return await Task.run("nobody-registers-this", {})',
  big_output: 'return "x".repeat(3000)',
  unstorable_values: `
const s = "a\\0b"
const o = { ["k\\0"]: "\\ud800" }
console.log("log\\0line")
await Timer.delay("10ms")
return [s.length, s.charCodeAt(1), Object.keys(o)[0].length, o["k\\0"].charCodeAt(0), 1e400 === Infinity]
`,
  throws_nul: 'throw Error("bad\\u0000byte")',
  // computed: written literally, deploy would refuse the file before it could run
  far_run_at: 'const runAt = 1e20; try { Task.run("never-called", {}, { runAt }) } catch (e) { return [e.type, e.message] }',
};

/** An object nested `n` levels deep (the outermost counts as 1). */
function nested(n: number): Record<string, unknown> {
  let v: Record<string, unknown> = {};
  for (let i = 1; i < n; i++) v = { v };
  return v;
}

async function rows(db: TestDatabase, table = "executions"): Promise<number> {
  const r = await db.driver.query<{ n: string | number }>(`select count(*) as n from rhythm.${table}`);
  return Number(r.rows[0].n);
}

const attempts = (e: Execution) => (e.errors as { attempt: number; name: string; message: string }[]) ?? [];

for (const backend of await backends()) {
  describe(`bad input on ${backend.kind}`, () => {
    let db: TestDatabase;
    let f: EngineFixture;
    let rhythm: Rhythm;

    before(async () => {
      db = await backend.open();
      f = await engine(db, FLOWS);
      rhythm = f.rhythm;
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      const retries = { limit: 3, initial: "10ms" };
      rhythm
        .task("returns-bigint", async () => ({ total: 10n }), { retries })
        .task("returns-cycle", async () => cyclic, { retries })
        .task("returns-deep", async () => nested(10_000), { retries })
        .task("returns-nul", async () => ({ s: "\u0000" }), { retries })
        .task("returns-huge", async () => "x".repeat(1024 * 1024 + 1), { retries })
        .task("returns-loose", async () => ({ at: new Date(Date.UTC(2024, 4, 1)), u: undefined, n: NaN, m: new Map([[1, 2]]) }))
        .task("returns-undefined", async () => undefined)
        .task("throws", async (i: { what: string }) => {
          const values: Record<string, unknown> = {
            string: "out of stock",
            number: 42,
            null: null,
            undefined,
            object: { code: "E1" },
          };
          values.cyclic = cyclic;
          values.bigint = 10n;
          values.nul = new Error("bad\u0000byte");
          throw values[i.what];
        });
      await rhythm.worker({ pollIntervalMs: 50 }).start();
    });
    after(async () => {
      await f.close();
      await db.drop();
    });

    describe("from the API: refused with InvalidArgumentError before anything is written", () => {
      test("inputs, payloads nested 10,000 levels deep (no stack overflow); 1,000 levels are stored and read back", async () => {
        const before = await rows(db);
        const deep = nested(10_000);
        const refused = { name: "InvalidArgumentError", code: "INVALID_ARGUMENT", message: /nested more than 1000 levels deep/ };
        await assert.rejects(rhythm.startWorkflow("echo", deep), refused);
        await assert.rejects(rhythm.queueTask("unserved", deep), refused);
        await assert.rejects(rhythm.queueTask("unserved", { list: [deep] }), refused);
        const waiting = await rhythm.startWorkflow("waits", {});
        await untilStatus(rhythm, waiting, "suspended");
        await assert.rejects(rhythm.signal(waiting, "go", deep), refused);
        assert.equal(await rows(db), before + 1);
        assert.equal(await rows(db, "signals"), 0);

        const fits = nested(1000);
        const id = await rhythm.startWorkflow("echo", fits);
        const done = await rhythm.wait(id, { timeout: "10s" });
        assert.equal(done.status, "completed", JSON.stringify(done.error));
        assert.deepEqual(done.output, fits);
        await rhythm.signal(waiting, "go", { ok: true });
      });

      test("strings Postgres cannot store (U+0000, lone surrogates), in values or keys", async () => {
        const before = await rows(db);
        const cases: [unknown, RegExp][] = [
          [{ s: "a\u0000b" }, /\$\.s contains the character U\+0000/],
          [{ ["k\u0000"]: 1 }, /\$ has a key that contains the character U\+0000/],
          [{ list: ["ok", "\ud83d"] }, /\$\.list\[1\] contains a lone UTF-16 surrogate/],
          [{ s: "\udc00x" }, /lone UTF-16 surrogate/],
        ];
        for (const [inputs, message] of cases) {
          await assert.rejects(rhythm.startWorkflow("echo", inputs as object), { code: "INVALID_ARGUMENT", message });
          await assert.rejects(rhythm.queueTask("unserved", inputs), { code: "INVALID_ARGUMENT", message });
        }
        assert.equal(await rows(db), before);
        // a whole emoji is two surrogates and is fine
        const ok = await rhythm.startWorkflow("echo", { s: "😀" });
        assert.deepEqual((await rhythm.wait(ok, { timeout: "10s" })).output, { s: "😀" });
      });

      test("symbol keys, getters that throw, and symbols are refused; a shared (non-cyclic) object is fine", async () => {
        const before = await rows(db);
        await assert.rejects(rhythm.queueTask("unserved", { [Symbol("k")]: 1 }), {
          code: "INVALID_ARGUMENT",
          message: /\$ has a symbol key/,
        });
        const getter = {
          get boom() {
            throw new Error("getter failed");
          },
        };
        await assert.rejects(rhythm.queueTask("unserved", getter), {
          code: "INVALID_ARGUMENT",
          message: 'inputs of task "unserved" could not be read: getter failed',
        });
        await assert.rejects(rhythm.queueTask("unserved", { s: Symbol("x") }), {
          code: "INVALID_ARGUMENT",
          message: /\$\.s is a symbol/,
        });
        assert.equal(await rows(db), before);
        const shared = { n: 1 };
        const id = await rhythm.queueTask("unserved", { a: shared, b: [shared, shared] });
        assert.deepEqual((await rhythm.get(id))?.inputs, { a: { n: 1 }, b: [{ n: 1 }, { n: 1 }] });
      });

      test("what is written is a copy taken at the call: a getter is read once, later changes change nothing", async () => {
        let reads = 0;
        const inputs = {
          get n() {
            return ++reads;
          },
          list: [1],
        };
        const id = await rhythm.queueTask("unserved", inputs);
        inputs.list.push(2);
        assert.equal(reads, 1);
        assert.deepEqual((await rhythm.get(id))?.inputs, { n: 1, list: [1] });
      });

      test("inputs with __proto__ and constructor keys are stored as plain keys and pollute nothing", async () => {
        const inputs = JSON.parse('{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"polluted": 2}}}') as object;
        const id = await rhythm.startWorkflow("echo", inputs);
        const done = await rhythm.wait(id, { timeout: "10s" });
        assert.equal(done.status, "completed");
        assert.deepEqual(Object.keys(done.output as object), ["__proto__", "constructor"]);
        assert.equal(({} as { polluted?: unknown }).polluted, undefined);
        assert.equal((Object.prototype as { polluted?: unknown }).polluted, undefined);
      });

      test("names and keys: empty, over 255 characters, holding U+0000, or not strings", async () => {
        const before = await rows(db);
        const long = "q".repeat(256);
        const refusals: [string, () => Promise<unknown>, RegExp][] = [
          ["task name with NUL", () => rhythm.queueTask("t\u0000", {}), /task name contains the character U\+0000/],
          ["task name too long", () => rhythm.queueTask(long, {}), /task name is 256 characters long, over the limit of 255/],
          ["queue with NUL", () => rhythm.queueTask("t", {}, { queue: "a\u0000" }), /queue contains the character U\+0000/],
          ["queue too long", () => rhythm.queueTask("t", {}, { queue: long }), /queue is 256 characters long/],
          ["blank queue", () => rhythm.queueTask("t", {}, { queue: "  " }), /queue must be a non-empty string/],
          [
            "idempotency key not a string",
            () => rhythm.queueTask("t", {}, { idempotencyKey: 5 as unknown as string }),
            /idempotencyKey must be a non-empty string/,
          ],
          [
            "idempotency key with NUL",
            () => rhythm.startWorkflow("echo", {}, { idempotencyKey: "k\u0000" }),
            /idempotencyKey contains/,
          ],
          [
            "workflow name with NUL",
            () => rhythm.startWorkflow("echo\u0000", {}),
            /workflow name contains the character U\+0000/,
          ],
          [
            "signal name with NUL",
            () => rhythm.signal("00000000-0000-4000-8000-000000000000", "g\u0000", {}),
            /signal name contains/,
          ],
          [
            "runAt past year 9999",
            () => rhythm.queueTask("t", {}, { runAt: 8.64e15 }),
            /runAt must be between 1970 and the end of year 9999/,
          ],
          ["runAt before 1970", () => rhythm.queueTask("t", {}, { runAt: -1 }), /runAt must be between 1970/],
          [
            "delay past year 9999",
            () => rhythm.queueTask("t", {}, { delay: 1e300 }),
            /delay is out of range: at most 1000 years/,
          ],
          [
            "list by an unknown status",
            () => rhythm.list({ status: "bogus" as "queued" }),
            /list: status must be one of queued, running/,
          ],
          ["list by an unknown kind", () => rhythm.list({ kind: "job" as "task" }), /list: kind must be "workflow" or "task"/],
          [
            "worker without queues",
            () => Promise.resolve().then(() => rhythm.worker({ queues: [] })),
            /worker: queues must be a non-empty array/,
          ],
          [
            "task registration with NUL",
            () => Promise.resolve().then(() => rhythm.task("x\u0000", async () => 1)),
            /task name contains/,
          ],
          [
            "task registration with a bad concurrency",
            () => Promise.resolve().then(() => rhythm.task("x", async () => 1, { concurrency: 0 })),
            /concurrency must be a positive integer/,
          ],
        ];
        for (const [what, call, message] of refusals) {
          await assert.rejects(call(), { name: "InvalidArgumentError", code: "INVALID_ARGUMENT", message }, what);
        }
        assert.equal(await rows(db), before);
        assert.equal(await rows(db, "signals"), 0);
      });

      test("a queue or task name that looks like SQL is stored as plain data and runs", async () => {
        const queue = "x'; drop table rhythm.executions; --";
        const name = 'y"); delete from rhythm.executions where (true';
        const before = await rows(db);
        const ran: unknown[] = [];
        rhythm.task(name, async (i: unknown) => {
          ran.push(i);
          return "ok";
        });
        const id = await rhythm.queueTask(name, { n: 1 }, { queue });
        assert.equal((await rhythm.get(id))?.queue, queue);
        assert.equal((await rhythm.list({ queue, limit: 5 })).length, 1);
        const w = rhythm.worker({ queues: [queue], pollIntervalMs: 50 });
        await w.start();
        try {
          const done = await rhythm.wait(id, { timeout: "10s" });
          assert.equal(done.status, "completed");
          assert.equal(done.name, name);
          assert.deepEqual(ran, [{ n: 1 }]);
        } finally {
          await w.stop();
        }
        assert.equal(await rows(db), before + 1);
      });

      test("maxPayloadBytes is configurable, checked at connect, and applies to inputs and signal payloads", async () => {
        for (const bad of [0, -1, 1.5, "100", Number.NaN]) {
          await assert.rejects(Rhythm.connectWith(db.driver as Driver, { maxPayloadBytes: bad as number }), {
            code: "INVALID_ARGUMENT",
            message: "maxPayloadBytes must be a positive whole number of bytes",
          });
        }
        const small = await Rhythm.connectWith(db.driver as Driver, { maxPayloadBytes: 100, workflows: f.dir });
        try {
          await small.deploy();
          const before = await rows(db);
          const over = { text: "x".repeat(100) };
          const message = /is 111 bytes of JSON, over the limit of 100/;
          await assert.rejects(small.queueTask("unserved", over), { code: "INVALID_ARGUMENT", message });
          await assert.rejects(small.startWorkflow("echo", over), { code: "INVALID_ARGUMENT", message });
          const waiting = await rhythm.startWorkflow("waits", {});
          await untilStatus(rhythm, waiting, "suspended");
          await assert.rejects(small.signal(waiting, "go", over), { code: "INVALID_ARGUMENT", message });
          assert.equal(await rows(db, "signals"), 0);
          assert.equal(await rows(db), before + 1);
          // under the limit is fine; the default client takes the larger payload
          await small.queueTask("unserved", { text: "x" });
          await rhythm.queueTask("unserved", over);
          await rhythm.signal(waiting, "go", over);
          assert.deepEqual((await rhythm.wait(waiting, { timeout: "10s" })).output, over);
        } finally {
          await small.close();
        }
      });
    });

    describe("returned by a task handler", () => {
      const invalid: [string, RegExp][] = [
        ["returns-bigint", /\$\.total is a BigInt/],
        ["returns-cycle", /\$\.self refers back to an object that contains it \(a cycle\)/],
        ["returns-deep", /nested/],
        ["returns-nul", /\$\.s contains the character U\+0000/],
        ["returns-huge", /it is 1048579 bytes of JSON, over the limit of 1048576/],
      ];
      for (const [task, message] of invalid) {
        test(`${task}: the attempt fails at once with InvalidTaskResultError (no retries), visible in get()`, async () => {
          const id = await rhythm.queueTask(task, {});
          const done = await rhythm.wait(id, { timeout: "10s" });
          assert.equal(done.status, "failed");
          assert.equal(done.attempt, 1);
          assert.equal(done.output, null);
          const error = done.error as { name: string; code: string; message: string };
          assert.equal(error.name, "InvalidTaskResultError");
          assert.equal(error.code, "INVALID_TASK_RESULT");
          assert.match(error.message, new RegExp(`^task "${task}" returned a result that cannot be stored as JSON: `));
          assert.match(error.message, message);
          assert.equal(attempts(done).length, 1);
        });
      }

      test("a workflow awaiting such a task gets a TaskError whose cause says why", async () => {
        const id = await rhythm.startWorkflow("awaits_bad_result", {});
        const done = await rhythm.wait(id, { timeout: "10s" });
        assert.deepEqual(done.output, { type: "TaskError", cause: "InvalidTaskResultError" });
      });

      test("what JSON.stringify writes differently is converted as it writes it (Dates as ISO strings, NaN as null)", async () => {
        const loose = await rhythm.wait(await rhythm.queueTask("returns-loose", {}), { timeout: "10s" });
        assert.equal(loose.status, "completed");
        assert.deepEqual(loose.output, { at: "2024-05-01T00:00:00.000Z", n: null, m: {} });
        const nothing = await rhythm.wait(await rhythm.queueTask("returns-undefined", {}), { timeout: "10s" });
        assert.equal(nothing.status, "completed");
        assert.equal(nothing.output, null);
      });
    });

    describe("thrown by a task handler", () => {
      const expected: Record<string, { message: string; extra?: Record<string, unknown> }> = {
        string: { message: "out of stock", extra: { value: "out of stock" } },
        number: { message: "42", extra: { value: 42 } },
        null: { message: "null", extra: { value: null } },
        undefined: { message: "undefined", extra: { value: null } },
        object: { message: '{"code":"E1"}', extra: { code: "E1" } },
        cyclic: {
          message: "[object Object]",
          extra: { self: "[not stored: $.self refers back to an object that contains it (a cycle)]" },
        },
        bigint: { message: "10", extra: { value: "[not stored: $ is a BigInt (write it as a string)]" } },
        // Postgres refuses U+0000: recording the attempt used to fail, leaving it to lease expiry
        nul: { message: "bad\ufffdbyte" },
      };
      for (const [what, { message, extra }] of Object.entries(expected)) {
        test(`a thrown ${what} is recorded for every attempt, retried per policy, and the task ends failed`, async () => {
          const id = await rhythm.queueTask("throws", { what }, { retries: { limit: 1, initial: "10ms" } });
          const done = await rhythm.wait(id, { timeout: "10s" });
          assert.equal(done.status, "failed");
          assert.equal(done.attempt, 2);
          assert.deepEqual(
            attempts(done).map((a) => [a.attempt, a.name, a.message]),
            [
              [1, "Error", message],
              [2, "Error", message],
            ],
          );
          assert.deepEqual(done.error, { name: "Error", message, ...extra, attempt: 2 });
        });
      }
    });

    describe("produced by a workflow: the workflow fails with the reason, once, and the worker goes on", () => {
      const failures: [string, string, RegExp][] = [
        ["deep_output", "TypeError", /^the workflow output is not JSON: .* is nested more than 1000 levels deep/],
        ["nul_output", "TypeError", /^the workflow output is not JSON: \$\.note contains the character U\+0000/],
        [
          "deep_task_inputs",
          "TypeError",
          /^Task\.run\("never-called"\): the inputs is not JSON: .* nested more than 1000 levels deep/,
        ],
        ["comparator_recursion", "RangeError", /call depth limit exceeded/],
      ];
      for (const [flow, type, message] of failures) {
        test(flow, async () => {
          const before = await rows(db);
          const id = await rhythm.startWorkflow(flow, {});
          const done = await rhythm.wait(id, { timeout: "10s" });
          assert.equal(done.status, "failed");
          assert.equal(done.attempt, 1);
          const error = done.error as { type: string; message: string };
          assert.equal(error.type, type);
          assert.match(error.message, message);
          // nothing else was created (no task for never-called)
          assert.equal(await rows(db), before + 1);
          // the worker is still running workflows
          const next = await rhythm.wait(await rhythm.startWorkflow("echo", { after: flow }), { timeout: "10s" });
          assert.deepEqual(next.output, { after: flow });
        });
      }

      test("values Postgres cannot store (U+0000, lone surrogates, 1e400) live inside a workflow across an await", async () => {
        // the program (constants) and the saved state carry them; a log line shows U+FFFD
        const id = await rhythm.startWorkflow("unstorable_values", {});
        const done = await rhythm.wait(id, { timeout: "10s" });
        assert.equal(done.status, "completed", JSON.stringify(done.error));
        assert.deepEqual(done.output, [3, 0, 2, 0xd800, true]);
        assert.deepEqual(
          (await rhythm.logs(id)).map((l) => l.message),
          ["log\ufffdline"],
        );
      });

      test("an uncaught error whose message holds U+0000 fails the workflow with that message, readable", async () => {
        const done = await rhythm.wait(await rhythm.startWorkflow("throws_nul", {}), { timeout: "10s" });
        assert.equal(done.status, "failed");
        assert.deepEqual(done.error, { name: "Error", type: "Error", message: "bad\ufffdbyte" });
      });

      test("a runAt Postgres cannot hold is a TypeError at the call", async () => {
        const done = await rhythm.wait(await rhythm.startWorkflow("far_run_at", {}), { timeout: "10s" });
        assert.deepEqual(done.output, [
          "TypeError",
          'Task.run("never-called"): option "runAt" is out of range: give a time between 1970 and the end of year 9999',
        ]);
      });

      test("NaN and Infinity in an output are written null (SPEC §2.2: as JSON.stringify writes them)", async () => {
        const done = await rhythm.wait(await rhythm.startWorkflow("nan_output", {}), { timeout: "10s" });
        assert.equal(done.status, "completed");
        assert.deepEqual(done.output, { n: null, inf: null, list: [null] });
      });

      test("an output over the client's maxPayloadBytes fails the workflow with a RangeError", async () => {
        const small = await Rhythm.connectWith(db.driver as Driver, { maxPayloadBytes: 2000, workflows: f.dir });
        try {
          const w = small.worker({ queues: ["small-payloads"], pollIntervalMs: 50 });
          await w.start();
          const id = await small.startWorkflow("big_output", {}, { queue: "small-payloads" });
          const done = await small.wait(id, { timeout: "10s" });
          assert.equal(done.status, "failed");
          assert.deepEqual(done.error, {
            name: "RangeError",
            type: "RangeError",
            message: "the workflow output is 3002 bytes of JSON, over the payload limit of 2000 (maxPayloadBytes)",
          });
        } finally {
          await small.close();
        }
      });

      test("a workflow awaiting a task no worker registers waits visibly, saying on what and where", async () => {
        const id = await rhythm.startWorkflow("awaits_nobody", {});
        const waiting = await untilStatus(rhythm, id, "suspended");
        assert.deepEqual(
          waiting.waitingOn?.map((w) => [w.description, w.line]),
          [['task "nobody-registers-this"', 1]],
        );
        const [task] = await rhythm.list({ name: "nobody-registers-this", limit: 5 });
        assert.equal(task.status, "queued");
        assert.equal(task.parentId, id);
        assert.equal(task.attempt, 0);
        // why: the workers running (this client's, on "default") do not register the task
        assert.match(
          task.blocked ?? "",
          /^no running worker registers task "nobody-registers-this" \(\d+ workers? serves? queue "default"\)$/,
        );
        assert.equal((await rhythm.get(task.id))?.blocked, task.blocked);
        assert.equal(waiting.blocked, `its task "nobody-registers-this" (${task.id}) cannot start: ${task.blocked}`);
        assert.ok(
          (await rhythm.workers()).some((w) => w.queues.includes("default") && !w.tasks.includes("nobody-registers-this")),
          "rhythm.workers() lists the running worker with what it registers",
        );

        // a worker that registers it starts: the task runs, and nothing is blocked any more
        const helper = await Rhythm.connectWith(db.driver as Driver, { workflows: f.dir });
        try {
          helper.task("nobody-registers-this", async () => "finally");
          await helper.worker({ pollIntervalMs: 50 }).start();
          const done = await rhythm.wait(id, { timeout: "10s" });
          assert.equal(done.output, "finally");
          assert.equal(done.blocked, undefined);
        } finally {
          await helper.close();
        }
        // a stopped worker takes its row with it
        assert.ok(!(await rhythm.workers()).some((w) => w.tasks.includes("nobody-registers-this")));
      });

      test("work queued on a queue no running worker serves says so", async () => {
        const id = await rhythm.queueTask("echo-task", {}, { queue: "nobody-serves-this" });
        const [queued] = await rhythm.list({ queue: "nobody-serves-this" });
        assert.equal(queued.id, id);
        assert.equal(queued.blocked, 'no running worker serves queue "nobody-serves-this"');
        const w = rhythm.worker({ queues: ["nobody-serves-this"], pollIntervalMs: 50 });
        await w.start();
        try {
          // served now, but the task still has no handler here
          assert.match(
            (await rhythm.get(id))?.blocked ?? "",
            /^no running worker registers task "echo-task" \(1 worker serves queue "nobody-serves-this"\)$/,
          );
        } finally {
          await w.stop();
        }
        // a worker that stopped writing its row (a crash) is taken for gone after 30 s
        await db.driver.query(
          `insert into rhythm.workers (id, queues, tasks, seen_at) values ('crashed-worker', '{nobody-serves-this}', '{echo-task}', now() - interval '31 seconds')`,
        );
        assert.equal((await rhythm.get(id))?.blocked, 'no running worker serves queue "nobody-serves-this"');
        await rhythm.cancel(id);
      });
    });
  });
}
