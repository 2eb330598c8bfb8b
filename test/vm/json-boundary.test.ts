// What leaves a workflow as JSON (SPEC §2.2): its output, task inputs and child inputs are written
// as JSON.stringify would write them (NaN and ±Infinity become null, a handle inside a value
// becomes {}, a returned handle is awaited like any promise). What JSON cannot hold, what Postgres
// refuses (U+0000, lone surrogates), nesting deeper than 1,000 levels and payloads over the limit
// are errors that name the problem, never a host crash. Errors that cannot be written whole keep
// their name and message.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { runFlowFile, type RunFileOptions } from "../../src/testing/index.js";
import { errorData } from "../../src/vm/errors.js";
import { jsonDataProblem, toJsonData, MAX_JSON_DEPTH } from "../../src/shared/json-check.js";

const dir = mkdtempSync(join(tmpdir(), "rhythm-json-"));
after(() => rmSync(dir, { recursive: true, force: true }));

async function run(source: string, options: RunFileOptions = {}) {
  const file = join(dir, `case${Math.random().toString(36).slice(2)}.flow`);
  writeFileSync(file, source);
  const straight = await runFlowFile(file, options);
  const resumed = await runFlowFile(file, { ...options, resumeMode: true });
  assert.deepEqual({ ...resumed, logs: undefined }, { ...straight, logs: undefined }, "resume mode agrees");
  return straight;
}

const message = (r: { error: unknown }) => (r.error as { message: string }).message;
const type = (r: { error: unknown }) => (r.error as { type: string }).type;

/** A .flow expression building an object nested `n` levels deep, without recursion. */
const nested = (n: number) => `(() => { let v = {}; for (let i = 1; i < ${n}; i++) v = { v }; return v })()`;

describe("workflow outputs (SPEC §2.2: as JSON.stringify would write them)", () => {
  test("NaN and ±Infinity become null, undefined and functions vanish, a top-level undefined is null", async () => {
    const r = await run(
      "return { nan: NaN, inf: Infinity, neg: -Infinity, list: [NaN, undefined, () => 1], u: undefined, f: () => 1 }",
    );
    assert.equal(r.status, "completed");
    assert.deepEqual(r.output, { nan: null, inf: null, neg: null, list: [null, null, null] });
    for (const v of ["NaN", "Infinity", "undefined"]) {
      const top = await run(`return ${v}`);
      assert.equal(top.status, "completed");
      assert.equal(top.output, null, v);
    }
  });

  test("a returned handle is awaited (an async function's return adopts a promise); one inside a value is written {}", async () => {
    const tasks = { lookup: { returns: { found: true } } };
    const direct = await run('return Task.run("lookup", {})', { tasks });
    assert.equal(direct.status, "completed");
    assert.deepEqual(direct.output, { found: true });

    const inside = await run('const h = Task.run("lookup", {}); return { h, list: [h] }', { tasks });
    assert.equal(inside.status, "completed");
    assert.deepEqual(inside.output, { h: {}, list: [{}] });
    // the un-awaited task still ran (fire and forget)
    assert.deepEqual(
      inside.taskCalls.map((c) => c.name),
      ["lookup"],
    );
  });

  test("a cycle fails the workflow with a TypeError naming it", async () => {
    const r = await run("const o = {}; o.self = o; return o");
    assert.equal(r.status, "failed");
    assert.equal(type(r), "TypeError");
    assert.match(message(r), /^the workflow output is not JSON: Converting circular structure to JSON/);
  });

  test(`nesting deeper than ${MAX_JSON_DEPTH} levels fails the workflow with a TypeError; ${MAX_JSON_DEPTH} levels is fine`, async () => {
    const ok = await run(`return ${nested(MAX_JSON_DEPTH)}`);
    assert.equal(ok.status, "completed", JSON.stringify(ok.error));
    const deep = await run(`return ${nested(10_000)}`);
    assert.equal(deep.status, "failed");
    assert.equal(type(deep), "TypeError");
    assert.match(message(deep), /^the workflow output is not JSON: \$\.v\.v.* is nested more than 1000 levels deep/);
  });

  test("U+0000 and lone surrogates (which Postgres cannot store) fail the workflow with a TypeError", async () => {
    const nul = await run('return { note: "a\\u0000b" }');
    assert.equal(nul.status, "failed");
    assert.match(message(nul), /^the workflow output is not JSON: \$\.note contains the character U\+0000/);
    const half = await run('return ["ok", "😀".slice(0, 1)]');
    assert.equal(half.status, "failed");
    assert.match(message(half), /^the workflow output is not JSON: \$\[1\] contains a lone UTF-16 surrogate/);
    const key = await run('return { ["k\\u0000"]: 1 }');
    assert.match(message(key), /\$ has a key that contains the character U\+0000/);
    // a whole emoji is fine
    assert.deepEqual((await run('return "😀"')).output, "😀");
  });

  test("an output over the payload limit fails the workflow with a RangeError naming the limit", async () => {
    const r = await run('return "x".repeat(2000)', { limits: { maxPayloadBytes: 1000 } });
    assert.equal(r.status, "failed");
    assert.equal(type(r), "RangeError");
    assert.equal(message(r), "the workflow output is 2002 bytes of JSON, over the payload limit of 1000 (maxPayloadBytes)");
    const fits = await run('return "x".repeat(998)', { limits: { maxPayloadBytes: 1000 } });
    assert.equal(fits.status, "completed");
  });
});

