// `rhythm run` as SPEC §5 describes it, through the built CLI: the `--json` document and exit
// codes for each outcome, load and usage errors, task mocks, signals, child workflows from the
// same folder, virtual time and the limit flags.

import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { jsonDocument, rhythm, tempFolder, type CliResult } from "./cli-process.js";

/** Runs `rhythm run` with cwd = a temp folder holding `files`, then removes the folder. */
function run(files: Record<string, string>, args: string[]): CliResult {
  const t = tempFolder(files);
  try {
    return rhythm(["run", ...args], t.dir);
  } finally {
    t.remove();
  }
}

const RUN_JSON_KEYS = ["status", "output", "error", "taskCalls"];

test("completed run: --json prints exactly {status, output, error, taskCalls} and exits 0", () => {
  const r = run(
    {
      "main.flow": 'const total = await Task.run("add", { a: Inputs.a, b: 2 })\nreturn { total, name: Inputs.name }\n',
      "mocks.json": '{ "add": { "returns": 42 } }',
    },
    ["main.flow", "--json", "--inputs", '{"a":1,"name":"ada"}', "--tasks", "mocks.json"],
  );
  assert.equal(r.code, 0, r.stderr);
  const doc = jsonDocument(r.stdout) as Record<string, unknown>;
  assert.deepEqual(Object.keys(doc), RUN_JSON_KEYS);
  assert.deepEqual(doc, {
    status: "completed",
    output: { total: 42, name: "ada" },
    error: null,
    taskCalls: [{ name: "add", inputs: { a: 1, b: 2 } }],
  });
});

test("failed run: --json carries the error object and exits 1", () => {
  const r = run(
    {
      "main.flow": 'await Task.run("first", {})\nthrow TypeError("bad input")\n',
      "mocks.json": '{ "first": { "returns": null } }',
    },
    ["main.flow", "--json", "--tasks", "mocks.json"],
  );
  assert.equal(r.code, 1, r.stderr);
  const doc = jsonDocument(r.stdout) as Record<string, unknown>;
  assert.deepEqual(Object.keys(doc), RUN_JSON_KEYS);
  assert.deepEqual(doc, {
    status: "failed",
    output: null,
    error: { name: "TypeError", type: "TypeError", message: "bad input" },
    taskCalls: [{ name: "first", inputs: {} }],
  });
});

test("suspended run (a signal nobody sends): --json status suspended, exit 1", () => {
  const r = run({ "main.flow": 'const ok = await Signal.next("approval")\nreturn ok\n' }, ["main.flow", "--json"]);
  assert.equal(r.code, 1, r.stderr);
  const doc = jsonDocument(r.stdout) as Record<string, unknown>;
  assert.deepEqual(Object.keys(doc), RUN_JSON_KEYS);
  assert.deepEqual(doc, { status: "suspended", output: null, error: null, taskCalls: [] });
});

test("without --json, a person gets the outcome and what a suspended workflow waits on", () => {
  const done = run({ "main.flow": "return { ok: true }\n" }, ["main.flow"]);
  assert.equal(done.code, 0);
  assert.equal(done.stdout, 'completed: {\n  "ok": true\n}\n');
  const waiting = run({ "main.flow": 'const ok = await Signal.next("approval")\nreturn ok\n' }, ["main.flow"]);
  assert.equal(waiting.code, 1);
  assert.equal(
    waiting.stdout,
    'suspended: the workflow waits for something that never happens in this run:\n  signal "approval" at main.flow:1:12 (in main)\n',
  );
});

test("a parse error prints file:line:col message on stderr and exits 2", () => {
  const r = run({ "broken.flow": "let x = 1\nx = (2 +\n" }, ["broken.flow", "--json"]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "");
  assert.equal(r.stderr, "broken.flow:3:1 unexpected end of file\n");
});

test("validation errors print one file:line:col message line each on stderr and exit 2", () => {
  const r = run({ "bad.flow": "var x = 1\nclass A {}\nreturn x\n" }, ["bad.flow"]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "");
  assert.equal(
    r.stderr,
    "bad.flow:1:1 `var` is not supported; use `let` or `const`\nbad.flow:2:1 `class` is not supported; use object literals and functions\n",
  );
});

test("--inputs that is not a JSON object is a usage error (exit 2)", () => {
  for (const inputs of ["[1,2]", "42", "null", '"text"', "true"]) {
    const r = run({ "main.flow": "return Inputs\n" }, ["main.flow", "--json", "--inputs", inputs]);
    assert.equal(r.code, 2, `--inputs ${inputs}`);
    assert.equal(r.stdout, "", `--inputs ${inputs}`);
    assert.equal(r.stderr, "rhythm run: --inputs must be a JSON object\n(see rhythm run --help)\n", `--inputs ${inputs}`);
  }
});

