// Differential tests of the static natives: Object.*, Array.isArray/from/of, Math.*, Number(),
// Number.*, Number.prototype formatting, String(), String.fromCharCode/fromCodePoint, Boolean(),
// parseInt, parseFloat, isNaN, isFinite, and the error constructors, against real JavaScript.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Closure, Handle, LimitExceeded, isFlowObject, type Value } from "../../src/vm/values.js";
import { staticMembers } from "../../src/vm/stdlib/index.js";
import { callNative, flowOutcome, hostOutcome, makeContext, show, toFlow, type HostFn } from "./fake-context.js";

/** Runs `id` on each argument list and compares with `host` applied to the same arguments. */
function differential(id: string, host: HostFn, argLists: unknown[][], thisValue?: unknown): void {
  const mismatches: string[] = [];
  for (const args of argLists) {
    const expected = hostOutcome(() => host.apply(thisValue, args));
    const ctx = makeContext();
    const actual = flowOutcome(ctx, () => callNative(ctx, id, toFlow(thisValue, ctx), ...args.map((a) => toFlow(a, ctx))));
    try {
      assert.deepEqual(actual, expected);
    } catch {
      mismatches.push(`${id}(${args.map(show).join(", ")}) on ${show(thisValue)}: got ${show(actual)}, JS ${show(expected)}`);
    }
  }
  assert.deepEqual(mismatches, []);
}

const anything: unknown[] = [
  undefined,
  null,
  true,
  0,
  -0,
  42,
  1.5,
  NaN,
  Infinity,
  "",
  "abc",
  "12px",
  " 42 ",
  "0x1f",
  [],
  [1, 2],
  ["a", "b"],
  {},
  { a: 1, b: [2] },
  { 2: "b", 1: "a", z: 0 },
  { length: 2, 0: "x" },
  { valueOf: () => 7 },
  { toString: () => "9" },
];

test("Object.keys / values / entries on every kind of value", () => {
  for (const name of ["keys", "values", "entries"] as const) {
    differential(
      `Object.${name}`,
      Object[name] as HostFn,
      anything.map((v) => [v]),
    );
  }
});

test("Object.fromEntries, assign, hasOwn, is", () => {
  differential("Object.fromEntries", Object.fromEntries as HostFn, [
    [
      [
        ["a", 1],
        ["b", 2],
      ],
    ],
    [
      [
        ["a", 1],
        ["a", 2],
      ],
    ],
    [[]],
    [
      [
        [1, "one"],
        [{}, "obj"],
        [null, 0],
      ],
    ],
    [[{ 0: "k", 1: "v" }]],
    [[["only-key"]]],
    ["ab"],
    [[1]],
    [5],
    [true],
    [undefined],
    [null],
    [{}],
    [[[]]],
  ]);
  differential("Object.assign", Object.assign as HostFn, [
    [{}, { a: 1 }],
    [{ a: 1 }, { a: 2, b: 3 }, null, undefined, { c: 4 }],
    [{}, "xy"],
    [{}, [5, 6]],
    [[1, 2, 3], { 1: "b", length: 2 }],
    [null],
    [undefined, {}],
    [{}, 5, true],
  ]);
  differential("Object.hasOwn", Object.hasOwn as HostFn, [
    [{ a: 1 }, "a"],
    [{ a: 1 }, "b"],
    [{ a: undefined }, "a"],
    [[1, 2], 1],
    [[1, 2], "length"],
    [[1, 2], 5],
    ["abc", 0],
    ["abc", "length"],
    ["abc", 3],
    ["abc", "1"],
    [{ 1: true }, 1],
    [null, "a"],
    [undefined, "a"],
    [5, "toFixed"],
    [{}, "toString"],
  ]);
  differential("Object.is", Object.is as HostFn, [
    [0, -0],
    [NaN, NaN],
    [1, 1],
    ["a", "a"],
    [null, undefined],
    [{}, {}],
  ]);
});

test("Object.assign keeps the target's identity and writes to arrays like JS", () => {
  const ctx = makeContext();
  const target = toFlow({ a: 1 }, ctx);
  assert.equal(callNative(ctx, "Object.assign", undefined, target, toFlow({ b: 2 }, ctx)), target);
  const arr: Value[] = [1, 2, 3];
  callNative(ctx, "Object.assign", undefined, arr, toFlow({ length: 1 }, ctx));
  assert.deepEqual(arr, [1]);
  assert.deepEqual(
    flowOutcome(ctx, () => callNative(ctx, "Object.assign", undefined, [1], toFlow({ length: -1 }, ctx))),
    { error: "RangeError: Invalid array length" },
  );
  const small = makeContext(10);
  assert.throws(
    () => callNative(small, "Object.assign", undefined, [], toFlow({ length: 1e9 }, small)),
    (e) => e instanceof LimitExceeded,
  );
});

