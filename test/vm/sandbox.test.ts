// The sandbox: .flow code cannot reach the host. Prototype keys built at run time, constructor
// chains, built-in functions' members and hostile JSON must neither escape nor pollute anything.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { checkFlow } from "../../src/lang/index.js";
import { runFlowFile } from "../../src/testing/index.js";

const dir = mkdtempSync(join(tmpdir(), "rhythm-sandbox-"));
after(() => rmSync(dir, { recursive: true, force: true }));

async function run(source: string, inputs: unknown = {}) {
  const file = join(dir, `case${Math.random().toString(36).slice(2)}.flow`);
  writeFileSync(file, source);
  return runFlowFile(file, { inputs });
}

function hostIsClean(): void {
  assert.deepEqual(
    Object.getOwnPropertyNames(Object.prototype).sort(),
    Object.getOwnPropertyNames(Object.getPrototypeOf({})).sort(),
  );
  for (const probe of [{}, [], "", () => 0]) assert.equal((probe as { polluted?: unknown }).polluted, undefined);
  assert.equal((Object.prototype as { polluted?: unknown }).polluted, undefined);
  assert.equal((Array.prototype as { polluted?: unknown }).polluted, undefined);
}

const P = '"__pro" + "to__"';
const C = '"constr" + "uctor"';

const escapes: [string, string, unknown][] = [
  ["computed __proto__ reads nothing", `const o = {}; return [o[${P}] === undefined, typeof o[${P}]]`, [true, "undefined"]],
  [
    "computed __proto__ write makes a plain key",
    `const o = {}; o[${P}] = { polluted: 1 }; return [Object.keys(o), ({}).polluted]`,
    [["__proto__"], null],
  ],
  [
    "constructor of an object, array, string, number, function",
    `return [({})[${C}], [][${C}], ""[${C}], (1)[${C}], (() => 1)[${C}]].map((x) => typeof x)`,
    ["undefined", "undefined", "undefined", "undefined", "undefined"],
  ],
  [
    "members of built-in functions",
    `return [Math[${C}], Task.run[${C}], [].map[${C}], JSON.parse["call"], String["proto" + "type"]].map((x) => typeof x)`,
    ["undefined", "undefined", "undefined", "undefined", "undefined"],
  ],
  [
    "no prototype readers on Object",
    `return ["getPrototypeOf", "setPrototypeOf", "defineProperty", "create", "getOwnPropertyDescriptor"].map((k) => typeof Object[k])`,
    ["undefined", "undefined", "undefined", "undefined", "undefined"],
  ],
  [
    "array named __proto__ key stays own data",
    `const a = [1]; a[${P}] = { polluted: 1 }; return [a.length, a[0], [].polluted]`,
    [1, 1, null],
  ],
  [
    "JSON.parse with __proto__",
    `const o = JSON.parse('{"__proto__": {"polluted": 1}}'); return [Object.keys(o), o.polluted, ({}).polluted]`,
    [["__proto__"], null, null],
  ],
  [
    "Object.assign of a __proto__ key",
    `const o = Object.assign({}, JSON.parse('{"__proto__": {"polluted": 1}}')); return [Object.keys(o), ({}).polluted]`,
    [["__proto__"], null],
  ],
  [
    "spread of a __proto__ key",
    `const o = { ...JSON.parse('{"__proto__": {"polluted": 1}}') }; return [Object.keys(o), ({}).polluted]`,
    [["__proto__"], null],
  ],
];

for (const [name, source, expected] of escapes) {
  test(`sandbox: ${name}`, async () => {
    const r = await run(source);
    assert.equal(r.status, "completed", JSON.stringify(r.error));
    assert.deepEqual(r.output, expected);
    hostIsClean();
  });
}

test("sandbox: inputs carrying __proto__ and constructor keys pollute nothing", async () => {
  const inputs = JSON.parse(
    '{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"polluted": 1}}, "nested": {"__proto__": {"polluted": 2}}}',
  );
  const r = await run("return [Object.keys(Inputs), Inputs.nested.polluted, ({}).polluted, Object.keys(Inputs.nested)]", inputs);
  assert.deepEqual(r.output, [["__proto__", "constructor", "nested"], null, null, ["__proto__"]]);
  hostIsClean();
});

test("sandbox: host names are not globals (load errors, nothing runs)", () => {
  for (const name of [
    "globalThis",
    "process",
    "require",
    "Function",
    "eval",
    "setTimeout",
    "fetch",
    "Reflect",
    "Proxy",
    "Symbol",
  ]) {
    const errors = checkFlow(`${name}`, "x.flow");
    assert.ok(errors.length >= 1, `${name} should not load`);
  }
});

test("sandbox: literal prototype access is refused when the file loads", () => {
  for (const src of [
    "const o = {}; o.__proto__",
    "[].constructor",
    "Math.prototype",
    'const o = {}; o["constructor"]',
    "new Error('x')",
    "this",
  ]) {
    assert.ok(checkFlow(src, "x.flow").length >= 1, `${src} should not load`);
  }
});

test("sandbox: huge values and deep recursion end in limits, not host crashes", async () => {
  const big = await run('const parts = []; let s = "x"; for (let i = 0; i < 40; i++) s = s + s; return s.length');
  assert.equal(big.status, "failed");
  assert.match((big.error as { message: string }).message, /state size limit/);
  const deep = await run("function f(n) { return f(n + 1) } try { f(0) } catch (e) { return 'caught' }");
  assert.equal(deep.status, "failed");
  assert.match((deep.error as { message: string }).message, /call depth limit/);
  const repeat = await run('return "ab".repeat(2 ** 30).length');
  assert.match((repeat.error as { message: string }).message, /state size limit/);
  hostIsClean();
});