test("--inputs that is not JSON is a usage error (exit 2) naming the option", () => {
  const r = run({ "main.flow": "return Inputs\n" }, ["main.flow", "--json", "--inputs", "{a: 1}"]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /^rhythm run: --inputs is not valid JSON: /);
});

test("other usage errors exit 2: no file, two files, missing file, unknown option, bad --signal, bad limit, bad mocks", () => {
  const files = { "main.flow": "return 1\n", "bad-mocks.json": '{ "t": { "return": 1 } }' };
  const cases: [string[], string][] = [
    [[], "rhythm run: expected exactly one .flow file\n"],
    [["main.flow", "main.flow"], "rhythm run: expected exactly one .flow file\n"],
    [["missing.flow"], "rhythm run: no such file: missing.flow\n"],
    [["main.flow", "--tasks", "nope.json"], "rhythm run: no such mocks file: nope.json\n"],
    [["main.flow", "--signal", "no-equals-sign"], 'rhythm run: --signal must be NAME=JSON, got "no-equals-sign"\n'],
    [["main.flow", "--max-instructions", "0"], 'rhythm run: --max-instructions must be a positive integer, got "0"\n'],
    [["main.flow", "--max-call-depth", "1.5"], 'rhythm run: --max-call-depth must be a positive integer, got "1.5"\n'],
    [
      ["main.flow", "--tasks", "bad-mocks.json"],
      'rhythm run: --tasks bad-mocks.json: mock for task "t" must be { "returns": value }, { "fails": { "message": "…" } }, { "echo": true } or a list of those\n',
    ],
  ];
  for (const [args, first] of cases) {
    const r = run(files, args);
    assert.equal(r.code, 2, args.join(" "));
    assert.equal(r.stdout, "", args.join(" "));
    assert.equal(r.stderr, first + "(see rhythm run --help)\n", args.join(" "));
  }
  const unknown = run(files, ["main.flow", "--bogus"]);
  assert.equal(unknown.code, 2);
  assert.equal(unknown.stderr, "rhythm run: unknown option --bogus\n(see rhythm run --help)\n");
  const misspelt = run(files, ["main.flow", "--sginal", "go=1"]);
  assert.equal(misspelt.stderr, "rhythm run: unknown option --sginal; did you mean --signal?\n(see rhythm run --help)\n");
  const badSignal = run(files, ["main.flow", "--signal", "go={x"]);
  assert.equal(badSignal.code, 2);
  assert.match(badSignal.stderr, /^rhythm run: --signal go is not valid JSON: /);
});

