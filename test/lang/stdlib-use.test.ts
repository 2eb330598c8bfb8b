// What `rhythm check` and deploy know before running about the use of the standard library
// (issue 10): members the built-ins do not have, writes to them, literal arguments the call
// would refuse (with the call's own message), and literal Workflow.run names missing from the
// folder. One row per case, with the exact problems; computed values are never judged.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { problems, type Row } from "./problems.js";

const DURATION = 'must be a duration such as 30 (seconds), "500ms", "10s", "5m", "24h", "7d" or "1h30m"';
const READ_ONLY = "because built-ins are read-only; use a variable of your own";
const DATE_HINT = "`Date` has only `Date.now()`; keep times as epoch milliseconds or ISO strings";
const TASK_OPTIONS = "allowed: queue, priority, retries, timeout, runAt, delay, idempotencyKey, debounce, concurrency, rateLimit";

const members: Row[] = [
  ['await Task.rn("x")', ["1:12 unknown member `Task.rn`; did you mean `Task.run`?"]],
  ['const t = Date.parse("2026-01-01")', [`1:16 unknown member \`Date.parse\`; ${DATE_HINT}`]],
  ["const d = Date.now() + Date.UTC(2026)", [`1:29 unknown member \`Date.UTC\`; ${DATE_HINT}`]],
  ['const v = JSON.parze("{}")', ["1:16 unknown member `JSON.parze`; did you mean `JSON.parse`?"]],
  ["await Timer.dealy(5)", ["1:13 unknown member `Timer.dealy`; did you mean `Timer.delay`?"]],
  ['await Signal.wait("go")', ["1:14 unknown member `Signal.wait`"]],
  ['Workflow.start("child")', ["1:10 unknown member `Workflow.start`"]],
  [
    "const o = Object.freeze({})",
    ["1:18 unknown member `Object.freeze`; workflows cannot read or change prototypes or property descriptors"],
  ],
  ["const p = Promise.resolve(1)", ["1:19 unknown member `Promise.resolve`; write an `async` function"]],
  [
    'console.debug("x")',
    ["1:9 unknown member `console.debug`; use `console.log`, `console.info`, `console.warn` or `console.error`"],
  ],
  ["const x = Math.PIE", ["1:16 unknown member `Math.PIE`; did you mean `Math.PI`?"]],
  ['const x = Math["PIE"]', ["1:16 unknown member `Math.PIE`; did you mean `Math.PI`?"]],
  ["const f = typeof Math.trunk", ["1:23 unknown member `Math.trunk`; did you mean `Math.trunc`?"]],
  ["const n = Number.parseInteger", ["1:18 unknown member `Number.parseInteger`"]],
  ["const e = Error.captureStackTrace", ["1:17 unknown member `Error.captureStackTrace`"]],
  ["const a = Array.prototype", ["1:17 access to `prototype` is not supported; workflows cannot reach prototypes"]],
];

const writes: Row[] = [
  ["Math.PI = 3", [`1:6 cannot assign to \`Math.PI\` ${READ_ONLY}`]],
  ["Task.run = () => 1", [`1:6 cannot assign to \`Task.run\` ${READ_ONLY}`]],
  ["Math.x++", [`1:6 cannot assign to \`Math.x\` ${READ_ONLY}`]],
  ["JSON.y ??= 1", [`1:6 cannot assign to \`JSON.y\` ${READ_ONLY}`]],
  ["[Math.z] = [1]", [`1:7 cannot assign to \`Math.z\` ${READ_ONLY}`]],
  ["for (console.k of [1]) {}", [`1:14 cannot assign to \`console.k\` ${READ_ONLY}`]],
];

