// Differential tests of every Array.prototype native: each method runs on a table of arrays
// (holes, undefined, NaN, -0, nested arrays, objects) with a table of arguments (relative
// indexes, odd types, callbacks that mutate the array), once in real JavaScript and once through
// our natives; the result, the receiver afterwards and the sequence of callback calls must agree.

import { test } from "node:test";
import assert from "node:assert/strict";
import type { Value } from "../../src/vm/values.js";
import { callNative, flowOutcome, hostOutcome, makeContext, show, toFlow, type HostFn } from "./fake-context.js";

const arrays: unknown[][] = [
  [],
  [1],
  [1, 2, 3],
  [3, 1, 2, 1],
  [1, , 3],
  [undefined, null, 0, -0, NaN, "", "a"],
  ["b", "a", "c", "A", "aa"],
  [[1, 2], [3, [4, [5]]], []],
  [1, "1", true, null, "10", 9],
  [10, 9, 1, 100, 2, -1],
  [{ a: 1 }, { a: 2 }],
  [, , undefined, 5],
];

let trace: string[] = [];
/** A callback that records each call's element and index, then computes its result. */
const cb =
  (f: HostFn): HostFn =>
  (...a: unknown[]) => {
    trace.push(`${show(a[0])}@${show(a[1])}`);
    return f(...a);
  };
const num = (x: unknown) => (typeof x === "number" ? x : 0);

const predicates: unknown[][] = [
  [cb((x) => x)],
  [cb((_x, i) => num(i) % 2 === 0)],
  [cb((x) => num(x) > 1)],
  [cb((_x, i, a) => (i === 0 ? (a as unknown[]).push("new") : true))],
  [cb((_x, i, a) => (i === 0 ? ((a as unknown[]).pop(), false) : false))],
  [cb((_x, i, a) => (i === 0 ? delete (a as unknown[])[1] : 0))],
  [5],
  [undefined],
  [{}],
  ["abc"],
  [[1]],
];

const comparators: unknown[][] = [
  [],
  [undefined],
  [cb((a, b) => num(a) - num(b))],
  [cb((a, b) => num(b) - num(a))],
  [cb((a, b) => num(a) > num(b))],
  [cb(() => 0)],
  [cb(() => NaN)],
  [cb((a, b) => show(a).length - show(b).length)],
  [5],
  [null],
];

const cases: Record<string, unknown[][]> = {
  at: [[0], [1], [-1], [-10], [10], ["1"], [1.7], [NaN], []],
  concat: [[], [[4, 5]], [4, [5, [6]]], [[, 1]], ["x", null]],
  includes: [[1], [NaN], [undefined], [-0], ["1"], [1, 1], [1, -1], [3, Infinity], [1, -Infinity], [2, "1"]],
  indexOf: [[1], [NaN], [undefined], [-0], ["1"], [1, 1], [1, -1], [3, Infinity], [1, -Infinity], [2, "1"]],
  lastIndexOf: [[1], [NaN], [undefined], [1, 0], [1, -1], [3, -2], [1, -Infinity], [1, Infinity], [1, undefined], [2, 100]],
  join: [[], [","], ["-"], [""], [undefined], [null], [{}], [1]],
  toString: [[]],
  slice: [[], [1], [-1], [1, 2], [-2, -1], [2, 1], [undefined, 2], ["1", "3"], [NaN, Infinity], [-Infinity]],
  flat: [[], [0], [1], [2], [Infinity], [-1], ["2"], [undefined]],
  keys: [[]],
  values: [[]],
  entries: [[]],
  with: [
    [0, "x"],
    [-1, "x"],
    [5, "x"],
    [-5, "x"],
    ["1", 9],
    [1.5, 2],
  ],
  toReversed: [[]],
  push: [[], [4], [4, 5]],
  pop: [[]],
  shift: [[]],
  unshift: [[], [0], [0, -1]],
  splice: [
    [],
    [1],
    [1, 1],
    [0, 0, "a", "b"],
    [-1, 1, "z"],
    [1, 10],
    [1, -1, "q"],
    [undefined],
    [2, undefined],
    [10, 0, "end"],
    [1, 1, "a", "b", "c"],
    [0, 2],
    [-2],
    [1, 0],
  ],
  toSpliced: [[], [1], [1, 1], [0, 0, "a", "b"], [-1, 1, "z"], [1, 10], [1, -1, "q"], [undefined], [10, 0, "end"]],
  reverse: [[]],
  fill: [[0], [0, 1], [0, -2, -1], ["x", 1, 2], [7, 5], [null, -10, 10]],
  sort: comparators,
  toSorted: comparators,
  forEach: predicates,
  map: [...predicates, [cb((x) => [x])]],
  filter: predicates,
  some: predicates,
  every: predicates,
  find: predicates,
  findIndex: predicates,
  findLast: predicates,
  findLastIndex: predicates,
  reduce: [
    [cb((a, b) => num(a) + num(b))],
    [cb((a, b) => num(a) + num(b)), 0],
    [cb((a, b) => [a, b]), "s"],
    [cb((a, _b, i, arr) => (i === 1 ? (((arr as unknown[]).length = 0), a) : a))],
    [5],
    [],
  ],
  reduceRight: [[cb((a, b) => num(a) + num(b))], [cb((a, b) => num(a) + num(b)), 0], [cb((a, b) => [a, b]), "s"], [5]],
  flatMap: [[cb((x) => [x, x])], [cb((x) => x)], [cb((x) => [[x]])], [cb(() => [])], [7]],
};

