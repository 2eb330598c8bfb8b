// The compiler's debug table (src/compiler/debug-table.ts): at the code of a given expression,
// which named bindings are in scope, innermost scope first, and where each lives — a register
// ("r3") or a slot of the scope's environment ("s0") — through blocks, shadowing, loops with
// per-iteration environments, destructuring, parameters, closures, catch, switch, finally copies.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compileFlow, withDebugTables, type FunctionInfo, type Program } from "../../src/compiler/index.js";
import { debugScope, outerOf, scopeAtPc, scopeCount } from "../../src/compiler/debug-table.js";

/** The first pc of `fn` whose recorded position is line:column. */
function pcAt(fn: FunctionInfo, line: number, column: number): number | undefined {
  const p = fn.positions;
  for (let i = 0; i < p.length; i += 3) if (p[i + 1] === line && p[i + 2] === column) return p[i];
  return undefined;
}

/**
 * The scopes in view at the code of the `nth` occurrence of `needle` (an expression with a
 * position of its own: a call, an await, a binary operation), innermost first, as
 * "name:kind@place" lists; scopes of enclosing functions are prefixed with "^".
 */
function scopesAt(source: string, needle: string, nth = 1): string[] {
  const { program } = compileFlow(source, "t.flow");
  let offset = -1;
  for (let i = 0; i < nth; i++) offset = source.indexOf(needle, offset + 1);
  assert.ok(offset >= 0, `${needle} not in the source`);
  const before = source.slice(0, offset).split("\n");
  const line = before.length;
  const column = before[before.length - 1].length + 1;
  for (const [index, fn] of program.functions.entries()) {
    const pc = pcAt(fn, line, column);
    if (pc !== undefined) return chain(program, index, scopeAtPc(fn.debug!, pc));
  }
  assert.fail(`no code recorded at ${line}:${column}`);
}

function chain(program: Program, fnIndex: number, scope: number): string[] {
  const out: string[] = [];
  let prefix = "";
  for (let fn = fnIndex; fn >= 0;) {
    const table = program.functions[fn].debug!;
    for (let s = scope; s !== -1;) {
      const d = debugScope(table, s);
      const kinds = { let: "l", const: "c", function: "f", param: "p", catch: "k", self: "s", other: "o" };
      out.push(
        prefix +
          d.bindings
            .map((b) => `${b.name}:${kinds[b.kind]}@${b.register !== undefined ? `r${b.register}` : `s${b.slot}`}`)
            .join(" "),
      );
      s = d.parent;
    }
    const outer = outerOf(table);
    fn = outer.fn;
    scope = outer.scope;
    prefix += "^";
  }
  return out;
}

describe("debug table: names per scope", () => {
  it("names the workflow body's bindings with their kinds and registers", () => {
    const src = 'const a = 1;\nlet b;\nfunction f() {}\nawait Task.run("x");';
    assert.deepEqual(scopesAt(src, "await"), ["a:c@r0 b:l@r1 f:f@r2"]);
  });

  it("gives a block its own scope instance inside the body's", () => {
    const src = 'let a = 1;\n{\n  const b = 2;\n  await Task.run("x");\n}\nawait Task.run("y");';
    assert.deepEqual(scopesAt(src, "await"), ["b:c@r1", "a:l@r0"]);
    assert.deepEqual(scopesAt(src, "await", 2), ["a:l@r0"], "after the block, only the body's");
  });

  it("leaves out scopes that declare nothing", () => {
    const src = 'let a = 1;\nif (a) { await Task.run("x"); }';
    assert.deepEqual(scopesAt(src, "await"), ["a:l@r0"]);
  });

  it("keeps the source lines each scope spans", () => {
    const { program } = compileFlow("let a = 1;\nif (a) {\n  let b = 2;\n  b++;\n}\n", "t.flow");
    const table = program.functions[0].debug!;
    assert.equal(scopeCount(table), 2);
    assert.deepEqual(
      [0, 1].map((i) => [debugScope(table, i).firstLine, debugScope(table, i).lastLine]),
      [
        [1, 6],
        [2, 5],
      ],
    );
  });

  it("keeps both bindings of a shadowed name, the inner one first", () => {
    const src = 'let x = 1;\n{\n  let x = 2;\n  await Task.run("x");\n}';
    assert.deepEqual(scopesAt(src, "await"), ["x:l@r1", "x:l@r0"]);
  });
});

