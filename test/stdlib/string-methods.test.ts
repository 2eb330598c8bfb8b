// Differential tests of every String.prototype native: each method on a table of strings
// (empty, spaces, astral characters, lone surrogates, `$` patterns) with a table of arguments
// (negative and odd indexes, objects, undefined, function replacers), compared with real JS.

import { test } from "node:test";
import assert from "node:assert/strict";
import { LimitExceeded } from "../../src/vm/values.js";
import { natives } from "../../src/vm/stdlib/index.js";
import { callNative, flowOutcome, hostOutcome, makeContext, show, toFlow, type HostFn } from "./fake-context.js";

const strings = [
  "",
  "abc",
  "  padded \n",
  "a-b-c",
  "Hello World",
  "ÄÖü ß ǅ",
  "😀x😀",
  "aaa",
  "\uD800 lone",
  "1,2,,3",
  "a$b",
  "abcabc",
];

let trace: string[] = [];
const cb =
  (f: HostFn): HostFn =>
  (...a: unknown[]) => {
    trace.push(a.map(show).join(","));
    return f(...a);
  };

const searches: unknown[][] = [
  ["a"],
  [""],
  ["b", 1],
  ["c", -5],
  ["a", Infinity],
  [undefined],
  [null],
  ["abc", 0],
  [1],
  [{}],
  ["😀", 1],
  ["a", "2"],
];
const ranges: unknown[][] = [
  [],
  [1],
  [-2],
  [1, 3],
  [3, 1],
  [-3, -1],
  [NaN],
  [undefined, 2],
  ["1", "2"],
  [Infinity],
  [-Infinity, 2],
  [1.7, 2.2],
];
const positions: unknown[][] = [[0], [1], [-1], [100], ["2"], [1.9], [], [NaN], [Infinity]];
const replacements: unknown[][] = [
  ["a", "X"],
  ["", "_"],
  ["b", "[$&]"],
  ["b", "$`|$'"],
  ["b", "$$"],
  ["b", "$1$0$<x>$"],
  ["zz", "Q"],
  ["a", cb((m, p) => `${m}@${p}`)],
  ["a", cb(() => ({}))],
  [undefined, "u"],
  [1, 2],
  ["a", undefined],
  ["c", "$"],
  ["", cb((m, p) => `<${p}>`)],
  ["abc", "$'$'"],
  ["😀", "$&$&"],
];

const cases: Record<string, unknown[][]> = {
  at: positions,
  charAt: positions,
  charCodeAt: positions,
  codePointAt: positions,
  endsWith: searches,
  startsWith: searches,
  includes: searches,
  indexOf: searches,
  lastIndexOf: [...searches, ["a", -Infinity], ["b", undefined]],
  slice: ranges,
  substring: ranges,
  substr: ranges,
  normalize: [[], ["NFD"], ["NFKC"], ["NFKD"], ["bad"], [undefined]],
  toLowerCase: [[]],
  toUpperCase: [[]],
  trim: [[]],
  trimStart: [[]],
  trimEnd: [[]],
  isWellFormed: [[]],
  toWellFormed: [[]],
  toString: [[]],
  valueOf: [[]],
  padStart: [[5], [10, "xy"], [2], [8, ""], [6, undefined], [6, 0], ["7", "-"], [-1], [NaN, "z"], [13, "😀"]],
  padEnd: [[5], [10, "xy"], [2], [8, ""], [6, undefined], [6, 0], ["7", "-"], [-1], [NaN, "z"], [13, "😀"]],
  split: [
    [],
    [undefined],
    [""],
    [","],
    ["-", 2],
    ["", 3],
    ["b"],
    [",", 0],
    [",", -1],
    [null],
    ["abc"],
    [undefined, 0],
    ["a", "1"],
    ["", 2 ** 32 + 1],
  ],
  repeat: [[0], [1], [3], [-1], [Infinity], ["2"], [2.9], [NaN], [-0.5], [undefined]],
  concat: [[], ["x"], [1, null, undefined], [[1, 2]], [{}]],
  localeCompare: [
    ["abc"],
    ["ABC"],
    ["b"],
    [""],
    ["a", "en", { sensitivity: "base" }],
    ["10", undefined, { numeric: true }],
    ["a", "xx-invalid-locale-$$"],
    ["a", ["de", "en"]],
    [undefined],
  ],
  replace: replacements,
  replaceAll: replacements,
};

