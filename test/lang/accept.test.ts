// Acceptance: a large program using every construct SPEC §2.1 allows must load with no problem,
// and the tree handed to the compiler must be the file's statements.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { checkFlow, loadFlow } from "../../src/lang/index.js";

// Tests run from dist/test/lang; the fixture stays in the source tree.
const FIXTURE = new URL("../../../test/lang/fixtures/every-construct.flow", import.meta.url);

describe("every allowed construct", () => {
  const source = readFileSync(FIXTURE, "utf8");

  it("has no problems", () => {
    assert.deepEqual(
      checkFlow(source, "every-construct.flow").map((e) => e.format()),
      [],
    );
  });

  it("loads into the statement list, front matter split off", () => {
    const loaded = loadFlow(source, "every-construct.flow");
    assert.match(loaded.frontMatter ?? "", /^description: /);
    const first = loaded.program.body[0];
    assert.equal(first.type, "VariableDeclaration");
    assert.equal(first.loc?.start.line, 5);
    const last = loaded.program.body[loaded.program.body.length - 1];
    assert.equal(last.type, "ReturnStatement");
  });

  it("accepts the same program wrapped in async function main", () => {
    const body = source.replace(/^```[\s\S]*?```\n/, "");
    const wrapped = `async function main() {\n${body}\n}\n`;
    assert.deepEqual(
      checkFlow(wrapped, "wrapped.flow").map((e) => e.format()),
      [],
    );
    const direct = loadFlow(body, "direct.flow").program.body.map((s) => s.type);
    const unwrapped = loadFlow(wrapped, "wrapped.flow").program.body.map((s) => s.type);
    assert.deepEqual(unwrapped, direct);
  });
});
