// What `rhythm check` and deploy say before running about the flow-control options of SPEC §9 in
// a .flow: `debounce` on Task.run and Workflow.run, a workflow's `timeout` — each bad literal at
// its line and column, with the message the call would throw at run time.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { problems, type Row } from "./problems.js";

const DURATION = 'must be a duration such as 30 (seconds), "500ms", "10s", "5m", "24h", "7d" or "1h30m"';

const rows: Row[] = [
  ['await Task.run("x", {}, { debounce: { key: "k", delay: "1s", maxWait: "5s" } })', []],
  ['await Workflow.run("x", {}, { debounce: { key: Inputs.k, delay: 2 }, timeout: "1h" })', []],
  ['await Workflow.run("x", {}, { timeout: "soon" })', [`1:29 Workflow.run("x"): option "timeout" ${DURATION}, got "soon"`]],
  [
    'await Workflow.run("x", {}, { timeout: "30d" })',
    ['1:29 Workflow.run("x"): option "timeout" is out of range: at most 2147483647 ms (about 24 days)'],
  ],
  [
    'await Task.run("x", {}, { debounce: "k" })',
    ['1:25 Task.run("x"): option "debounce" must be an object { key, delay, maxWait? }'],
  ],
  ['await Task.run("x", {}, { debounce: { key: "k" } })', ['1:25 Task.run("x"): option "debounce" needs a "delay"']],
  ['await Task.run("x", {}, { debounce: { delay: 1 } })', ['1:25 Task.run("x"): option "debounce" needs a "key"']],
  [
    'await Task.run("x", {}, { debounce: { key: "", delay: 1 } })',
    ['1:25 Task.run("x"): debounce.key must be a non-empty string, got an empty string'],
  ],
  [
    'await Task.run("x", {}, { debounce: { key: "k", delay: "1 s" } })',
    [`1:25 Task.run("x"): debounce.delay ${DURATION}, got "1 s"`],
  ],
  [
    'await Task.run("x", {}, { debounce: { key: "k", delay: 10, maxWait: 5 } })',
    ['1:25 Task.run("x"): debounce.maxWait (5000 ms) must be at least debounce.delay (10000 ms)'],
  ],
  [
    'await Task.run("x", {}, { debounce: { key: "k", delay: 1, every: 2 } })',
    ['1:25 Task.run("x"): unknown debounce field "every" (allowed: key, delay, maxWait)'],
  ],
  [
    'await Task.run("x", {}, { debounce: { key: "k", delay: 1 }, idempotencyKey: "i" })',
    ['1:25 Task.run("x"): option "debounce" cannot be combined with "idempotencyKey"'],
  ],
  [
    'await Workflow.run("x", {}, { debounce: { key: "k", delay: 1 }, delay: 5 })',
    ['1:29 Workflow.run("x"): option "debounce" cannot be combined with "delay"'],
  ],
];

describe("flow-control options in a .flow", () => {
  for (const [source, expected] of rows) it(source, () => assert.deepEqual(problems(source), expected));
});
