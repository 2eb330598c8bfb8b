// Differential tests of coerce.ts: every operator and conversion on every pair of a table of
// tricky values (primitives, -0, NaN, arrays, objects with their own valueOf/toString), run once
// by the host JavaScript engine and once by our implementation, comparing results and errors.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as coerce from "../../src/vm/coerce.js";
import { BoundMethod, Closure, Handle, LimitExceeded, NativeFunction, type Value } from "../../src/vm/values.js";
import { namespace, nativeFn } from "../../src/vm/stdlib/index.js";
import { flowOutcome, hostOutcome, makeContext, show, toFlow } from "./fake-context.js";

const hostValues: unknown[] = [
  undefined,
  null,
  true,
  false,
  0,
  -0,
  1,
  -1,
  1.5,
  255,
  NaN,
  Infinity,
  -Infinity,
  "",
  " ",
  "0",
  "1",
  "-0",
  "  12  ",
  "abc",
  "1e3",
  "0x10",
  "0b11",
  "Infinity",
  "\n",
  "a",
  "b",
  "B",
  "ab",
  "10",
  "9",
  [],
  [0],
  [1],
  [1, 2],
  [null],
  [undefined],
  [[]],
  [1, [2, [3]]],
  ["a", "b"],
  {},
  { a: 1 },
  { valueOf: () => 42 },
  { toString: () => "7" },
  { valueOf: () => ({}), toString: () => "s" },
  { toString: 5 },
  { valueOf: () => "3", toString: () => "9" },
  { valueOf: () => true },
  { toString: () => ({}) },
];

const ctx = makeContext();
const flowValues: Value[] = hostValues.map((v) => toFlow(v, ctx));

// the host side applies JS operators to arbitrary values on purpose
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

type Binary = [name: string, host: (a: Any, b: Any) => unknown, flow: (a: Value, b: Value) => Value];

const binaries: Binary[] = [
  ["+", (a, b) => a + b, (a, b) => coerce.add(a, b, ctx)],
  ["-", (a, b) => a - b, (a, b) => coerce.subtract(a, b, ctx)],
  ["*", (a, b) => a * b, (a, b) => coerce.multiply(a, b, ctx)],
  ["/", (a, b) => a / b, (a, b) => coerce.divide(a, b, ctx)],
  ["%", (a, b) => a % b, (a, b) => coerce.remainder(a, b, ctx)],
  ["**", (a, b) => a ** b, (a, b) => coerce.power(a, b, ctx)],
  ["==", (a, b) => a == b, (a, b) => coerce.looseEquals(a, b, ctx)],
  ["===", (a, b) => a === b, (a, b) => coerce.strictEquals(a, b)],
  ["<", (a, b) => a < b, (a, b) => coerce.compare(a, b, "<", ctx)],
  ["<=", (a, b) => a <= b, (a, b) => coerce.compare(a, b, "<=", ctx)],
  [">", (a, b) => a > b, (a, b) => coerce.compare(a, b, ">", ctx)],
  [">=", (a, b) => a >= b, (a, b) => coerce.compare(a, b, ">=", ctx)],
  ["sameValueZero", (a, b) => [a].includes(b), (a, b) => coerce.sameValueZero(a, b)],
  ["sameValue", (a, b) => Object.is(a, b), (a, b) => coerce.sameValue(a, b)],
];

test("binary operators match JavaScript on every pair of the value table", () => {
  let checked = 0;
  for (const [name, host, flow] of binaries) {
    for (let i = 0; i < hostValues.length; i++) {
      for (let j = 0; j < hostValues.length; j++) {
        const expected = hostOutcome(() => host(hostValues[i], hostValues[j]));
        const actual = flowOutcome(ctx, () => flow(flowValues[i]!, flowValues[j]!));
        assert.deepEqual(actual, expected, `${show(hostValues[i])} ${name} ${show(hostValues[j])}`);
        checked++;
      }
    }
  }
  assert.ok(checked > 10_000);
});

type Unary = [name: string, host: (a: Any) => unknown, flow: (a: Value) => Value];

const unaries: Unary[] = [
  ["typeof", (a) => typeof a, (a) => coerce.typeOf(a)],
  ["String", (a) => String(a), (a) => coerce.toStr(a, ctx)],
  ["Number", (a) => Number(a), (a) => coerce.toNumber(a, ctx)],
  ["!!", (a) => !!a, (a) => coerce.truthy(a)],
  ["-", (a) => -a, (a) => coerce.negate(a, ctx)],
  ["property key", (a) => Object.keys({ [a]: 1 })[0], (a) => coerce.toPropertyKey(a, ctx)],
  ["template", (a) => `${a}`, (a) => coerce.toStr(a, ctx)],
  ["ToIntegerOrInfinity", (a) => Math.trunc(Number(a)) + 0, (a) => coerce.toIntegerOrInfinity(a, ctx)],
  ["ToUint32", (a) => Number(a) >>> 0, (a) => coerce.toUint32(a, ctx)],
];