test("Object.* results never carry a host prototype", () => {
  const ctx = makeContext();
  const o = callNative(ctx, "Object.fromEntries", undefined, [
    ["__proto__", 1],
    ["toString", 2],
  ]);
  assert.ok(isFlowObject(o));
  assert.ok(Object.hasOwn(o as object, "__proto__"));
  const assigned = callNative(ctx, "Object.assign", undefined, toFlow({}, ctx), toFlow(JSON.parse('{"__proto__":{"x":1}}'), ctx));
  assert.ok(isFlowObject(assigned));
  assert.ok(Object.hasOwn(assigned as object, "__proto__"));
  assert.equal(({} as Record<string, unknown>).x, undefined);
});

test("Object.keys of class instances is empty; Object() returns objects as they are", () => {
  const ctx = makeContext();
  assert.deepEqual(callNative(ctx, "Object.keys", undefined, new Closure(3, null)), []);
  assert.deepEqual(callNative(ctx, "Object.keys", undefined, new Handle(1, "task")), []);
  const o = toFlow({ a: 1 }, ctx);
  assert.equal(callNative(ctx, "Object", undefined, o), o);
  assert.ok(isFlowObject(callNative(ctx, "Object", undefined)));
  assert.ok("error" in flowOutcome(ctx, () => callNative(ctx, "Object", undefined, 5)));
});

test("Array.isArray, Array.from, Array.of", () => {
  differential(
    "Array.isArray",
    Array.isArray as HostFn,
    anything.map((v) => [v]),
  );
  differential("Array.from", Array.from as HostFn, [
    ...anything.filter((v) => v !== undefined && v !== null).map((v) => [v]),
    [undefined],
    [null],
    ["a😀b"],
    [{ length: "3", 1: "x" }],
    [{ length: -5 }],
    [{ length: 2.7 }],
    [[1, 2, 3], (x: number, i: number) => x * 10 + i],
    ["ab", (c: string) => c.toUpperCase()],
    [{ length: 2 }, (_: unknown, i: number) => i],
    [[1], 5],
    [[1], null],
    [undefined, 5],
  ]);
  differential("Array.of", Array.of as HostFn, [[], [1], [1, 2, 3], [undefined], [7]]);
  const small = makeContext(100);
  assert.throws(
    () => callNative(small, "Array.from", undefined, toFlow({ length: 1e9 }, small)),
    (e) => e instanceof LimitExceeded,
  );
});

const numbers: unknown[] = [
  0,
  -0,
  1,
  -1,
  0.5,
  -0.5,
  1.5,
  2.5,
  -2.5,
  3.7,
  1e-7,
  1e21,
  123.456,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  NaN,
  Infinity,
  -Infinity,
  "3",
  "",
  " ",
  null,
  undefined,
  true,
  [],
  [2],
  ["4"],
  {},
  { valueOf: () => 0.25 },
  "0x10",
  "1e3",
];

test("every Math function and constant", () => {
  const math = staticMembers.Math!;
  for (const name of Object.getOwnPropertyNames(Math)) {
    const hostMember = (Math as unknown as Record<string, unknown>)[name];
    if (typeof hostMember === "number") {
      assert.equal(math[name], hostMember, name);
      continue;
    }
    if (typeof hostMember !== "function") continue;
    assert.ok(math[name] !== undefined, `Math.${name} is listed`);
    if (name === "random") continue; // supplied by the interpreter (it needs the host)
    const argLists: unknown[][] = [[]];
    for (const a of numbers) argLists.push([a]);
    for (const a of numbers.slice(0, 12)) for (const b of numbers.slice(0, 12)) argLists.push([a, b]);
    argLists.push([1, 2, 3, 4], [3, NaN, 1], [-0, 0], [0, -0], ["7", { valueOf: () => 8 }]);
    differential(`Math.${name}`, hostMember as HostFn, argLists);
  }
});

test("Number, String, Boolean, parseInt, parseFloat, isNaN, isFinite", () => {
  const one = anything.map((v) => [v]);
  differential("Number", Number as HostFn, [
    [],
    ...one,
    ...numbers.map((v) => [v]),
    ["  12  "],
    ["1_000"],
    ["-0"],
    ["0b101"],
    ["1e1000"],
  ]);
  differential("String", String as HostFn, [[], ...one, ...numbers.map((v) => [v])]);
  differential("Boolean", Boolean as HostFn, [[], ...one, ...numbers.map((v) => [v])]);
  const parseArgs: unknown[][] = [
    ...one,
    ["08"],
    ["0x1F"],
    ["  -12.9e3xyz"],
    ["1e3"],
    ["Infinity"],
    [".5"],
    ["-.5e-2"],
    ["ff", 16],
    ["101", 2],
    ["z", 36],
    ["12", 1],
    ["12", 37],
    ["12", 0],
    ["12", "8"],
    ["0x10", 16],
    ["0x10", 10],
    [15.99],
    [1e21],
    [-0],
    ["  \n 7"],
  ];
  differential("parseInt", parseInt as HostFn, parseArgs);
  differential("parseFloat", parseFloat as HostFn, parseArgs);
  differential("isNaN", isNaN as HostFn, [...one, ...numbers.map((v) => [v])]);
  differential("isFinite", isFinite as HostFn, [...one, ...numbers.map((v) => [v])]);
});

