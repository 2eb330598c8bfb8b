// Parsing: acorn's syntax errors in our wording and position, the `async function main` wrapper,
// and several problems in one file all reported in source order.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { loadFlow } from "../../src/lang/index.js";
import { problems, type Row } from "./problems.js";

const syntaxErrors: Row[] = [
  ["const x = ;", ["1:11 unexpected token `;`"]],
  ["let a = 1\nlet b = (2;", ["2:11 unexpected token `;`"]],
  ["const x;", ["1:8 unexpected token `;`"]],
  ["return 1 +", ["1:11 unexpected end of file"]],
  ["if (Inputs.a) {", ["1:16 unexpected end of file"]],
  ['const s = "open;', ["1:11 unterminated string constant"]],
  ["const t = `open;", ["1:12 unterminated template"]],
  ["/* open", ["1:1 unterminated comment"]],
  ["break;", ["1:1 `break` must be inside a loop or `switch`"]],
  ["continue;", ["1:1 `continue` must be inside a loop"]],
  ["const n = 010;", ["1:11 legacy octal literal `010` is not supported; write `0o10`"]],
  ["if (Inputs.a) let y = 1;", ["1:15 a `let` declaration is not allowed here; wrap it in a block `{ … }`"]],
  ["let x = 1;\nlet x = 2;\nconst y = ;", ["2:5 `x` is already declared in this scope", "3:11 unexpected token `;`"]],
  ["const o = { a = 1 };", ["1:15 shorthand property assignments are valid only in destructuring patterns"]],
];

describe("syntax errors", () => {
  for (const [source, expected] of syntaxErrors) it(source, () => assert.deepEqual(problems(source), expected));
});

describe("async function main wrapper", () => {
  it("runs the body of `async function main() { … }`", () => {
    const { program } = loadFlow(
      "// wrapped\nasync function main() {\n  const a = await Task.run('x');\n  return a;\n}\n",
      "w.flow",
    );
    assert.equal(program.type, "Program");
    assert.deepEqual(
      program.body.map((s) => s.type),
      ["VariableDeclaration", "ReturnStatement"],
    );
    assert.equal(program.body[0].loc?.start.line, 3);
  });

  it("keeps a file without the wrapper as it is", () => {
    const { program } = loadFlow("const a = 1;\nasync function main() {}\nreturn a;", "w.flow");
    assert.deepEqual(
      program.body.map((s) => s.type),
      ["VariableDeclaration", "FunctionDeclaration", "ReturnStatement"],
    );
  });

  const rows: Row[] = [
    ["async function main() { return Inputs.a; }", []],
    [
      "async function main() { await Timer.delay(1); const x = 1; x = 2; }",
      ["1:60 cannot assign to `x` because it is a constant (declared with `const` at 1:53)"],
    ],
    ["async function main() { var a = 1; }", ["1:25 `var` is not supported; use `let` or `const`"]],
    [
      "function main() { return 1; }",
      ["1:1 a file-wide `main` function must be written `async function main() { … }` (async, no parameters)"],
    ],
    [
      "async function main(inputs) { return inputs; }",
      ["1:1 a file-wide `main` function must be written `async function main() { … }` (async, no parameters)"],
    ],
  ];
  for (const [source, expected] of rows) it(source, () => assert.deepEqual(problems(source), expected));
});

describe("several problems in one file", () => {
  it("reports every one of them, in source order", () => {
    const source = [
      "var count = 0;",
      "const limit = 3;",
      "limit = 4;",
      "const user = new Error('x');",
      "function sync() { await Tsk.run('a'); }",
      "const bits = count | 1;",
      "const proto = user.__proto__;",
      "return this;",
    ].join("\n");
    assert.deepEqual(problems(source), [
      "1:1 `var` is not supported; use `let` or `const`",
      "3:1 cannot assign to `limit` because it is a constant (declared with `const` at 2:7)",
      '4:14 `new` is not supported; call `Error("…")` without `new`',
      "5:19 `await` is only allowed in async functions; mark the enclosing function `async`",
      "5:25 unknown name `Tsk`; did you mean `Task`?",
      "6:20 bitwise operator `|` is not supported; use arithmetic such as `Math.trunc`, `Math.floor` or `%`",
      "7:20 access to `__proto__` is not supported; workflows cannot reach prototypes",
      "8:8 `this` is not supported; pass the object as a parameter",
    ]);
  });

  it("reports parse-time problems found before a fatal syntax error", () => {
    assert.deepEqual(problems("let a;\nlet a;\nwith (a) {}\nconst = 1;"), [
      "2:5 `a` is already declared in this scope",
      "4:7 unexpected token `=`",
    ]);
  });
});
