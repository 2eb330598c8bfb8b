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
