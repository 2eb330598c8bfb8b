// `await` is allowed at the top level of the workflow and in async functions, and nowhere else:
// not in plain functions or arrows, and not in parameter defaults.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { problems, type Row } from "./problems.js";

const NOT_ASYNC = "`await` is only allowed in async functions; mark the enclosing function `async`";
const IN_PARAMS = "`await` is not allowed in a parameter default; compute the value in the function body";

const rejected: Row[] = [
  ["function f() { await Timer.delay(1); }", [`1:16 ${NOT_ASYNC}`]],
  ["const f = () => await Timer.delay(1);", [`1:17 ${NOT_ASYNC}`]],
  ["const f = (x) => { return await x; };", [`1:27 ${NOT_ASYNC}`]],
  ["const f = function () { await 1; };", [`1:25 ${NOT_ASYNC}`]],
  ["async function outer() { [1].map((x) => await x); }", [`1:41 ${NOT_ASYNC}`]],
  ["async function outer() { function inner() { await 1; } }", [`1:45 ${NOT_ASYNC}`]],
  ["const o = { f: function () { return await 1; } };", [`1:37 ${NOT_ASYNC}`]],
  ["async function f(a = await Timer.delay(1)) {}", [`1:22 ${IN_PARAMS}`]],
  ["const f = async (a = await 1) => a;", [`1:22 ${IN_PARAMS}`]],
  ["const f = async ({ a = await 1 }) => a;", [`1:24 ${IN_PARAMS}`]],
  ["function f(a = await 1) {}", [`1:16 ${IN_PARAMS}`]],
  ["const f = (a = await 1) => a;", [`1:16 ${IN_PARAMS}`]],
];

const accepted: string[] = [
  "await Timer.delay(1);",
  "const a = await Task.run('x');\nreturn await a;",
  "async function f() { await Timer.delay(1); }",
  "const f = async () => await Timer.delay(1);",
  "const f = async (x) => { const g = async () => await x; return await g(); };",
  "await Promise.all([1, 2].map(async (item) => await Task.run('t', { item })));",
  "for (const x of [1]) { await x; }",
  "const v = (await Signal.next('go')).value;",
  "async function main2() { return await 1; }\nawait main2();",
];

describe("await misuse", () => {
  for (const [source, expected] of rejected) it(source, () => assert.deepEqual(problems(source), expected));
});

describe("await where it is allowed", () => {
  for (const source of accepted) it(source, () => assert.deepEqual(problems(source), []));
});