describe("task and child inputs", () => {
  test("inputs that cannot be stored throw at the call, where the workflow can catch them, and no task is queued", async () => {
    const cases: [string, RegExp][] = [
      [nested(2000), /Task\.run\("save"\): the inputs is not JSON: .* is nested more than 1000 levels deep/],
      ['{ s: "\\u0000" }', /Task\.run\("save"\): the inputs is not JSON: \$\.s contains the character U\+0000/],
      ['"x".repeat(600)', /Task\.run\("save"\): the inputs is 602 bytes of JSON, over the payload limit of 500/],
      ["(() => { const o = {}; o.o = o; return o })()", /Converting circular structure to JSON/],
    ];
    for (const [inputs, expected] of cases) {
      const r = await run(`try { Task.run("save", ${inputs}) } catch (e) { return [e.type, e.message] }`, {
        limits: { maxPayloadBytes: 500 },
      });
      assert.equal(r.status, "completed", JSON.stringify(r.error));
      assert.match((r.output as string[])[1], expected);
      assert.deepEqual(r.taskCalls, [], inputs);
    }
  });

  test("NaN in task inputs is written null, as JSON.stringify writes it", async () => {
    const r = await run('return await Task.run("save", { n: NaN, at: [Infinity] })', { tasks: { save: { echo: true } } });
    assert.deepEqual(r.output, { n: null, at: [null] });
  });
});

describe("times, durations and numbers the database cannot hold are TypeErrors at the call", () => {
  const cases: [string, string][] = [
    ["Timer.delay(1e20)", "Timer.delay: the duration is out of range: at most 1000 years"],
    ['Timer.delay("400000d")', "Timer.delay: the duration is out of range: at most 1000 years"],
    ["Timer.until(1e20)", "Timer.until: the time is out of range: give a time between 1970 and the end of year 9999"],
    ['Signal.when("x", { timeout: 1e20 })', 'Signal.when("x"): option "timeout" is out of range: at most 1000 years'],
    [
      'Task.run("x", {}, { priority: 1e10 })',
      'Task.run("x"): option "priority" is out of range: give an integer between -2147483647 and 2147483647',
    ],
    [
      'Task.run("x", {}, { timeout: "30d" })',
      'Task.run("x"): option "timeout" is out of range: at most 2147483647 ms (about 24 days)',
    ],
    [
      'Task.run("x", {}, { runAt: 1e20 })',
      'Task.run("x"): option "runAt" is out of range: give a time between 1970 and the end of year 9999',
    ],
    ['Task.run("x", {}, { retries: { initial: 1e14 } })', 'Task.run("x"): retries.initial is out of range: at most 1000 years'],
    ['Task.run("x", {}, { retries: 1e10 })', 'Task.run("x"): option "retries" must be a non-negative integer below 2147483647'],
    ['Task.run("q".repeat(256))', "Task.run: the task name is 256 characters long, over the limit of 255"],
    ['Task.run("x\\u0000")', "Task.run: the task name contains the character U+0000, which Postgres cannot store"],
    [
      'Task.run("x", {}, { queue: "q\\u0000" })',
      'Task.run("x"): option "queue" contains the character U+0000, which Postgres cannot store',
    ],
    [
      'Signal.next("s\\ud800")',
      "Signal.next: the signal name contains a lone UTF-16 surrogate (half of a character), which Postgres cannot store",
    ],
  ];
  for (const [call, expected] of cases) {
    test(call, async () => {
      const r = await run(`try { ${call} } catch (e) { return [e.type, e.message] }`);
      assert.equal(r.status, "completed", JSON.stringify(r.error));
      assert.deepEqual(r.output, ["TypeError", expected]);
      assert.deepEqual(r.taskCalls, []);
    });
  }

  test("a time before 1970 has passed: Timer.until fires at once", async () => {
    const r = await run('await Timer.until("1960-01-01T00:00:00Z"); return "fired"');
    assert.equal(r.output, "fired");
  });
});

describe("task results in the in-memory tester, as the engine stores them", () => {
  test("a Date becomes its ISO string; a BigInt fails the task with InvalidTaskResultError", async () => {
    const tasks = {
      when: () => ({ at: new Date(Date.UTC(2024, 0, 1)), skip: undefined }),
      big: () => ({ n: 10n }),
    };
    const when = await run('return await Task.run("when", {})', { tasks });
    assert.deepEqual(when.output, { at: "2024-01-01T00:00:00.000Z" });
    const big = await run('try { await Task.run("big", {}) } catch (e) { return [e.type, e.cause.name, e.message] }', { tasks });
    assert.deepEqual(big.output, [
      "TaskError",
      "InvalidTaskResultError",
      'task "big" returned a result that cannot be stored as JSON: $.n is a BigInt (write it as a string)',
    ]);
  });
});

