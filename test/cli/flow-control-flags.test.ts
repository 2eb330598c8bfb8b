// The flow-control flags of SPEC §9 on the CLI: `rhythm run --run-timeout` (virtual time, no
// database), and the usage errors of start/task's --run-timeout and --debounce-* flags, given
// before anything connects.

import assert from "node:assert/strict";
import { after, test } from "node:test";
import { rhythm, tempFolder } from "./cli-process.js";

const project = tempFolder({ "sleeper.flow": 'await Timer.delay("2h");\nreturn "woke";\n' });
after(() => project.remove());

test("rhythm run --run-timeout fails a run that outlives it, with Timeout", () => {
  const late = rhythm(["run", "sleeper.flow", "--run-timeout", "1h", "--json"], project.dir);
  assert.equal(late.code, 1, late.stderr);
  const out = JSON.parse(late.stdout);
  assert.equal(out.status, "failed");
  assert.equal(out.error.type, "Timeout");
  const inTime = rhythm(["run", "sleeper.flow", "--run-timeout", "3h", "--json"], project.dir);
  assert.equal(inTime.code, 0, inTime.stderr);
});

test("bad flow-control flags are usage errors (exit 2)", () => {
  const cases: [string[], RegExp][] = [
    [["run", "sleeper.flow", "--run-timeout", "soon"], /--run-timeout/],
    [["start", "w", "--run-timeout", "30d"], /at most 2147483647 ms/],
    [["task", "t", "--debounce-key", "k"], /--debounce-key needs --debounce-delay/],
    [["task", "t", "--debounce-delay", "1s"], /go with --debounce-key/],
    [["start", "w", "--debounce-key", "k", "--debounce-delay", "10s", "--debounce-max-wait", "1s"], /maxWait/],
    [["task", "t", "--debounce-key", "k", "--debounce-delay", "1s", "--idempotency-key", "i"], /cannot be combined/],
  ];
  for (const [args, message] of cases) {
    const r = rhythm(args, project.dir);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
});
