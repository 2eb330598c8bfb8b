// Front matter: split off at the very start, fences removed, every line and offset of the code
// kept so that positions in errors match the file the user wrote.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { splitFrontMatter } from "../../src/lang/source.js";
import { loadFlow } from "../../src/lang/index.js";
import { problems } from "./problems.js";

describe("splitFrontMatter", () => {
  const rows: [source: string, frontMatter: string | null, unclosed: boolean][] = [
    ["return 1", null, false],
    ["```\nname: x\n```\nreturn 1", "name: x", false],
    ["```yaml\na: 1\nb: 2\n```\nreturn 1", "a: 1\nb: 2", false],
    ["```\n```\nreturn 1", "", false],
    ["```  \nx\n```  \nreturn 1", "x", false],
    ["```\r\nk: v\r\n```\r\nreturn 1", "k: v", false],
    ["\uFEFF```\nk: v\n```\nreturn 1", "k: v", false],
    ["```\nname: x\n", null, true],
    ["// not at the start\n```\nx\n```\n", null, false],
    [" ```\nx\n```\n", null, false],
  ];
  for (const [source, frontMatter, unclosed] of rows) {
    it(JSON.stringify(source), () => {
      const split = splitFrontMatter(source);
      assert.equal(split.frontMatter, frontMatter);
      assert.equal(split.unclosedFrontMatter, unclosed);
      assert.equal(split.body.length, source.length);
      assert.deepEqual(split.body.split(/\r\n|\n/).length, source.split(/\r\n|\n/).length);
      if (frontMatter !== null) assert.match(split.body, /^\uFEFF?[ \r\n]*return 1$/);
      else assert.equal(split.body, source);
    });
  }

  it("keeps the offsets of the code after the block", () => {
    const source = "```\nwith: ünïcode 😀\n```\nconst a = 1;";
    const { body } = splitFrontMatter(source);
    assert.equal(body.indexOf("const a"), source.indexOf("const a"));
  });
});

describe("front matter and positions", () => {
  it("reports errors at the line and column of the original file", () => {
    assert.deepEqual(problems("```\nname: x\nretries: 2\n```\nconst a = 1;\n  var b = 2;\na = 3;"), [
      "6:3 `var` is not supported; use `let` or `const`",
      "7:1 cannot assign to `a` because it is a constant (declared with `const` at 5:7)",
    ]);
  });

  it("reports an unclosed block instead of a puzzling template error", () => {
    assert.deepEqual(problems("```\nname: x\nreturn 1\n"), [
      "1:1 front matter is not closed; end it with a line of three backticks (```)",
    ]);
  });

  it("loadFlow returns the front matter and the original source", () => {
    const source = "```\nname: x\n```\nreturn Inputs.a;";
    const loaded = loadFlow(source, "f.flow");
    assert.equal(loaded.frontMatter, "name: x");
    assert.equal(loaded.source, source);
    assert.equal(loaded.program.body.length, 1);
    assert.equal(loaded.program.body[0].loc?.start.line, 4);
    assert.equal(source.slice(loaded.program.body[0].start, loaded.program.body[0].end), "return Inputs.a;");
  });
});
