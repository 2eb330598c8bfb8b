// Names: unknown names (with "did you mean"), assignments to constants and built-ins in every
// form, and the scoping rules the checker follows (blocks, hoisting, loops, catch, switch, params).

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { FLOW_GLOBALS } from "../../src/lang/index.js";
import { problems, type Row } from "./problems.js";

const CONST_X = "cannot assign to `x` because it is a constant (declared with `const` at 1:7)";
const builtin = (name: string) =>
  `cannot assign to \`${name}\` because it is a built-in; declare a new variable with \`let\` instead`;

const unknownNames: Row[] = [
  ['Tsk.run("a");', ["1:1 unknown name `Tsk`; did you mean `Task`?"]],
  ['Tsak.run("a");', ["1:1 unknown name `Tsak`; did you mean `Task`?"]],
  ["return inputs.a;", ["1:8 unknown name `inputs`; did you mean `Inputs`?"]],
  ["const total = 1;\nreturn totl;", ["2:8 unknown name `totl`; did you mean `total`?"]],
  ["return missing;", ["1:8 unknown name `missing`"]],
  ["return q;", ["1:8 unknown name `q`"]],
  [
    "return typeof window;",
    ["1:15 unknown name `window`; workflows cannot reach the host; run TypeScript code in a task with `Task.run(…)`"],
  ],
  ["setTimeout(() => 1, 10);", ["1:1 unknown name `setTimeout`; use `await Timer.delay(…)`"]],
  [
    'const r = await fetch("https://x");',
    ["1:17 unknown name `fetch`; workflows cannot reach the host; run TypeScript code in a task with `Task.run(…)`"],
  ],
  ["const m = Map;", ["1:11 unknown name `Map`; use a plain object"]],
  ["const s = Set;", ["1:11 unknown name `Set`; use an array or a plain object"]],
  ["x = 1;", ["1:1 unknown name `x`"]],
  ["counter++;", ["1:1 unknown name `counter`"]],
  ["{ const inner = 1; }\nreturn inner;", ["2:8 unknown name `inner`"]],
  ["for (let i = 0; i < 1; i++) {}\nreturn i;", ["2:8 unknown name `i`"]],
  ["try {} catch (err) {}\nreturn err;", ["2:8 unknown name `err`"]],
  ["function f(a = b) { const b = 1; return a; }", ["1:16 unknown name `b`"]],
  ["const f = function g() {};\nreturn g;", ["2:8 unknown name `g`"]],
  ["switch (1) { case 1: const c = 1; }\nreturn c;", ["2:8 unknown name `c`"]],
];

const acceptedNames: string[] = [
  FLOW_GLOBALS.map((g) => `console.log(${g});`).join("\n"),
  "return later();\nfunction later() { return value; }\nconst value = 1;",
  "const f = () => laterConst;\nconst laterConst = 1;\nreturn f();",
  "{ function inBlock() { return 1; } inBlock(); }",
  "for (const item of [1]) { console.log(item); }\nfor (const k in {}) { console.log(k); }",
  "try { throw 1; } catch (e) { console.log(e); }",
  "try { throw 1; } catch ({ message, ...rest }) { console.log(message, rest); }",
  "switch (Inputs.k) { case 1: let a = 1; break; default: a = 2; }",
  "const f = function fact(n) { return n <= 1 ? 1 : n * fact(n - 1); };",
  "function f(a, b = a, ...rest) { return [a, b, rest]; }",
  "const f = ({ a, b: [c] = [] }, ...more) => a + c + more.length;",
  "function again() {}\nagain = () => 1;",
  "let Inputs = 1; Inputs = 2; const Math = 3; let undefined = 4; undefined = 5;",
  "const o = { x: 1 };\no.x = 2; o['y'] = 3; Inputs.z = 4;",
  "let a, b;\n[a, b] = [1, 2];\n({ a, b = 3 } = {});\n[a, ...b] = [1];",
];