test("sandbox: no constructor or prototype through handles, promises, built-ins or functions of any kind", async () => {
  const reached = [
    "Timer.delay(1)",
    "(async () => 1)()",
    "Promise.all([])",
    "Promise.race",
    "Promise",
    "Error",
    'Error("x")',
    "JSON",
    "JSON.parse",
    "console.log",
    "Object",
    "Object.assign",
    "Context",
    "Inputs",
    "Task",
    "Workflow",
    "Signal.next",
    "Math",
    '"".toString',
    "(1).toFixed",
    "[].map",
    "Array.from",
    "Array",
    "Date.now",
    "Date",
    "(function () {})",
    "(async function () {})",
    "(async () => 1)",
    "true",
    "NaN",
  ];
  const keys = [C, P, '"proto" + "type"', '"th" + "en"', '"ca" + "ll"', '"app" + "ly"', '"bi" + "nd"', '"__define" + "Getter__"'];
  const source = `const keys = [${keys.join(", ")}]
const found = []
const values = [${reached.join(", ")}]
values.forEach((v, i) => { for (const k of keys) { if (v[k] !== undefined) found.push(i + ":" + k) } })
return found`;
  for (const resumeMode of [false, true]) {
    const file = join(dir, `reach${resumeMode}.flow`);
    writeFileSync(file, source);
    const r = await runFlowFile(file, { resumeMode });
    assert.equal(r.status, "completed", JSON.stringify(r.error));
    assert.deepEqual(r.output, []);
  }
  hostIsClean();
});

test('sandbox: no Function through any chain: ({}).constructor.constructor("return process")() and variants', async () => {
  for (const holder of ["({})", "[]", '""', "(() => 1)", "Promise.all([])", "Timer.delay(1)", "Math.max", "Error('x')"]) {
    const r = await run(`const f = ${holder}[${C}]?.[${C}]; return typeof f === "function" ? f("return process")() : typeof f`);
    assert.equal(r.status, "completed", `${holder}: ${JSON.stringify(r.error)}`);
    assert.equal(r.output, "undefined", holder);
  }
  // calling undefined as a function is an ordinary TypeError inside the workflow
  const called = await run(`return ({})[${C}][${C}]("return process")()`);
  assert.equal(called.status, "failed");
  assert.equal((called.error as { type: string }).type, "TypeError");
  hostIsClean();
});

test("sandbox: built-in namespaces are read-only, and nothing one workflow does carries over to the next", async () => {
  const attempts = [
    'const m = Math; m["abs"] = 5',
    'const t = Task; t["run"] = () => 1',
    'const c = console; c["log"] = 5',
    'const o = Object; o["keys"] = 5',
    'const f = Math.max; f["polluted"] = 1',
    "Object.assign(Math, { abs: 5 })",
    'const j = JSON; j["parse"] = 1',
  ];
  for (const attempt of attempts) {
    const r = await run(`try { ${attempt} } catch (e) { return e.type } return "changed"`);
    assert.equal(r.status, "completed", JSON.stringify(r.error));
    assert.equal(r.output, "TypeError", attempt);
  }
  const later = await run(
    "return [typeof Math.abs, typeof Task.run, typeof console.log, typeof Object.keys, Math.max.polluted, typeof JSON.parse]",
  );
  assert.deepEqual(later.output, ["function", "function", "function", "function", null, "function"]);
  hostIsClean();
});

test("sandbox: calls nested through built-ins that use up the host stack fail the workflow with a RangeError catch cannot stop", async () => {
  const programs = {
    "sort comparators": "function f(n) { return n === 0 ? 0 : [n, 1].sort((a, b) => f(n - 1) + a - b)[0] }",
    "toString coercions": 'function f(n) { return n === 0 ? "" : String({ toString: () => f(n - 1) }) }',
    "JSON.parse revivers": 'function f(n) { return n === 0 ? 0 : JSON.parse("[1]", (k, v) => (k === "" ? f(n - 1) : v)) }',
    "valueOf coercions": "function f(n) { return n === 0 ? 0 : +{ valueOf: () => f(n - 1) } }",
    "map callbacks": "function f(n) { return n === 0 ? 0 : [n].map((x) => f(x - 1))[0] }",
  };
  for (const [what, fn] of Object.entries(programs)) {
    for (const resumeMode of [false, true]) {
      const file = join(dir, `stack${Math.random().toString(36).slice(2)}.flow`);
      writeFileSync(file, `${fn}\nawait Timer.delay(1)\ntry { return f(100000) } catch (e) { return "caught: " + e.message }`);
      const r = await runFlowFile(file, { resumeMode, limits: { maxCallDepth: 1_000_000, maxInstructions: 100_000_000 } });
      assert.equal(r.status, "failed", `${what}: ${JSON.stringify(r.output)}`);
      assert.equal((r.error as { type: string }).type, "RangeError", what);
      assert.match((r.error as { message: string }).message, /call depth limit exceeded/, what);
    }
  }
  hostIsClean();
});

test("sandbox: spreading a huge array into a built-in is a RangeError the workflow can catch, as in JavaScript", async () => {
  for (const call of ["Math.max(...a)", "String.fromCharCode(...a)", "[].unshift(...a)", '"".concat(...a)']) {
    // a million arguments take 8 MB of host stack: more than V8 has, so it throws, and so does .flow
    const r = await run(
      `const a = "1".repeat(1000000).split(""); try { ${call}; return "ran" } catch (e) { return [e.type, e.message] }`,
    );
    assert.equal(r.status, "completed", `${call}: ${JSON.stringify(r.error)}`);
    assert.deepEqual(r.output, ["RangeError", "Maximum call stack size exceeded"], call);
  }
  hostIsClean();
});