describe("errors that leave a workflow", () => {
  test("a thrown error with a field JSON cannot write keeps its name, type and message", async () => {
    const r = await run('const e = TypeError("bad order"); e.self = e; throw e');
    assert.equal(r.status, "failed");
    assert.deepEqual(r.error, { name: "TypeError", type: "TypeError", message: "bad order" });
  });

  test("an error whose message holds U+0000 (which Postgres cannot store) keeps a readable message", async () => {
    const r = await run('throw TypeError("bad\\u0000byte")');
    assert.deepEqual(r.error, { name: "TypeError", type: "TypeError", message: "bad\ufffdbyte" });
    const value = await run('throw "half \\ud800"');
    assert.deepEqual(value.error, { name: "Error", type: "Error", message: "half \ufffd", value: null });
  });

  test("a thrown non-error value is reported as { name, type, message: String(value), value }", async () => {
    const r = await run('throw "out of stock"');
    assert.deepEqual(r.error, { name: "Error", type: "Error", message: "out of stock", value: "out of stock" });
    const n = await run("throw 42");
    assert.deepEqual(n.error, { name: "Error", type: "Error", message: "42", value: 42 });
  });
});

describe("errorData: whatever a task handler throws is recorded as storable data", () => {
  const cyclic: Record<string, unknown> = { code: 7 };
  cyclic.self = cyclic;
  const withSocket = Object.assign(new Error("request failed"), { status: 503, request: cyclic });
  const rows: [string, unknown, Record<string, unknown>][] = [
    ["a string", "boom", { name: "Error", message: "boom", value: "boom" }],
    ["a number", 42, { name: "Error", message: "42", value: 42 }],
    ["null", null, { name: "Error", message: "null", value: null }],
    ["undefined", undefined, { name: "Error", message: "undefined", value: null }],
    ["a plain object", { code: "E1" }, { name: "Error", message: '{"code":"E1"}', code: "E1" }],
    ["an object with a message", { name: "Custom", message: "m", extra: 1 }, { name: "Custom", message: "m", extra: 1 }],
    ["an object with a non-string message", { message: 5 }, { name: "Error", message: "5" }],
    [
      "a cyclic object",
      cyclic,
      {
        name: "Error",
        message: "[object Object]",
        code: 7,
        self: "[not stored: $.self refers back to an object that contains it (a cycle)]",
      },
    ],
    ["a BigInt", 10n, { name: "Error", message: "10", value: "[not stored: $ is a BigInt (write it as a string)]" }],
    [
      "an Error with a field holding a cycle",
      withSocket,
      {
        name: "Error",
        message: "request failed",
        status: 503,
        request: "[not stored: $.self refers back to an object that contains it (a cycle)]",
      },
    ],
    ["an object whose toString throws", Object.create(null), { name: "Error", message: "{}" }],
    [
      "an Error whose message and fields hold U+0000",
      Object.assign(new Error("bad\u0000byte"), { detail: "x\u0000" }),
      {
        name: "Error",
        message: "bad\ufffdbyte",
        detail: "[not stored: $ contains the character U+0000, which Postgres cannot store in JSON]",
      },
    ],
  ];
  for (const [what, thrown, expected] of rows) {
    test(what, () => {
      const data = errorData(thrown);
      assert.deepEqual(data, expected);
      assert.doesNotThrow(() => JSON.stringify(data));
    });
  }

  test("a huge message is cut, a huge field is left out with its size", () => {
    const data = errorData(Object.assign(new Error("m".repeat(100_000)), { body: "b".repeat(100_000) }));
    assert.equal((data.message as string).length < 70_000, true);
    assert.match(data.message as string, /… \(34464 more characters\)$/);
    assert.equal(data.body, "[not stored: 100002 bytes of JSON]");
  });
});

describe("host-side JSON checks never recurse", () => {
  test("data nested 100,000 levels deep is reported, not a stack overflow", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    assert.match(jsonDataProblem(deep)!, /is nested more than 1000 levels deep/);
    const r = toJsonData(deep);
    assert.equal(r.ok, false);
    assert.match((r as { problem: string }).problem, /nested/);
  });

  test("toJsonData writes like JSON.stringify: Dates as ISO strings, undefined left out, NaN as null", () => {
    const at = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));
    const data = { at: "2024-01-02T03:04:05.000Z", n: null, list: [null] };
    assert.deepEqual(toJsonData({ at, u: undefined, n: NaN, list: [undefined] }), {
      ok: true,
      data,
      bytes: JSON.stringify(data).length,
    });
    assert.deepEqual(toJsonData(undefined), { ok: true, data: null, bytes: 4 });
  });
});