test("every String.prototype method matches JavaScript on the table", () => {
  const mismatches: string[] = [];
  let checked = 0;
  for (const [method, argLists] of Object.entries(cases)) {
    assert.ok(natives.has(`String.prototype.${method}`), method);
    for (const s of strings) {
      for (const args of argLists) {
        const label = `${show(s)}.${method}(${args.map(show).join(", ")})`;
        trace = [];
        const expected = hostOutcome(() => (String.prototype as unknown as Record<string, HostFn>)[method]!.apply(s, args));
        const hostTrace = trace;
        trace = [];
        const ctx = makeContext();
        const actual = flowOutcome(ctx, () =>
          callNative(ctx, `String.prototype.${method}`, s, ...args.map((a) => toFlow(a, ctx))),
        );
        try {
          assert.deepEqual(actual, expected);
          assert.deepEqual(trace, hostTrace);
        } catch {
          mismatches.push(
            `${label}: got ${show(actual)} (calls ${show(trace)}), JS gives ${show(expected)} (calls ${show(hostTrace)})`,
          );
        }
        checked++;
      }
    }
  }
  assert.deepEqual(mismatches.slice(0, 30), []);
  assert.ok(checked > 2500, `${checked} cases`);
});

test("arguments that are objects go through their own toString/valueOf, as in JS", () => {
  const ctx = makeContext();
  const idx = toFlow({ valueOf: () => 1 }, ctx);
  const str = toFlow({ toString: () => "b" }, ctx);
  assert.equal(callNative(ctx, "String.prototype.charAt", "abc", idx), "b");
  assert.equal(callNative(ctx, "String.prototype.indexOf", "abc", str), 1);
  assert.equal(callNative(ctx, "String.prototype.replace", "abc", str, str), "abc");
  assert.deepEqual(callNative(ctx, "String.prototype.split", "abc", str), ["a", "c"]);
});

test("growing methods check the size limit before allocating", () => {
  const ctx = makeContext(1000);
  const isLimit = (e: unknown) => e instanceof LimitExceeded && e.limit === "stateSize";
  assert.throws(() => callNative(ctx, "String.prototype.repeat", "x", 1e9), isLimit);
  assert.throws(() => callNative(ctx, "String.prototype.padStart", "x", 1e9), isLimit);
  assert.throws(() => callNative(ctx, "String.prototype.padEnd", "x", 1001, "ab"), isLimit);
  assert.throws(() => callNative(ctx, "String.prototype.concat", "x".repeat(600), "y".repeat(600)), isLimit);
  assert.throws(() => callNative(ctx, "String.prototype.replaceAll", "x".repeat(100), "x", "abcdefghijk"), isLimit);
  assert.throws(() => callNative(ctx, "String.prototype.replace", "x".repeat(100), "x", "$'".repeat(20)), isLimit);
  // what stays within the limit still works, and an empty pad or count never counts
  assert.equal(callNative(ctx, "String.prototype.repeat", "", 1e9), "");
  assert.equal(callNative(ctx, "String.prototype.padStart", "x", 1e9, ""), "x");
  assert.equal((callNative(ctx, "String.prototype.repeat", "ab", 500) as string).length, 1000);
  // invalid counts still give JS's RangeError, catchable
  assert.deepEqual(
    flowOutcome(ctx, () => callNative(ctx, "String.prototype.repeat", "x", -1)),
    { error: "RangeError: Invalid count value: -1" },
  );
});

test("replaceAll with an empty pattern inserts between every code unit and at both ends", () => {
  const ctx = makeContext();
  assert.equal(callNative(ctx, "String.prototype.replaceAll", "ab", "", "-"), "-a-b-");
  assert.equal(callNative(ctx, "String.prototype.replaceAll", "", "", "-"), "-");
});
