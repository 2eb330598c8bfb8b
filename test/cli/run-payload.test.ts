// `rhythm run --max-payload-bytes`: the payload limit the engine applies (maxPayloadBytes) is
// enforced in memory too; without the option the default (1 MiB) lets the same file complete.

import { test } from "node:test";
import assert from "node:assert/strict";
import { jsonDocument, rhythm, tempFolder } from "./cli-process.js";

function run(source: string, args: string[]) {
  const t = tempFolder({ "main.flow": source });
  try {
    return rhythm(["run", "main.flow", "--json", ...args], t.dir);
  } finally {
    t.remove();
  }
}

test("rhythm run --max-payload-bytes: an output over it fails the run with a RangeError", () => {
  const source = 'return "x".repeat(2000)\n';
  const limited = run(source, ["--max-payload-bytes", "1000"]);
  assert.equal(limited.code, 1);
  assert.deepEqual(jsonDocument(limited.stdout), {
    status: "failed",
    output: null,
    error: {
      name: "RangeError",
      type: "RangeError",
      message: "the workflow output is 2002 bytes of JSON, over the payload limit of 1000 (maxPayloadBytes)",
    },
    taskCalls: [],
  });
  const free = run(source, []);
  assert.equal(free.code, 0, free.stderr);
  assert.equal((jsonDocument(free.stdout) as { status: string }).status, "completed");
  const bad = run(source, ["--max-payload-bytes", "0"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--max-payload-bytes must be a positive integer, got "0"/);
});