const calls: Row[] = [
  ['await Timer.delay("1 h")', [`1:19 Timer.delay: the duration ${DURATION}, got "1 h"`]],
  ["await Timer.delay(-1)", ["1:19 Timer.delay: the duration must be a non-negative number of seconds, got -1"]],
  ["await Timer.delay()", [`1:13 Timer.delay: the duration ${DURATION}, got undefined`]],
  [
    'await Timer.until("tomorrow")',
    ['1:19 Timer.until: the time must be an ISO time string or epoch milliseconds, got "tomorrow"'],
  ],
  ["await Timer.until(1e20)", ["1:19 Timer.until: the time is out of range: give a time between 1970 and the end of year 9999"]],
  [
    'await Signal.when("a")',
    ['1:14 Signal.when("a"): options { timeout } are required (use Signal.next to wait without a timeout)'],
  ],
  [
    'await Signal.when("a", {})',
    ['1:24 Signal.when("a"): options { timeout } are required (use Signal.next to wait without a timeout)'],
  ],
  ['await Signal.when("a", { timeout: "3 days" })', [`1:24 Signal.when("a"): option "timeout" ${DURATION}, got "3 days"`]],
  ['await Signal.when("a", { timeout: 1, x: 2 })', ['1:24 Signal.when("a"): unknown option "x" (allowed: timeout)']],
  [
    "const n = Inputs.n\nawait Signal.when(n, {})",
    ["2:22 Signal.when(…): options { timeout } are required (use Signal.next to wait without a timeout)"],
  ],
  ["await Signal.next(5)", ["1:19 Signal.next: the signal name must be a non-empty string, got number"]],
  ["await Task.run(5)", ["1:16 Task.run: the task name must be a non-empty string, got number"]],
  ['await Task.run("")', ["1:16 Task.run: the task name must be a non-empty string, got an empty string"]],
  ["await Task.run()", ["1:12 Task.run: the task name must be a non-empty string, got undefined"]],
  ['await Task.run("x", {}, { timout: "1s" })', [`1:25 Task.run("x"): unknown option "timout" (${TASK_OPTIONS})`]],
  ['await Task.run("x", {}, { delay: "5 min" })', [`1:25 Task.run("x"): option "delay" ${DURATION}, got "5 min"`]],
  [
    'await Task.run("x", {}, { timeout: "30d" })',
    ['1:25 Task.run("x"): option "timeout" is out of range: at most 2147483647 ms (about 24 days)'],
  ],
  ['await Task.run("x", {}, { retries: { initial: "soon" } })', [`1:25 Task.run("x"): retries.initial ${DURATION}, got "soon"`]],
  ['await Task.run("x", {}, { priority: 1.5 })', ['1:25 Task.run("x"): option "priority" must be an integer']],
  ['await Task.run("x", {}, { runAt: 1, delay: 1 })', ['1:25 Task.run("x"): give either "runAt" or "delay", not both']],
  ['await Task.run("x", {}, 5)', ['1:25 Task.run("x"): options must be an object, got number']],
  [
    "const name = Inputs.name\nawait Task.run(name, {}, { timeout: -1 })",
    ['2:26 Task.run(…): option "timeout" must be a non-negative number of seconds, got -1'],
  ],
  ['await Workflow.run("x", [1])', ['1:25 Workflow.run("x"): the inputs must be an object, got an array']],
  [
    'await Workflow.run("x", {}, { retries: 1 })',
    [
      '1:29 Workflow.run("x"): unknown option "retries" (allowed: queue, priority, runAt, delay, idempotencyKey, debounce, timeout, concurrency, rateLimit)',
    ],
  ],
  ["await Workflow.run()", ["1:16 Workflow.run: the workflow name must be a non-empty string, got undefined"]],
  ["await Timer.until()", ["1:13 Timer.until: the time must be an ISO time string or epoch milliseconds, got undefined"]],
  ["await Signal.next()", ["1:14 Signal.next: the signal name must be a non-empty string, got undefined"]],
  ["await Signal.when(null, { timeout: 1 })", ["1:19 Signal.when: the signal name must be a non-empty string, got null"]],
  ["await Promise.all(5)", ["1:19 Promise.all expects an array or an object of handles, got number"]],
  ["await Promise.race()", ["1:15 Promise.race expects an array or an object of handles, got undefined"]],
];

/** Computed values, spreads, shadowed names and everything else that is fine must pass. */
const accepted: string[] = [
  "const d = Inputs.delay\nawait Timer.delay(d)",
  'await Timer.delay("1h30m")\nawait Timer.delay(0.5)\nawait Timer.until("2026-01-02T00:00:00.000Z")',
  'const t = Inputs.timeout\nawait Signal.when("a", { timeout: t })',
  'await Signal.when("a", { timeout: "24h" })',
  'const opts = Inputs.options\nawait Task.run("x", {}, opts)\nawait Task.run("x", {}, { ...opts, timeout: "1h" })',
  'const args = ["x", {}]\nawait Task.run(...args)',
  'await Task.run("x", { any: [1, "two", null] }, { queue: "q", priority: -3, retries: { limit: 2, initial: "1s", max: "1m", factor: 2 }, timeout: "30s", delay: "5m", idempotencyKey: "k" })',
  "const Task = { rn: () => 1 }\nTask.rn()",
  "function f(Math) { return Math.anything }",
  "const x = [Math.max.length, Task.run.name, Array.name, Error.name, Date.length, String.fromCharCode(65), Math.PI, Math['E']]",
  "const k = Inputs.key\nconst x = Math[k]",
  "const x = [Inputs.anything, Context.anything, NaN.toFixed, undefined]",
  'const r = await Promise.all({ a: Task.run("a"), b: 1 })\nconst s = await Promise.any([])',
  'console.log("x")\nconsole.info(1)\nconsole.warn()\nconsole.error()',
  "const now = Date.now()\nconst r = Math.random()",
  "const o = {}\no.PI = 3",
];

describe("the use of the standard library, known before running", () => {
  describe("members the built-ins do not have", () => {
    for (const [source, expected] of members) it(source, () => assert.deepEqual(problems(source), expected));
  });
  describe("writes to built-ins", () => {
    for (const [source, expected] of writes) it(source, () => assert.deepEqual(problems(source), expected));
  });
  describe("literal arguments the call refuses", () => {
    for (const [source, expected] of calls) it(source, () => assert.deepEqual(problems(source), expected));
  });
  describe("what stays for run time", () => {
    for (const source of accepted) it(source, () => assert.deepEqual(problems(source), []));
  });
});

describe("literal Workflow.run names, when the folder is known", () => {
  const folder = { folder: "workflows/", names: new Set(["ship", "charge"]) };
  const rows: Row[] = [
    [
      'await Workflow.run("shipp")',
      ['1:20 unknown workflow "shipp": there is no shipp.flow in workflows/; did you mean "ship"?'],
    ],
    ['await Workflow.run("refund", {})', ['1:20 unknown workflow "refund": there is no refund.flow in workflows/']],
    ['await Workflow.run("ship", { id: 1 })\nawait Workflow.run("charge")', []],
    ["const name = Inputs.child\nawait Workflow.run(name)", []],
  ];
  for (const [source, expected] of rows) it(source, () => assert.deepEqual(problems(source, folder), expected));
  it("is not checked without a folder", () => assert.deepEqual(problems('await Workflow.run("shipp")'), []));
});