test("mocks: returns, fails, echo and lists (last repeats), one counter per task name shared with children", () => {
  const main = [
    "const out = []",
    'out.push(await Task.run("seq", { i: 1 }))',
    'out.push(await Task.run("other", { i: 2 }))',
    'out.push(await Workflow.run("child", {}))',
    'out.push(await Task.run("seq", { i: 3 }))',
    'out.push(await Task.run("seq", { i: 4 }))',
    'out.push(await Task.run("other", { i: 5 }))',
    'try { await Task.run("charge", { cents: 100 }) } catch (e) { out.push(e) }',
    "return out",
  ].join("\n");
  const child = 'try { return await Task.run("seq", { from: "child" }) } catch (e) { return "child caught: " + e.message }\n';
  const mocks = {
    seq: [{ returns: "first" }, { fails: { message: "second fails" } }, { echo: true }, { returns: "last" }],
    other: { echo: true },
    charge: { fails: { message: "card declined", code: "E42" } },
  };
  const r = run({ "main.flow": main, "child.flow": child, "mocks.json": JSON.stringify(mocks) }, [
    "main.flow",
    "--json",
    "--tasks",
    "mocks.json",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(jsonDocument(r.stdout), {
    status: "completed",
    output: [
      "first", // seq call 1
      { i: 2 }, // other: echo
      "child caught: second fails", // seq call 2, made by the child: same counter
      { i: 3 }, // seq call 3: echo
      "last", // seq call 4
      { i: 5 }, // other call 2: a single mock answers every call
      {
        name: "TaskError",
        type: "TaskError",
        message: "card declined",
        task: "charge",
        attempts: 1,
        cause: { name: "Error", message: "card declined", code: "E42" },
      },
    ],
    error: null,
    // Only the root's calls, in call order, with their inputs as given.
    taskCalls: [
      { name: "seq", inputs: { i: 1 } },
      { name: "other", inputs: { i: 2 } },
      { name: "seq", inputs: { i: 3 } },
      { name: "seq", inputs: { i: 4 } },
      { name: "other", inputs: { i: 5 } },
      { name: "charge", inputs: { cents: 100 } },
    ],
  });
});

test("the last entry of a mock list repeats for every later call", () => {
  const main = 'const out = []\nfor (let i = 0; i < 5; i++) out.push(await Task.run("t", { i }))\nreturn out\n';
  const r = run({ "main.flow": main, "mocks.json": '{ "t": [{ "returns": "a" }, { "returns": "b" }] }' }, [
    "main.flow",
    "--json",
    "--tasks",
    "mocks.json",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual((jsonDocument(r.stdout) as { output: unknown }).output, ["a", "b", "b", "b", "b"]);
});

test("a task with no mock is called and listed, and its handle fails with a TaskError naming it", () => {
  const r = run(
    { "main.flow": 'await Task.run("ship", { box: 7 })\nreturn "unreachable"\n', "mocks.json": '{ "other": { "returns": 1 } }' },
    ["main.flow", "--json", "--tasks", "mocks.json"],
  );
  assert.equal(r.code, 1, r.stderr);
  const message = 'no mock for task "ship" (add one to the mocks file)';
  assert.deepEqual(jsonDocument(r.stdout), {
    status: "failed",
    output: null,
    error: { name: "TaskError", type: "TaskError", message, task: "ship", attempts: 1, cause: { name: "Error", message } },
    taskCalls: [{ name: "ship", inputs: { box: 7 } }],
  });
});

test("without --tasks every task is unmocked", () => {
  const r = run({ "main.flow": 'try { await Task.run("email", {}) } catch (e) { return [e.type, e.task] }\n' }, [
    "main.flow",
    "--json",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(jsonDocument(r.stdout), {
    status: "completed",
    output: ["TaskError", "email"],
    error: null,
    taskCalls: [{ name: "email", inputs: {} }],
  });
});

test("--signal name=JSON signals are buffered before the start and delivered in order", () => {
  const main = [
    "await Timer.delay(5)", // the waits are created later: the signals wait in the buffer
    'const a = await Signal.next("approve")',
    'const other = await Signal.next("note")',
    'const b = await Signal.next("approve")',
    "return [a, b, other]",
  ].join("\n");
  const r = run({ "main.flow": main }, [
    "main.flow",
    "--json",
    "--signal",
    'approve={"by":"ann"}',
    "--signal",
    'note="hello=world"',
    "--signal",
    "approve=2",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(jsonDocument(r.stdout), {
    status: "completed",
    output: [{ by: "ann" }, 2, "hello=world"],
    error: null,
    taskCalls: [],
  });
});

test("a signal wait with no matching --signal leaves the run suspended", () => {
  const main = 'const a = await Signal.next("approve")\nconst b = await Signal.next("approve")\nreturn [a, b]\n';
  const r = run({ "main.flow": main }, ["main.flow", "--json", "--signal", "approve=1"]);
  assert.equal(r.code, 1);
  assert.deepEqual(jsonDocument(r.stdout), { status: "suspended", output: null, error: null, taskCalls: [] });
});

test('Workflow.run("x") loads x.flow from the folder of the file, not the working directory', () => {
  const t = tempFolder({
    "flows/parent.flow":
      'const a = await Workflow.run("double", { n: 21 })\nconst b = await Workflow.run("double", { n: a })\nreturn [a, b]\n',
    "flows/double.flow": "return Inputs.n * 2\n",
    "double.flow": "return -1\n", // a decoy in the working directory
  });
  try {
    const r = rhythm(["run", join(t.dir, "flows", "parent.flow"), "--json"], t.dir);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(jsonDocument(r.stdout), { status: "completed", output: [42, 84], error: null, taskCalls: [] });
  } finally {
    t.remove();
  }
});

test("Workflow.run of a name with no file next to the workflow throws WorkflowError at the call", () => {
  const r = run({ "main.flow": 'try { Workflow.run("ghost", {}) } catch (e) { return e }\nreturn "not thrown"\n' }, [
    "main.flow",
    "--json",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(jsonDocument(r.stdout), {
    status: "completed",
    output: {
      name: "WorkflowError",
      type: "WorkflowError",
      message: 'unknown workflow "ghost": no stored definition has that name',
      workflow: "ghost",
    },
    error: null,
    taskCalls: [],
  });
});

test('timers use virtual time: Timer.delay("7d") finishes at once with the clock 7 days later', () => {
  const started = Date.now();
  const r = run(
    {
      "main.flow":
        'const t0 = Date.now()\nawait Timer.delay("7d")\nconst t1 = Date.now()\nawait Timer.delay(1.5)\nreturn [t1 - t0, Date.now() - t1]\n',
    },
    ["main.flow", "--json"],
  );
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(jsonDocument(r.stdout), {
    status: "completed",
    output: [7 * 24 * 3600 * 1000, 1500],
    error: null,
    taskCalls: [],
  });
  assert.ok(Date.now() - started < 30_000, "the run took real time");
});

test("--max-instructions 1000 makes while(true){} fail with a RangeError that catch cannot intercept", () => {
  const message =
    "instruction limit exceeded: more than 1000 instructions in one activation (an endless loop? raise it with the maxInstructions limit)";
  for (const source of ["while (true) {}\n", 'try { while (true) {} } catch (e) { return "caught" }\n']) {
    const r = run({ "main.flow": source }, ["main.flow", "--json", "--max-instructions", "1000"]);
    assert.equal(r.code, 1, source);
    assert.deepEqual(
      jsonDocument(r.stdout),
      { status: "failed", output: null, error: { name: "RangeError", type: "RangeError", message }, taskCalls: [] },
      source,
    );
  }
});

test("--max-call-depth and --max-state-bytes are enforced; without them the same files complete", () => {
  const deep = "function f(n) { return n === 0 ? 0 : 1 + f(n - 1) }\nreturn f(100)\n";
  const limited = run({ "main.flow": deep }, ["main.flow", "--json", "--max-call-depth", "50"]);
  assert.equal(limited.code, 1);
  assert.deepEqual(jsonDocument(limited.stdout), {
    status: "failed",
    output: null,
    error: {
      name: "RangeError",
      type: "RangeError",
      message: "call depth limit exceeded: more than 50 nested calls (raise it with the maxCallDepth limit)",
    },
    taskCalls: [],
  });
  assert.deepEqual(jsonDocument(run({ "main.flow": deep }, ["main.flow", "--json"]).stdout), {
    status: "completed",
    output: 100,
    error: null,
    taskCalls: [],
  });

  const big =
    'const big = []\nfor (let i = 0; i < 100; i++) big.push("item number " + i)\nawait Timer.delay(1)\nreturn big.length\n';
  const tooBig = run({ "main.flow": big }, ["main.flow", "--json", "--max-state-bytes", "500"]);
  assert.equal(tooBig.code, 1);
  const doc = jsonDocument(tooBig.stdout) as { status: string; error: { name: string; type: string; message: string } };
  assert.equal(doc.status, "failed");
  assert.equal(doc.error.type, "RangeError");
  assert.equal(doc.error.name, "RangeError");
  assert.match(
    doc.error.message,
    /^state size limit exceeded: the saved state would be (at least )?\d+ bytes, more than the limit of 500 \(raise it with the maxStateBytes limit\)$/,
  );
  assert.deepEqual(jsonDocument(run({ "main.flow": big }, ["main.flow", "--json"]).stdout), {
    status: "completed",
    output: 100,
    error: null,
    taskCalls: [],
  });
});

test("with --json, console.log lines go to stderr so stdout stays one JSON document", () => {
  const r = run({ "main.flow": 'console.log("hello", 1)\nreturn null\n' }, ["main.flow", "--json"]);
  assert.equal(r.code, 0);
  assert.deepEqual(jsonDocument(r.stdout), { status: "completed", output: null, error: null, taskCalls: [] });
  assert.equal(r.stderr, "[main:1] hello 1\n");
});

test("--help of run, of check and of the CLI exit 0; an unknown command exits 2", () => {
  const t = tempFolder();
  try {
    const runHelp = rhythm(["run", "--help"], t.dir);
    assert.equal(runHelp.code, 0);
    assert.match(runHelp.stdout, /^Usage: rhythm run <file\.flow> \[options\]\n/);
    const checkHelp = rhythm(["check", "-h"], t.dir);
    assert.equal(checkHelp.code, 0);
    assert.match(checkHelp.stdout, /^Usage: rhythm check \[paths…\] \[--json\]\n/);
    const top = rhythm(["--help"], t.dir);
    assert.equal(top.code, 0);
    assert.match(top.stdout, /\n {2}run {4}run a workflow in memory/);
    assert.match(top.stdout, /\n {2}check {2}validate \.flow files/);
    const unknown = rhythm(["frobnicate"], t.dir);
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stdout, "");
    assert.match(unknown.stderr, /^rhythm: unknown command "frobnicate"\n/);
    const none = rhythm([], t.dir);
    assert.equal(none.code, 2);
  } finally {
    t.remove();
  }
});