describe("debug table: where bindings live", () => {
  it("puts captured bindings in slots of their scope's environment", () => {
    const src = 'let a = 1;\nlet b = 2;\nconst f = () => a;\nawait Task.run("x");';
    assert.deepEqual(scopesAt(src, "await"), ["a:l@s0 b:l@r0 f:c@r1"]);
  });

  it("names what a closure captured through the function it was made in", () => {
    const src = 'let a = 1;\nlet b = 2;\nconst f = async (p) => {\n  const q = p + a;\n  await Task.run("x");\n};';
    assert.deepEqual(scopesAt(src, "await"), ["q:c@r1", "p:p@r0", "^a:l@s0 b:l@r0 f:c@r1"]);
  });

  it("records where a nested function was made, even deep in blocks", () => {
    const { program } = compileFlow("let a = 1;\n{\n  let b = 2;\n  const f = () => a + b;\n}", "t.flow");
    const inner = program.functions.findIndex((f) => f.name === "f");
    const outer = outerOf(program.functions[inner].debug!);
    assert.equal(outer.fn, 0);
    assert.deepEqual(chain(program, 0, outer.scope), ["b:l@s0 f:c@r0", "a:l@s0"]);
  });

  it("gives each iteration of a for loop its environment, the same slot each time", () => {
    const src = 'const fs = [];\nfor (let i = 0; i < 2; i++) {\n  fs.push(() => i);\n  await Task.run("x");\n}';
    assert.deepEqual(scopesAt(src, "await"), ["i:l@s0", "fs:c@r0"]);
  });

  it("names the loop variable of for-of and for-in per iteration, and the head's dead zone", () => {
    const src =
      'for (const [k, v] of await Task.run("x")) {\n  await Task.run("y");\n}\nfor (const key in {}) { await Task.run("z"); }';
    assert.deepEqual(scopesAt(src, "await"), ["k:c@r0 v:c@r1"], "the head: the loop's names, uninitialized");
    assert.deepEqual(scopesAt(src, "await", 2), ["k:c@r2 v:c@r3"]);
    assert.deepEqual(scopesAt(src, "await", 3), ["key:c@r6"]);
  });

  it("names every binding a destructuring declares", () => {
    const src = 'const { a, b: [c, d = 1], ...rest } = { a: 1, b: [2] };\nawait Task.run("x");';
    assert.deepEqual(scopesAt(src, "await"), ["a:c@r0 c:c@r1 d:c@r2 rest:c@r3"]);
  });

  it("keeps parameters with defaults in a scope of their own around the body", () => {
    const src = 'async function f(a, b = a, { c } = {}, ...more) {\n  let local = 1;\n  await Task.run("x");\n}';
    assert.deepEqual(scopesAt(src, "await"), ["local:l@r5", "a:p@r0 b:p@r1 c:p@r2 more:p@r3", "^f:f@r0"]);
  });

  it("names a function expression's own name in the scope around its parameters", () => {
    const src = 'const g = async function named(n) {\n  await Task.run("x");\n};';
    assert.deepEqual(scopesAt(src, "await"), ["n:p@r1", "named:s@r0", "^g:c@r0"]);
  });

  it("names catch bindings, destructured too", () => {
    const src =
      'try { throw 1; } catch (e) {\n  await Task.run("x");\n}\ntry { throw {}; } catch ({ message, code = 0 }) { await Task.run("y"); }';
    assert.deepEqual(scopesAt(src, "await"), ["e:k@r0"]);
    assert.deepEqual(scopesAt(src, "await", 2), ["message:k@r1 code:k@r2"]);
  });

  it("names functions declared in blocks in their block", () => {
    const src = 'if (true) {\n  function inner() { return 1; }\n  await Task.run("x");\n}';
    assert.deepEqual(scopesAt(src, "await"), ["inner:f@r0"]);
  });

  it("names a switch's declarations in one scope for every case", () => {
    const src = 'switch (1) {\n  case 1: let a = 1;\n  case 2: { const b = 2; await Task.run("x"); }\n}';
    assert.deepEqual(scopesAt(src, "await"), ["b:c@r2", "a:l@r1"]);
  });

  it("gives each copy of a finally block its own instance, under the scopes around the try", () => {
    const src = [
      "let a = 1;",
      "for (let i = 0; i < 1; i++) {",
      "  const f = () => i;",
      "  try {",
      "    if (a) break;",
      '  } finally { let z = 2; await Task.run("x"); }',
      "}",
    ].join("\n");
    const { program } = compileFlow(src, "t.flow");
    const table = program.functions[0].debug!;
    const zs = [...Array(scopeCount(table)).keys()].filter((i) => debugScope(table, i).bindings.some((b) => b.name === "z"));
    // the copy on `break`, the copy on the normal path, and the one run on a throw
    assert.equal(zs.length, 3);
    for (const z of zs) assert.deepEqual(chain(program, 0, z).slice(1), ["f:c@r1", "i:l@s0", "a:l@r0"]);
    assert.equal(new Set(zs.map((z) => debugScope(table, z).bindings[0].register)).size, 3, "each copy has its own register");
  });
});

describe("debug table: programs stored before it existed", () => {
  const source = 'let a = 1;\nconst f = () => a;\nawait Task.run("x");';
  const stored = (): Program => {
    const { program } = compileFlow(source, "old.flow");
    return { ...program, functions: program.functions.map(({ debug: _debug, ...f }) => f) };
  };

  it("takes the tables of the source compiled again when the code is the same", () => {
    const named = withDebugTables(stored(), source);
    assert.deepEqual(named, compileFlow(source, "old.flow").program);
  });

  it("leaves the program without names when this compiler makes other code", () => {
    const old = stored();
    old.functions[0].code = [...old.functions[0].code, 0];
    assert.equal(withDebugTables(old, source), old);
    assert.equal(withDebugTables(stored(), "return 1;").functions[0].debug, undefined);
    assert.equal(withDebugTables(stored(), "this is not a flow").functions[0].debug, undefined);
  });

  it("keeps the tables a program has", () => {
    const { program } = compileFlow(source, "new.flow");
    assert.equal(withDebugTables(program, "return 1;"), program);
  });
});