const constAssignments: Row[] = [
  ["const x = 1;\nx = 2;", [`2:1 ${CONST_X}`]],
  ["const x = 1;\nx += 2;", [`2:1 ${CONST_X}`]],
  ["const x = 1;\nx -= 2;", [`2:1 ${CONST_X}`]],
  ["const x = 1;\nx *= 2;", [`2:1 ${CONST_X}`]],
  ["const x = 1;\nx /= 2;", [`2:1 ${CONST_X}`]],
  ["const x = 1;\nx %= 2;", [`2:1 ${CONST_X}`]],
  ["const x = 1;\nx ??= 2;", [`2:1 ${CONST_X}`]],
  ["const x = 1;\nx ||= 2;", [`2:1 ${CONST_X}`]],
  ["const x = 1;\nx &&= 2;", [`2:1 ${CONST_X}`]],
  ["const x = 1;\nx++;", [`2:1 ${CONST_X}`]],
  ["const x = 1;\n--x;", [`2:3 ${CONST_X}`]],
  ["const x = 1;\n[x] = [2];", [`2:2 ${CONST_X}`]],
  ["const x = 1;\n({ x } = {});", [`2:4 ${CONST_X}`]],
  ["const x = 1;\n({ a: x = 3 } = {});", [`2:7 ${CONST_X}`]],
  ["const x = 1;\n[...x] = [];", [`2:5 ${CONST_X}`]],
  ["const x = 1;\nfor (x of [1]) {}", [`2:6 ${CONST_X}`]],
  ["const x = 1;\nfor (x in {}) {}", [`2:6 ${CONST_X}`]],
  ["const x = 1;\nconst f = () => { x = 2; };", [`2:19 ${CONST_X}`]],
  ["for (const i = 0; i < 2; i++) {}", ["1:26 cannot assign to `i` because it is a constant (declared with `const` at 1:12)"]],
  [
    "for (const item of [1]) { item = 2; }",
    ["1:27 cannot assign to `item` because it is a constant (declared with `const` at 1:12)"],
  ],
  [
    "const { a, b: [c] } = Inputs;\nc = 1;",
    ["2:1 cannot assign to `c` because it is a constant (declared with `const` at 1:16)"],
  ],
  [
    "const f = function g() { g = 1; };",
    ["1:26 cannot assign to `g` because it is the name of its own function expression (at 1:20)"],
  ],
];

const globalMisuse: Row[] = [
  ["Inputs = {};", [`1:1 ${builtin("Inputs")}`]],
  ["Math = 2;", [`1:1 ${builtin("Math")}`]],
  ["undefined = 1;", [`1:1 ${builtin("undefined")}`]],
  ["NaN = 1;", [`1:1 ${builtin("NaN")}`]],
  ["Task += 1;", [`1:1 ${builtin("Task")}`]],
  ["Context++;", [`1:1 ${builtin("Context")}`]],
  ["[console] = [];", [`1:2 ${builtin("console")}`]],
  ["for (JSON of []) {}", [`1:6 ${builtin("JSON")}`]],
  ["const f = () => { Promise = null; };", [`1:19 ${builtin("Promise")}`]],
];

const reservedAndDuplicates: Row[] = [
  ["let x = 1;\nlet x = 2;", ["2:5 `x` is already declared in this scope"]],
  ["const x = 1;\nfunction x() {}", ["2:10 `x` is already declared in this scope"]],
  ["function f(a) { let a = 1; }", ["1:21 `a` is already declared in this scope"]],
  ["function f(a, a) {}", ["1:15 duplicate parameter name `a`"]],
  ["try {} catch (e) { let e = 1; }", ["1:24 `e` is already declared in this scope"]],
  ["let await = 1;", ["1:5 `await` is a reserved word; choose another name"]],
  ["let yield = 1;", ["1:5 `yield` is a reserved word; choose another name"]],
  ["let eval = 1;", ["1:5 `eval` is a reserved word; choose another name"]],
  ["const arguments = [];", ["1:7 `arguments` is a reserved word; choose another name"]],
  ["let let = 1;", ["1:5 `let` is a reserved word; choose another name"]],
  ["const static = 1;", ["1:7 `static` is a reserved word; choose another name"]],
];

function table(title: string, rows: Row[]): void {
  describe(title, () => {
    for (const [source, expected] of rows) it(source, () => assert.deepEqual(problems(source), expected));
  });
}

table("unknown names", unknownNames);
table("assignment to constants", constAssignments);
table("assignment to built-ins", globalMisuse);
table("reserved words and duplicate declarations", reservedAndDuplicates);

describe("names that resolve", () => {
  for (const source of acceptedNames) it(source, () => assert.deepEqual(problems(source), []));
});
