// `rhythm check` reports what a worker loading the file would: a file the checker accepts but that
// is nested too deeply for the compiler (3,500 chained assignments) is an error too, and a file
// nested 100,000 levels deep is reported, not a crash. Exit 1 for both.

import { test } from "node:test";
import assert from "node:assert/strict";
import { rhythm, tempFolder } from "./cli-process.js";

test("rhythm check: files nested too deeply are errors with a line, not crashes", () => {
  const t = tempFolder({
    "flows/chain.flow": `let a; ${"a = ".repeat(3500)}1\n`,
    "flows/parens.flow": `return ${"(".repeat(100_000)}1${")".repeat(100_000)}\n`,
    "flows/ok.flow": "return 1\n",
  });
  try {
    const r = rhythm(["check", "flows"], t.dir);
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stdout.trim().split("\n");
    assert.equal(lines.length, 2, r.stdout);
    assert.match(
      lines[0],
      /^flows\/chain\.flow:1:1 the program is nested too deeply; move some of the nesting into variables or functions$/,
    );
    assert.match(
      lines[1],
      /^flows\/parens\.flow:1:\d+ the program is nested too deeply; move some of the nesting into variables or functions$/,
    );
    assert.equal(r.stderr, "checked 3 file(s): 2 error(s) in 2 file(s)\n");
  } finally {
    t.remove();
  }
});
