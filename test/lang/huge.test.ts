// Huge and pathological .flow files: whatever the nesting or the size, loading ends in a program
// or a FlowLoadError naming line and column, never a host stack overflow or a crash (the checker
// measures nesting, at most 1,000 levels, before anything recurses); large flat files load; a
// file with a huge number of problems reports them all.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compileFlow } from "../../src/compiler/index.js";
import { checkFlow, FlowLoadError } from "../../src/lang/index.js";

/** Builders of a source nested `n` levels deep, one per construct that the parser, checker or compiler recurses on. */
const NESTED: Record<string, (n: number) => string> = {
  parentheses: (n) => `return ${"(".repeat(n)}1${")".repeat(n)}`,
  arrays: (n) => `return ${"[".repeat(n)}${"]".repeat(n)}`,
  objects: (n) => `return ${"{a:".repeat(n)}1${"}".repeat(n)}`,
  "binary operators": (n) => `return ${Array.from({ length: n }, () => "1").join(" + ")}`,
  "unary operators": (n) => `return ${"!".repeat(n)}1`,
  "negations with spaces": (n) => `return ${"- ".repeat(n)}1`,
  blocks: (n) => `if (true) {`.repeat(n) + "}".repeat(n),
  arrows: (n) => `const f = ${"() => ".repeat(n)}1`,
  ternaries: (n) => `return ${"true ? 1 : ".repeat(n)}1`,
  calls: (n) => `return ${"Math.abs(".repeat(n)}1${")".repeat(n)}`,
  "optional chains": (n) => `const o = {}; return o${"?.a".repeat(n)}`,
  templates: (n) => `return ${"`${".repeat(n)}1${"}`".repeat(n)}`,
  "assignment chains": (n) => `let a; ${"a = ".repeat(n)}1`,
  "nested functions": (n) => `${"function f() {".repeat(n)}${"}".repeat(n)}`,
  "try blocks": (n) => `${"try {".repeat(n)}${"} finally {}".repeat(n)}`,
  "array destructuring": (n) => `const ${"[".repeat(n)}x${"]".repeat(n)} = []`,
};

const DEPTHS = [1_000, 3_000, 10_000, 100_000];

describe("deeply nested .flow files load or fail with a FlowLoadError", () => {
  for (const [construct, build] of Object.entries(NESTED)) {
    it(construct, () => {
      for (const depth of DEPTHS) {
        const source = build(depth);
        let outcome: string;
        try {
          compileFlow(source, "deep.flow");
          outcome = "compiled";
        } catch (e) {
          // a RangeError escaping here is the host's stack overflow: the loader crashed
          assert.ok(e instanceof FlowLoadError, `${construct} × ${depth}: ${String(e)}`);
          assert.equal(e.code, "FLOW_LOAD_ERROR");
          assert.ok(e.errors.length >= 1);
          assert.match(e.message, /^deep\.flow:\d+:\d+ /);
          outcome = "refused";
        }
        // checkFlow (rhythm check, editors) never throws either
        const problems = checkFlow(source, "deep.flow");
        assert.ok(Array.isArray(problems), `${construct} × ${depth}: ${outcome}`);
      }
    });
  }

  it("the limit is measured, not a stack overflow: 1,000 levels of syntax load, 1,001 do not", () => {
    // Program › ExpressionStatement › k assignments › the literal: k + 3 levels
    const chain = (k: number) => `let a; ${"a = ".repeat(k)}1`;
    assert.doesNotThrow(() => compileFlow(chain(997), "deep.flow"));
    assert.deepEqual(checkFlow(chain(997), "deep.flow"), []);
    const problems = checkFlow(chain(998), "deep.flow").map((p) => p.format());
    assert.deepEqual(problems, [
      "deep.flow:1:4000 the program is nested too deeply; move some of the nesting into variables or functions",
    ]);
    assert.throws(() => compileFlow(chain(998), "deep.flow"), FlowLoadError);
  });

  it("100,000 nested parentheses say the program is nested too deeply, where the parser gave up", () => {
    const source = `return ${"(".repeat(100_000)}1${")".repeat(100_000)}`;
    assert.throws(
      () => compileFlow(source, "deep.flow"),
      (e: unknown) => {
        assert.ok(e instanceof FlowLoadError);
        assert.equal(e.errors.length, 1);
        assert.equal(e.errors[0].line, 1);
        assert.match(
          e.errors[0].message,
          /^the program is nested too deeply; move some of the nesting into variables or functions$/,
        );
        return true;
      },
    );
  });
});

describe("large flat .flow files", () => {
  it("a 5 MB file (a long string and many comment lines) loads", () => {
    const filler = "// a comment line that pads the file out to several megabytes of source text\n".repeat(45_000);
    const source = `${filler}const s = "${"x".repeat(2 * 1024 * 1024)}"\nreturn s.length`;
    assert.ok(source.length > 5 * 1024 * 1024);
    const compiled = compileFlow(source, "big.flow");
    assert.equal(compiled.source, source);
    assert.equal(compiled.version.length, 64);
  });

  it("20,000 declarations in one scope load, and a repeated one is still found", () => {
    // acorn's per-scope name lists are indexed (NameList): the checks must behave exactly as before
    const lines = Array.from({ length: 20_000 }, (_, i) => `const v${i} = ${i}`);
    assert.deepEqual(checkFlow(lines.join("\n"), "many.flow"), []);
    const problems = checkFlow([...lines, "const v123 = 0", "function v7() {}", "let v0 = 1"].join("\n"), "many.flow");
    assert.deepEqual(
      problems.map((p) => p.format()),
      [
        "many.flow:20001:7 `v123` is already declared in this scope",
        "many.flow:20002:10 `v7` is already declared in this scope",
        "many.flow:20003:5 `v0` is already declared in this scope",
      ],
    );
  });

  it("a file with 200,000 problems reports every one with its line (no stack overflow)", () => {
    const source = "new X()\n".repeat(100_000);
    assert.throws(
      () => compileFlow(source, "bad.flow"),
      (e: unknown) => {
        assert.ok(e instanceof FlowLoadError);
        assert.equal(e.errors.length, 200_000);
        assert.equal(e.errors[0].format(), "bad.flow:1:1 `new` is not supported; use object literals and functions");
        const last = e.errors[e.errors.length - 1];
        assert.equal(last.line, 100_000);
        assert.equal(last.message, "unknown name `X`");
        return true;
      },
    );
  });

  it("line and column are right after every kind of line break", () => {
    const problems = checkFlow("let a = 1\r\nlet b = 2\rlet c = 3\u2028let d = 4\u2029 new X()\n  var e", "breaks.flow");
    assert.deepEqual(
      problems.map((p) => `${p.line}:${p.column}`),
      ["5:2", "5:6", "6:3"],
    );
  });
});
