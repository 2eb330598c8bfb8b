// `rhythm check` on files nested too deeply: reported with their line and column and exit 1, the
// same wherever the file is loaded (the limit is measured, not a host stack overflow), and a file
// nested 100,000 levels deep is reported, not a crash.

import { test } from "node:test";
import assert from "node:assert/strict";
import { rhythm, tempFolder } from "./cli-process.js";

test("rhythm check: files nested too deeply are errors with a line, not crashes", () => {
  const t = tempFolder({
    "flows/chain.flow": `let a; ${"a = ".repeat(1500)}1\n`,
    "flows/parens.flow": `return ${"(".repeat(100_000)}1${")".repeat(100_000)}\n`,
    "flows/ok.flow": `let a; ${"a = ".repeat(900)}1\n`,
  });
  try {
    const r = rhythm(["check", "flows"], t.dir);
    assert.equal(r.code, 1, r.stderr);
    const too = "the program is nested too deeply; move some of the nesting into variables or functions";
    const lines = r.stdout.trim().split("\n");
    assert.equal(lines.length, 2, r.stdout);
    // the 999th assignment is the first node more than 1,000 levels down: 7 + 998 × 4 characters in
    assert.equal(lines[0], `flows/chain.flow:1:4000 ${too}`);
    assert.ok(lines[1].startsWith("flows/parens.flow:1:") && lines[1].endsWith(` ${too}`), lines[1]);
    assert.equal(r.stderr, "checked 3 file(s): 2 error(s) in 2 file(s)\n");
  } finally {
    t.remove();
  }
});
