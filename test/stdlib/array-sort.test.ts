// Array.prototype.sort against V8's own sort: same final order AND the same comparator calls in
// the same order, for sizes from 0 to 5,000, data with runs, duplicates (stability) and for
// inconsistent comparators (boolean-returning, pseudo-random), where only an identical algorithm
// can agree with Node.

import { test } from "node:test";
import assert from "node:assert/strict";
import type { Value } from "../../src/vm/values.js";
import { seededRandom as rng } from "../../src/testing/random.js";
import { callNative, makeContext, show, toFlow, toHost } from "./fake-context.js";

type Data = { name: string; make: (n: number, r: () => number) => unknown[] };

const datasets: Data[] = [
  { name: "random", make: (n, r) => Array.from({ length: n }, () => Math.floor(r() * 1000)) },
  { name: "few distinct", make: (n, r) => Array.from({ length: n }, () => Math.floor(r() * 4)) },
  { name: "ascending", make: (n) => Array.from({ length: n }, (_, i) => i) },
  { name: "descending", make: (n) => Array.from({ length: n }, (_, i) => n - i) },
  {
    name: "runs",
    make: (n, r) => Array.from({ length: n }, (_, i) => (i % 50 < 25 ? i : n - i) + Math.floor(r() * 3)),
  },
  {
    name: "two sorted halves",
    make: (n) => Array.from({ length: n }, (_, i) => (i < n / 2 ? i * 2 : (i - n / 2) * 2 + 1)),
  },
  { name: "records", make: (n, r) => Array.from({ length: n }, (_, i) => ({ k: Math.floor(r() * 5), i })) },
];

type Cmp = { name: string; make: (r: () => number) => (a: unknown, b: unknown) => unknown };

const key = (x: unknown): number => (typeof x === "object" && x !== null ? (x as { k: number }).k : (x as number));
const comparators: Cmp[] = [
  { name: "ascending", make: () => (a, b) => key(a) - key(b) },
  { name: "descending", make: () => (a, b) => key(b) - key(a) },
  { name: "boolean (a > b)", make: () => (a, b) => key(a) > key(b) },
  { name: "random", make: (r) => () => r() - 0.5 },
  { name: "mostly consistent", make: (r) => (a, b) => (r() < 0.05 ? 1 : key(a) - key(b)) },
];

const sizes = [0, 1, 2, 3, 5, 9, 10, 17, 31, 32, 33, 63, 64, 65, 100, 127, 200, 257, 1000, 2500];

test("sort gives V8's result and V8's comparator call sequence", () => {
  for (const size of sizes) {
    for (const data of datasets) {
      for (const cmp of comparators) {
        const input = data.make(size, rng(size * 31 + data.name.length));
        const label = `${data.name} × ${size}, comparator ${cmp.name}`;

        const hostCalls: string[] = [];
        const hostCmp = cmp.make(rng(7));
        const hostArray = input.slice();
        hostArray.sort((a, b) => {
          hostCalls.push(`${show(a)}|${show(b)}`);
          return hostCmp(a, b) as number;
        });

        const ctx = makeContext();
        const flowCalls: string[] = [];
        const flowCmp = cmp.make(rng(7));
        const flowArray = toFlow(input.slice(), ctx) as Value[];
        const fn = ctx.fn((a, b) => {
          flowCalls.push(`${show(toHost(a, ctx))}|${show(toHost(b, ctx))}`);
          return flowCmp(a, b);
        });
        callNative(ctx, "Array.prototype.sort", flowArray, fn);
        assert.equal(flowCalls.length, hostCalls.length, `number of comparator calls, ${label}`);
        assert.deepEqual(flowCalls, hostCalls, `comparator calls, ${label}`);
        assert.deepEqual(toHost(flowArray, ctx), hostArray, label);
      }
    }
  }
});

test("default sort: strings by code units, numbers as strings, undefined then holes last", () => {
  const ctx = makeContext();
  const inputs: unknown[][] = [
    [10, 9, 1, 100, 2, -1, -10],
    ["b", "a", "B", "é", "e", "\uD83D\uDE00", "\uFFFF", ""],
    [3, undefined, , 1, null, undefined, "null", "undefined"],
    [[2, 1], [1, 2], [1], "1,2"],
    [true, false, "true", NaN, "NaN", Infinity],
  ];
  for (const input of inputs) {
    const hostArray = input.slice().sort();
    const flowArray = toFlow(input.slice(), ctx) as Value[];
    callNative(ctx, "Array.prototype.sort", flowArray);
    assert.deepEqual(toHost(flowArray, ctx), hostArray, show(input));
    assert.equal(flowArray.length, hostArray.length);
  }
});

test("sort is stable for equal keys", () => {
  const ctx = makeContext();
  const records = Array.from({ length: 500 }, (_, i) => ({ k: i % 3, i }));
  const flowArray = toFlow(records, ctx) as Value[];
  callNative(
    ctx,
    "Array.prototype.sort",
    flowArray,
    ctx.fn((a, b) => key(a) - key(b)),
  );
  const out = toHost(flowArray, ctx) as { k: number; i: number }[];
  for (let j = 1; j < out.length; j++) {
    const [p, q] = [out[j - 1]!, out[j]!];
    assert.ok(p.k < q.k || (p.k === q.k && p.i < q.i), `order at ${j}`);
  }
});

test("toSorted leaves the receiver alone and turns holes into undefined", () => {
  const ctx = makeContext();
  const input: Value[] = [3, , 1, undefined, 2];
  const out = callNative(ctx, "Array.prototype.toSorted", input) as Value[];
  assert.deepEqual(input, [3, , 1, undefined, 2]);
  assert.deepEqual(out, [1, 2, 3, undefined, undefined]);
});
