// The error classes and the two entry points: loadFlow throws one FlowLoadError listing every
// problem as `file:line:col message`; checkFlow returns them and never throws for bad input.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { checkFlow, FlowLoadError, FlowSyntaxError, loadFlow } from "../../src/lang/index.js";

describe("FlowSyntaxError", () => {
  it("formats as file:line:col message", () => {
    const e = new FlowSyntaxError("flows/a.flow", 3, 7, "`var` is not supported; use `let` or `const`");
    assert.equal(e.format(), "flows/a.flow:3:7 `var` is not supported; use `let` or `const`");
    assert.equal(String(e), e.format());
    assert.equal(e.message, "`var` is not supported; use `let` or `const`");
    assert.equal(e.name, "FlowSyntaxError");
    assert.equal(e.code, "FLOW_SYNTAX_ERROR");
    assert.ok(e instanceof Error);
  });
});

describe("loadFlow", () => {
  it("throws a FlowLoadError with every problem, one per line", () => {
    const source = "var a = 1;\nconst b = 2;\nb = 3;";
    assert.throws(
      () => loadFlow(source, "x.flow"),
      (e: unknown) => {
        assert.ok(e instanceof FlowLoadError);
        assert.equal(e.code, "FLOW_LOAD_ERROR");
        assert.deepEqual(
          e.errors.map((x) => [x.file, x.line, x.column]),
          [
            ["x.flow", 1, 1],
            ["x.flow", 3, 1],
          ],
        );
        assert.equal(
          e.message,
          "x.flow:1:1 `var` is not supported; use `let` or `const`\n" +
            "x.flow:3:1 cannot assign to `b` because it is a constant (declared with `const` at 2:7)",
        );
        return true;
      },
    );
  });

  it("throws for a syntax error too", () => {
    assert.throws(
      () => loadFlow("const = 1;", "s.flow"),
      (e: unknown) => {
        assert.ok(e instanceof FlowLoadError);
        assert.equal(e.message, "s.flow:1:7 unexpected token `=`");
        return true;
      },
    );
  });

  it("returns the program, front matter and source of a valid file", () => {
    const loaded = loadFlow("return 1;", "ok.flow");
    assert.equal(loaded.program.type, "Program");
    assert.equal(loaded.frontMatter, null);
    assert.equal(loaded.source, "return 1;");
  });
});

describe("checkFlow never throws for bad input", () => {
  const inputs = [
    "",
    "\u0000",
    "}}}}",
    "```",
    "(".repeat(50_000),
    "[".repeat(20_000) + "]".repeat(20_000),
    "x => ".repeat(20_000) + "1",
    "if (a) ".repeat(20_000) + ";",
    "\uD800",
    "'\\u{110000}'",
  ];
  for (const source of inputs) {
    it(JSON.stringify(source.slice(0, 20)) + ` (${source.length} chars)`, () => {
      const errors = checkFlow(source, "bad.flow");
      for (const e of errors) {
        assert.ok(e instanceof FlowSyntaxError);
        assert.ok(e.line >= 1 && e.column >= 1);
        assert.match(e.format(), /^bad\.flow:\d+:\d+ \S/);
      }
      if (source !== "") assert.ok(errors.length > 0);
    });
  }
});