/** Host results of keys/values/entries are iterators; ours are arrays of the same items. */
const ITERATOR_METHODS = new Set(["keys", "values", "entries"]);

test("every Array.prototype method matches JavaScript on the table", () => {
  let checked = 0;
  const mismatches: string[] = [];
  const check = (actual: unknown, expected: unknown, label: string) => {
    try {
      assert.deepEqual(actual, expected);
    } catch {
      mismatches.push(`${label}: got ${show(actual)}, JS gives ${show(expected)}`);
    }
  };
  for (const [method, argLists] of Object.entries(cases)) {
    for (const array of arrays) {
      for (const args of argLists) {
        const label = `${show(array)}.${method}(${args.map(show).join(", ")})`;
        trace = [];
        const hostArray = array.slice();
        const expected = hostOutcome(() => {
          const r = (Array.prototype as unknown as Record<string, HostFn>)[method]!.apply(hostArray, args);
          return ITERATOR_METHODS.has(method) ? Array.from(r as Iterable<unknown>) : r;
        });
        const hostTrace = trace;

        trace = [];
        const ctx = makeContext();
        const flowArray = toFlow(array.slice(), ctx) as Value[];
        const flowArgs = args.map((a) => toFlow(a, ctx));
        const actual = flowOutcome(ctx, () => callNative(ctx, `Array.prototype.${method}`, flowArray, ...flowArgs));
        check(actual, expected, label);
        check(trace, hostTrace, `callback calls of ${label}`);
        check(
          flowOutcome(ctx, () => flowArray),
          { value: hostArray },
          `receiver after ${label}`,
        );
        checked++;
      }
    }
  }
  assert.deepEqual(mismatches.slice(0, 30), []);
  assert.ok(checked > 2000, `${checked} cases`);
});

test("methods that return the receiver return the same array", () => {
  const ctx = makeContext();
  for (const [method, args] of [
    ["sort", []],
    ["reverse", []],
    ["fill", [0]],
  ] as const) {
    const arr: Value[] = [2, 1];
    assert.equal(callNative(ctx, `Array.prototype.${method}`, arr, ...args), arr, method);
  }
});

test("flat(Infinity) of a deeply nested array works without host recursion", () => {
  const ctx = makeContext();
  let deep: Value[] = [1];
  for (let i = 0; i < 50_000; i++) deep = [deep, i];
  const result = callNative(ctx, "Array.prototype.flat", deep, Infinity) as Value[];
  assert.equal(result.length, 50_001);
  assert.equal(result[0], 1);
});

test("flat(Infinity) of an array containing itself fails like a JS stack overflow", () => {
  const ctx = makeContext();
  const a: Value[] = [];
  a.push(a);
  assert.deepEqual(
    flowOutcome(ctx, () => callNative(ctx, "Array.prototype.flat", a, Infinity)),
    { error: "RangeError: Maximum call stack size exceeded" },
  );
});

test("callbacks may be async: they just return handles, which are truthy", () => {
  const ctx = makeContext();
  const marker = toFlow({ handle: true }, ctx);
  const asyncLike = ctx.fn(() => marker);
  const mapped = callNative(ctx, "Array.prototype.map", [1, 2], asyncLike) as Value[];
  assert.deepEqual(mapped, [marker, marker]);
  assert.deepEqual(callNative(ctx, "Array.prototype.filter", [1, 2], asyncLike), [1, 2]);
});