test("conversions match JavaScript on the value table", () => {
  for (const [name, host, flow] of unaries) {
    for (let i = 0; i < hostValues.length; i++) {
      const expected = hostOutcome(() => {
        const r = host(hostValues[i]);
        // ToIntegerOrInfinity maps NaN to 0; Math.trunc keeps it, so align the host side
        return name === "ToIntegerOrInfinity" && Number.isNaN(r) ? 0 : r;
      });
      const actual = flowOutcome(ctx, () => flow(flowValues[i]!));
      assert.deepEqual(actual, expected, `${name}(${show(hostValues[i])})`);
    }
  }
});

test("classic coercion puzzles", () => {
  const f = (v: unknown) => toFlow(v, ctx);
  assert.equal(coerce.add(f([]), f({}), ctx), "[object Object]");
  assert.equal(coerce.add(f({}), f([]), ctx), "[object Object]");
  assert.equal(coerce.add(f([]), f([]), ctx), "");
  assert.equal(coerce.multiply("5", "2"), 10);
  assert.equal(coerce.add("5", 2), "52");
  assert.equal(coerce.subtract("5", 2), 3);
  assert.equal(coerce.looseEquals(null, undefined), true);
  assert.equal(coerce.looseEquals(null, 0), false);
  assert.equal(coerce.looseEquals(f([]), false, ctx), true);
  assert.equal(coerce.looseEquals(NaN, NaN), false);
  assert.equal(coerce.compare(NaN, NaN, "<="), false);
  assert.equal(coerce.compare(null, 0, ">="), true);
  assert.equal(coerce.compare(undefined, 0, ">="), false);
  assert.ok(Object.is(coerce.negate(0), -0));
  assert.ok(Object.is(coerce.multiply(-1, 0), -0));
  assert.equal(coerce.toStr(-0), "0");
  assert.equal(coerce.divide(1, -0), -Infinity);
  assert.equal(coerce.compare("10", "9", "<"), true); // strings compare by code units
  assert.equal(coerce.compare("10", 9, "<"), false);
  assert.equal(coerce.compare("\uD83D\uDE00", "\uFFFF", "<"), true); // code units, not code points
});

test("class instances: typeof, String and + as JavaScript shows them", () => {
  const closure = new Closure(0, null);
  assert.equal(coerce.typeOf(closure), "function");
  assert.equal(coerce.typeOf(nativeFn("Math.max")), "function");
  assert.equal(coerce.typeOf(new BoundMethod("Array.prototype.map", [])), "function");
  assert.equal(coerce.typeOf(new Handle(1, "task")), "object");
  assert.equal(coerce.typeOf(namespace("Math")), "object");
  assert.equal(coerce.typeOf(namespace("Array")), "function");
  assert.equal(coerce.toStr(closure), "function () { [flow code] }");
  assert.equal(coerce.toStr(nativeFn("Math.max")), "function max() { [native code] }");
  assert.equal(coerce.toStr(new NativeFunction("parseInt")), String(parseInt));
  assert.equal(coerce.toStr(new BoundMethod("Array.prototype.map", [])), String([].map));
  assert.equal(coerce.toStr(new Handle(1, "task")), String(Promise.resolve()));
  assert.equal(coerce.toStr(namespace("Math")), String(Math));
  assert.equal(coerce.toStr(namespace("JSON")), String(JSON));
  assert.equal(coerce.toStr(namespace("Array")), String(Array));
  assert.equal(coerce.add(new Handle(1, "task"), 1), "[object Promise]1");
  assert.ok(Number.isNaN(coerce.toNumber(closure)));
  assert.equal(coerce.looseEquals(new Handle(1, "task"), "[object Promise]"), true);
  assert.equal(coerce.truthy(closure), true);
  assert.equal(coerce.truthy(new Handle(1, "task")), true);
});

test("arrays that contain themselves join like V8 instead of recursing", () => {
  const a: Value[] = [1, 2];
  a.push(a);
  const hostA: unknown[] = [1, 2];
  hostA.push(hostA);
  assert.equal(coerce.toStr(a), String(hostA));
  assert.equal(coerce.toStr(a), "1,2,");
});

test("a very deep array fails String() with a catchable RangeError, not a host crash", () => {
  let deep: Value[] = [];
  for (let i = 0; i < 200_000; i++) deep = [deep];
  const outcome = flowOutcome(ctx, () => coerce.toStr(deep, ctx));
  assert.deepEqual(outcome, { error: "RangeError: Maximum call stack size exceeded" });
});

test("+ checks the size limit before building a long string", () => {
  const small = makeContext(10);
  assert.equal(coerce.add("abcde", "fghij", small), "abcdefghij");
  assert.throws(
    () => coerce.add("abcde", "fghijk", small),
    (e) => e instanceof LimitExceeded && e.limit === "stateSize" && /exceeds the state size limit \(10\)/.test(e.message),
  );
});

test("an object with its own toString needs a context to be converted", () => {
  const o = toFlow({ toString: () => "x" }, ctx);
  assert.equal(coerce.toStr(o, ctx), "x");
  assert.throws(() => coerce.toStr(o), /needs a NativeContext/);
});
