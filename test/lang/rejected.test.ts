// One row per construct outside the .flow subset (SPEC §2.1): each must be reported at its own
// line and column with the exact message, which names the construct and the alternative.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { problems, type Row } from "./problems.js";

const BITWISE = "use arithmetic such as `Math.trunc`, `Math.floor` or `%`";
const LABEL = "use a flag variable, or move the loop into a function and `return`";
const TASK = "run TypeScript code in a task with `Task.run(…)`";

const rows: Row[] = [
  ["class A {}", ["1:1 `class` is not supported; use object literals and functions"]],
  ["const A = class {};", ["1:11 `class` is not supported; use object literals and functions"]],
  ['throw new Error("x");', ['1:7 `new` is not supported; call `Error("…")` without `new`']],
  ['throw new TypeError("x");', ['1:7 `new` is not supported; call `TypeError("…")` without `new`']],
  ['throw new RangeError("x");', ['1:7 `new` is not supported; call `RangeError("…")` without `new`']],
  ["const d = new Date();", ["1:11 `new` is not supported; use `Date.now()` for the current time"]],
  ["const p = new Promise(() => {});", ["1:11 `new` is not supported; use an `async` function instead of `new Promise`"]],
  ["const o = new Object();", ["1:11 `new` is not supported; use object literals and functions"]],
  ["const t = this;", ["1:11 `this` is not supported; pass the object as a parameter"]],
  ["var a = 1;", ["1:1 `var` is not supported; use `let` or `const`"]],
  ["for (var i = 0; i < 2; i++) {}", ["1:6 `var` is not supported; use `let` or `const`"]],
  ["{ var inner = 1; }\nreturn inner;", ["1:3 `var` is not supported; use `let` or `const`"]],
  ["using r = Inputs;", ["1:1 `using` declarations are not supported; use `let` or `const`"]],
  ['import x from "x";', [`1:1 \`import\` is not supported; ${TASK}`]],
  ['import * as ns from "x";\nreturn ns;', [`1:1 \`import\` is not supported; ${TASK}`]],
  ['const m = import("x");', [`1:11 \`import()\` is not supported; ${TASK}`]],
  ["const u = import.meta.url;", ["1:11 `import.meta` is not supported; use `Context` for facts about the execution"]],
  ["export const a = 1;", ["1:1 `export` is not supported; `return` the workflow's output instead"]],
  ["export default 1;", ["1:1 `export` is not supported; `return` the workflow's output instead"]],
  ['export * from "x";', ["1:1 `export` is not supported; `return` the workflow's output instead"]],
  ['eval("1");', ["1:1 `eval` is not supported; workflows cannot run code from strings"]],
  ["const e = eval;", ["1:11 `eval` is not supported; workflows cannot run code from strings"]],
  ["function f() { return arguments.length; }", ["1:23 `arguments` is not supported; use a rest parameter `(...args)`"]],
  ["with (Inputs) {}", ["1:1 `with` is not supported; refer to the object's properties directly"]],
  [
    "outer: for (const a of []) { break outer; }",
    [`1:1 label \`outer:\` is not supported; ${LABEL}`, `1:30 labeled \`break outer\` is not supported; ${LABEL}`],
  ],
  [
    "outer: while (true) { continue outer; }",
    [`1:1 label \`outer:\` is not supported; ${LABEL}`, `1:23 labeled \`continue outer\` is not supported; ${LABEL}`],
  ],
  ["block: { }", [`1:1 label \`block:\` is not supported; ${LABEL}`]],
  ["while (true) { break nowhere; }", [`1:16 labeled \`break nowhere\` is not supported; ${LABEL}`]],
  ["function* g() {}", ["1:1 generator function `function*` is not supported; return an array instead"]],
  ["const g = function* () {};", ["1:11 generator function `function*` is not supported; return an array instead"]],
  [
    "async function* g() {}",
    ["1:1 async generator function `async function*` is not supported; use an `async function` that returns an array"],
  ],
  [
    "function* g() { yield 1; }",
    [
      "1:1 generator function `function*` is not supported; return an array instead",
      "1:17 `yield` is not supported; return an array instead",
    ],
  ],
  ["yield 1;", ["1:1 `yield` is not supported; return an array instead"]],
  ["const o = { get x() { return 1; } };", ["1:13 getter `get x()` is not supported; use a plain property or a function"]],
  ["const o = { set x(v) {} };", ["1:13 setter `set x(…)` is not supported; use a plain property or a function"]],
  [
    "const o = { f() { return 1; } };",
    ["1:13 method shorthand `f() { … }` is not supported; write `f: function () { … }` or `f: () => …`"],
  ],
  [
    "const o = { async f() {} };",
    ["1:13 method shorthand `async f() { … }` is not supported; write `f: async function () { … }` or `f: async () => …`"],
  ],
  [
    'const o = { "a b"() {} };',
    ['1:13 method shorthand `"a b"() { … }` is not supported; write `"a b": function () { … }` or `"a b": () => …`'],
  ],
  [
    "const o = { *g() {} };",
    [
      "1:13 method shorthand `g() { … }` is not supported; write `g: function () { … }` or `g: () => …`",
      "1:13 generator function `function*` is not supported; return an array instead",
    ],
  ],
  [
    'const ok = /^a+$/.test("aa");',
    ["1:12 regular expression literals are not supported; use string methods such as `split`, `includes` or `replaceAll`"],
  ],
  [
    "const o = { a: 1 };\ndelete o.a;",
    ["2:1 `delete` is not supported; build a new object without the key, e.g. `const { key, ...rest } = obj`"],
  ],
  ["const u = void 0;", ["1:11 `void` is not supported; use `undefined`"]],
  ["const n = ~5;", [`1:11 bitwise operator \`~\` is not supported; ${BITWISE}`]],
  ["const n = 5 & 3;", [`1:13 bitwise operator \`&\` is not supported; ${BITWISE}`]],
  ["const n = 5 | 0;", [`1:13 bitwise operator \`|\` is not supported; ${BITWISE}`]],
  ["const n = 5 ^ 3;", [`1:13 bitwise operator \`^\` is not supported; ${BITWISE}`]],
  ["const n = 5 << 1;", [`1:13 bitwise operator \`<<\` is not supported; ${BITWISE}`]],
  ["const n = 5 >> 1;", [`1:13 bitwise operator \`>>\` is not supported; ${BITWISE}`]],
  ["const n = (5) /* c */ >>> 1;", [`1:23 bitwise operator \`>>>\` is not supported; ${BITWISE}`]],
  ["let n = 5;\nn |= 1;", [`2:3 bitwise operator \`|=\` is not supported; ${BITWISE}`]],
  ["let n = 5;\nn &= 1;", [`2:3 bitwise operator \`&=\` is not supported; ${BITWISE}`]],
  ["let n = 5;\nn ^= 1;", [`2:3 bitwise operator \`^=\` is not supported; ${BITWISE}`]],
  ["let n = 5;\nn <<= 1;", [`2:3 bitwise operator \`<<=\` is not supported; ${BITWISE}`]],
  ["let n = 5;\nn >>= 1;", [`2:3 bitwise operator \`>>=\` is not supported; ${BITWISE}`]],
  ["let n = 5;\nn >>>= 1;", [`2:3 bitwise operator \`>>>=\` is not supported; ${BITWISE}`]],
  ["let n = 5;\nn **= 2;", ["2:3 `**=` is not supported; write `x = x ** y`"]],
  ['const has = "a" in Inputs;', ["1:17 the `in` operator is not supported; use `Object.hasOwn(obj, key)`"]],
  ["const is = Inputs instanceof Object;", ["1:19 `instanceof` is not supported; use `Array.isArray(x)` or `typeof x`"]],
  [
    "let a = 1;\na++, a++;",
    ["2:4 the comma operator is not supported; write separate statements (commas are allowed in `for (;;)` heads)"],
  ],
  [
    "const f = () => (1, 2);",
    ["1:19 the comma operator is not supported; write separate statements (commas are allowed in `for (;;)` heads)"],
  ],
  [
    "const tag = (s) => s;\nconst t = tag`x`;",
    ["2:11 tagged templates are not supported; call the function with the template literal as its argument"],
  ],
  ["function f() { return new.target; }", ["1:23 `new.target` is not supported"]],
  ["const s = super.x;", ["1:11 `super` is not supported; use object literals and functions"]],
  ["debugger;", ["1:1 `debugger` is not supported; use `console.log(…)`"]],
  ["const big = 10n;", ["1:13 bigint literal `10n` is not supported; use a number"]],
  [
    "for await (const x of Inputs.list) {}",
    ["1:1 `for await` is not supported; use `for (const x of items)` with `await` inside the loop"],
  ],
  // Prototype access, by member, index, optional chain, destructuring and object key.
  ["const c = Inputs.constructor;", ["1:18 access to `constructor` is not supported; workflows cannot reach prototypes"]],
  ["const p = Inputs.__proto__;", ["1:18 access to `__proto__` is not supported; workflows cannot reach prototypes"]],
  ["const p = Object.prototype;", ["1:18 access to `prototype` is not supported; workflows cannot reach prototypes"]],
  ['const p = Inputs["__proto__"];', ["1:18 access to `__proto__` is not supported; workflows cannot reach prototypes"]],
  ["const p = Inputs[`constructor`];", ["1:18 access to `constructor` is not supported; workflows cannot reach prototypes"]],
  ["const p = Inputs?.prototype;", ["1:19 access to `prototype` is not supported; workflows cannot reach prototypes"]],
  ["const { constructor: c } = Inputs;", ["1:9 access to `constructor` is not supported; workflows cannot reach prototypes"]],
  ["const o = { __proto__: null };", ["1:13 property name `__proto__` is not supported; choose another name"]],
  ['const o = { "prototype": 1 };', ["1:13 property name `prototype` is not supported; choose another name"]],
  ['const o = { ["constructor"]: 1 };', ["1:14 property name `constructor` is not supported; choose another name"]],
];

describe("rejected constructs", () => {
  for (const [source, expected] of rows) {
    it(source, () => assert.deepEqual(problems(source), expected));
  }
});