test("Number statics", () => {
  const number = staticMembers.Number!;
  for (const c of [
    "MAX_SAFE_INTEGER",
    "MIN_SAFE_INTEGER",
    "MAX_VALUE",
    "MIN_VALUE",
    "EPSILON",
    "POSITIVE_INFINITY",
    "NEGATIVE_INFINITY",
  ]) {
    assert.equal(number[c], (Number as unknown as Record<string, number>)[c], c);
  }
  assert.ok(Number.isNaN(number.NaN as number));
  const values = [...anything, ...numbers, 2 ** 53, 2 ** 53 - 1, 5.0, "5"].map((v) => [v]);
  for (const name of ["isInteger", "isSafeInteger", "isFinite", "isNaN"] as const) {
    differential(`Number.${name}`, Number[name] as HostFn, values);
  }
  assert.equal(number.parseFloat, staticMembers.Number!.parseFloat);
});

test("Number.prototype.toFixed / toPrecision / toExponential / toString / valueOf", () => {
  const receivers = [0, -0, 1, -1.5, 1.005, 123.456, 1e21, 1e-7, 0.000001234, NaN, Infinity, -Infinity, 255, 2 ** 53];
  const digitArgs: unknown[][] = [[], [0], [1], [2], [5], [20], [100], [101], [-1], [1.9], ["3"], [undefined], [NaN], [Infinity]];
  for (const x of receivers) {
    for (const name of ["toFixed", "toPrecision", "toExponential"] as const) {
      differential(`Number.prototype.${name}`, Number.prototype[name] as HostFn, digitArgs, x);
    }
    differential(
      "Number.prototype.toString",
      Number.prototype.toString as HostFn,
      [[], [2], [16], [36], [10], [1], [37], ["8"], [undefined]],
      x,
    );
    differential("Number.prototype.valueOf", Number.prototype.valueOf as HostFn, [[]], x);
  }
  for (const b of [true, false]) {
    differential("Boolean.prototype.toString", Boolean.prototype.toString as HostFn, [[]], b);
    differential("Boolean.prototype.valueOf", Boolean.prototype.valueOf as HostFn, [[]], b);
  }
});

test("String.fromCharCode and String.fromCodePoint", () => {
  differential("String.fromCharCode", String.fromCharCode as HostFn, [
    [],
    [65],
    [65, 66, 67],
    [0x1f600],
    [65.9],
    ["66"],
    [-1],
    [NaN],
    [0xd83d, 0xde00],
    [{ valueOf: () => 97 }],
  ]);
  differential("String.fromCodePoint", String.fromCodePoint as HostFn, [
    [],
    [65],
    [0x1f600],
    [0x10ffff],
    [0x110000],
    [-1],
    [1.5],
    ["66"],
    [NaN],
    [Infinity],
    [65, 0x1f600, 66],
  ]);
});

test("Error, TypeError, RangeError called without new", () => {
  const ctx = makeContext();
  for (const type of ["Error", "TypeError", "RangeError"]) {
    const e = callNative(ctx, type, undefined, "boom") as Record<string, Value>;
    assert.ok(isFlowObject(e));
    assert.deepEqual({ ...e }, { name: type, type, message: "boom" });
    const bare = callNative(ctx, type, undefined) as Record<string, Value>;
    assert.equal(bare.message, "");
    const withCause = callNative(ctx, type, undefined, 42, toFlow({ cause: { code: 7 } }, ctx)) as Record<string, Value>;
    assert.equal(withCause.message, "42");
    assert.deepEqual({ ...(withCause.cause as object) }, { code: 7 });
    const undefinedCause = callNative(ctx, type, undefined, "m", toFlow({ cause: undefined }, ctx)) as Record<string, Value>;
    assert.ok(Object.hasOwn(undefinedCause, "cause"));
    const noCause = callNative(ctx, type, undefined, "m", toFlow({ other: 1 }, ctx)) as Record<string, Value>;
    assert.ok(!Object.hasOwn(noCause, "cause"));
  }
  const fromObject = callNative(ctx, "Error", undefined, toFlow({ toString: () => "custom" }, ctx)) as Record<string, Value>;
  assert.equal(fromObject.message, "custom");
});
