// JSON.stringify and JSON.parse against the host's: a table of values × replacers × indents,
// texts valid and invalid (V8's exact SyntaxError messages), revivers with the order of their
// calls, cycles (V8's multi-line message), very deep input, and our own kinds of values.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Closure, Handle, LimitExceeded, isFlowObject, type Value } from "../../src/vm/values.js";
import { namespace, nativeFn } from "../../src/vm/stdlib/index.js";
import { callNative, flowOutcome, hostOutcome, makeContext, show, toFlow, type HostFn } from "./fake-context.js";

let trace: string[] = [];
const cb =
  (f: HostFn): HostFn =>
  (...a: unknown[]) => {
    trace.push(a.map(show).join(","));
    return f(...a);
  };

const values: unknown[] = [
  undefined,
  null,
  true,
  false,
  0,
  -0,
  1.5,
  1e21,
  NaN,
  Infinity,
  -Infinity,
  "",
  "plain",
  'quote " backslash \\ newline \n tab \t',
  "\u0000\u001f\u007f",
  "\uD800 lone",
  "😀",
  "</script>",
  [],
  [1, "a", null],
  [undefined, () => 1, NaN],
  [[[]]],
  {},
  { a: 1, b: "x" },
  { b: 1, a: 2, 10: "ten", 2: "two" },
  { u: undefined, f: () => 1, n: null },
  { nested: { deep: [1, { x: [2, 3] }] } },
  { toJSON: (k: string) => `toJSON(${k})` },
  { a: { toJSON: () => undefined }, b: [{ toJSON: (k: string) => k }] },
  JSON.parse('{"__proto__": {"x": 1}, "y": 2}'),
  { 'with "quotes"': 1, "": 2 },
];

const replacers: unknown[] = [
  undefined,
  null,
  cb((_k: string, v: unknown) => (typeof v === "number" ? v * 2 : v)),
  cb((k: string, v: unknown) => (k === "b" ? undefined : v)),
  cb((k: string, v: unknown) => (k === "" ? { wrapped: v } : v)),
  ["a", "b", 1, "10"],
  ["b", "b", {}, null, true],
  [],
  "not a replacer",
];

const spaces: unknown[] = [undefined, 2, 20, "\t", "abcdefghijklmnop", 0, -1, "", 1.9, null, true];

test("JSON.stringify matches JavaScript on values × replacers × indents", () => {
  const mismatches: string[] = [];
  let checked = 0;
  for (const value of values) {
    for (const replacer of replacers) {
      for (const space of spaces) {
        trace = [];
        const expected = hostOutcome(() => JSON.stringify(value, replacer as (string | number)[], space as string));
        const hostTrace = trace;
        trace = [];
        const ctx = makeContext();
        const actual = flowOutcome(ctx, () =>
          callNative(ctx, "JSON.stringify", undefined, toFlow(value, ctx), toFlow(replacer, ctx), toFlow(space, ctx)),
        );
        try {
          assert.deepEqual(actual, expected);
          assert.deepEqual(trace, hostTrace);
        } catch {
          mismatches.push(
            `stringify(${show(value)}, ${show(replacer)}, ${show(space)}): got ${show(actual)} ${show(trace)}, JS ${show(expected)} ${show(hostTrace)}`,
          );
        }
        checked++;
      }
    }
  }
  assert.deepEqual(mismatches.slice(0, 20), []);
  assert.ok(checked > 3000);
});

function cycles(): unknown[] {
  const self: Record<string, unknown> = {};
  self.me = self;
  const a: Record<string, unknown> = {};
  a.b = { c: a };
  const arr: unknown[] = [1, { x: [2] }];
  ((arr[1] as { x: unknown[] }).x as unknown[]).push(arr);
  const chain = (n: number) => {
    const root: Record<string, unknown> = {};
    let cur = root;
    for (let i = 0; i < n; i++) cur = (cur[`k${i}`] = {}) as Record<string, unknown>;
    cur.z = root;
    return root;
  };
  const inner: Record<string, unknown> = { a: {} };
  (inner.a as Record<string, unknown>).b = inner.a;
  return [self, a, arr, chain(3), chain(4), chain(9), inner, { list: [inner] }];
}

test("cycles throw V8's exact circular-structure TypeError", () => {
  for (const value of cycles()) {
    const expected = hostOutcome(() => JSON.stringify(value));
    const ctx = makeContext();
    const actual = flowOutcome(ctx, () => callNative(ctx, "JSON.stringify", undefined, toFlow(value, ctx)));
    assert.deepEqual(actual, expected);
  }
});

test("a value that is repeated but not cyclic is written twice", () => {
  const ctx = makeContext();
  const shared = toFlow({ a: 1 }, ctx);
  assert.equal(callNative(ctx, "JSON.stringify", undefined, [shared, shared]), '[{"a":1},{"a":1}]');
});

test("our value kinds: functions are left out, handles and namespaces are empty objects", () => {
  const ctx = makeContext();
  const o = toFlow({ n: 1 }, ctx) as Record<string, Value>;
  o.f = new Closure(0, null);
  o.m = nativeFn("Math.max");
  o.h = new Handle(1, "task");
  o.math = namespace("Math");
  o.array = namespace("Array");
  assert.equal(callNative(ctx, "JSON.stringify", undefined, o), '{"n":1,"h":{},"math":{}}');
  assert.equal(callNative(ctx, "JSON.stringify", undefined, [new Closure(0, null), new Handle(2, "timer")]), "[null,{}]");
  assert.equal(callNative(ctx, "JSON.stringify", undefined, new Closure(0, null)), undefined);
});

test("stringify of a 10,000-deep structure works (no host recursion)", () => {
  const ctx = makeContext(100_000_000);
  let deep: Value = [];
  for (let i = 0; i < 10_000; i++) deep = [deep];
  const text = callNative(ctx, "JSON.stringify", undefined, deep) as string;
  assert.equal(text, "[".repeat(10_001) + "]".repeat(10_001));
  let obj: Value = toFlow({}, ctx);
  for (let i = 0; i < 10_000; i++) obj = toFlow({ a: obj }, ctx);
  assert.equal(callNative(ctx, "JSON.stringify", undefined, obj), '{"a":'.repeat(10_000) + "{}" + "}".repeat(10_000));
  // indented output grows with the square of the depth, so a smaller one for that
  let obj2: Value = toFlow({}, ctx);
  for (let i = 0; i < 1_000; i++) obj2 = toFlow({ a: obj2 }, ctx);
  const pretty = callNative(ctx, "JSON.stringify", undefined, obj2, undefined, 1) as string;
  assert.equal(pretty.split("\n").length, 2_001);
});

test("stringify checks the size limit while writing", () => {
  const ctx = makeContext(100);
  const big = toFlow(
    Array.from({ length: 60 }, (_, i) => i),
    ctx,
  );
  assert.throws(
    () => callNative(ctx, "JSON.stringify", undefined, big),
    (e) => e instanceof LimitExceeded && e.limit === "stateSize",
  );
  assert.equal(callNative(ctx, "JSON.stringify", undefined, toFlow([1, 2], ctx)), "[1,2]");
});

const texts = [
  "1",
  "-0",
  "1e400",
  '"x"',
  "null",
  "true",
  "[]",
  "{}",
  '{"a":[1,{"b":null}],"c":"d"}',
  " \n[1, 2 ]\t",
  '{"b":1,"a":2,"1":3}',
  '{"a":1,"a":2}',
  '"\\ud800"',
  '"\\u00e9"',
  '{"__proto__":1}',
  "",
  "{",
  "[1,]",
  '{"a":1,}',
  "abc",
  "undefined",
  "'x'",
  "01",
  "1.",
  ".5",
  "NaN",
  '{"a" 1}',
  '"\n"',
  "[1] x",
  "{a:1}",
];

test("JSON.parse matches JavaScript on valid and invalid texts", () => {
  for (const text of texts) {
    const expected = hostOutcome(() => JSON.parse(text));
    const ctx = makeContext();
    const actual = flowOutcome(ctx, () => callNative(ctx, "JSON.parse", undefined, text));
    assert.deepEqual(actual, expected, show(text));
  }
  const ctx = makeContext();
  assert.deepEqual(
    flowOutcome(ctx, () => callNative(ctx, "JSON.parse", undefined, undefined)),
    hostOutcome(() => JSON.parse(undefined as unknown as string)),
  );
  assert.deepEqual(
    flowOutcome(ctx, () => callNative(ctx, "JSON.parse", undefined, toFlow({}, ctx))),
    hostOutcome(() => JSON.parse({} as string)),
  );
});

test("parsed objects have no prototype, even with a __proto__ key", () => {
  const ctx = makeContext();
  const v = callNative(ctx, "JSON.parse", undefined, '{"__proto__":{"polluted":1},"list":[{"x":1}]}') as Record<string, Value>;
  assert.ok(isFlowObject(v));
  assert.ok(isFlowObject(v.__proto__));
  assert.ok(Object.hasOwn(v, "__proto__"));
  assert.ok(isFlowObject((v.list as Value[])[0]));
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

const revivers: HostFn[] = [
  (_k, v) => v,
  (k, v) => (k === "a" ? undefined : v),
  (_k, v) => (typeof v === "number" ? v + 1 : v),
  (k, v) => (k === "" ? [v] : v),
  function (this: Record<string, unknown>, k, v) {
    // a reviver that changes a sibling not yet visited: JS reads values lazily
    if (k === "a" && this && typeof this === "object" && "b" in this) this.b = "changed";
    return v;
  },
  (k, v) => (k === "0" ? undefined : v),
];

test("JSON.parse with a reviver: same result and same calls as JavaScript", () => {
  const reviverTexts = ['{"a":1,"b":[1,2,{"c":3}],"d":{"e":null}}', "[1,[2,[3]]]", "5", '{"a":{"a":{"a":1}}}', '{"b":1,"a":2}'];
  for (const text of reviverTexts) {
    for (const reviver of revivers) {
      trace = [];
      const expected = hostOutcome(() => JSON.parse(text, cb(reviver) as never));
      const hostTrace = trace;
      trace = [];
      const ctx = makeContext();
      const actual = flowOutcome(ctx, () => callNative(ctx, "JSON.parse", undefined, text, toFlow(cb(reviver), ctx)));
      assert.deepEqual(actual, expected, `${text} with ${reviver.toString()}`);
      assert.deepEqual(trace, hostTrace, `reviver calls for ${text} with ${reviver.toString()}`);
    }
  }
});

test("JSON.parse of 100,000-deep input works, with and without a reviver", () => {
  const ctx = makeContext(10_000_000);
  const text = "[".repeat(100_000) + "]".repeat(100_000);
  let v = callNative(ctx, "JSON.parse", undefined, text);
  let depth = 0;
  while (Array.isArray(v) && v.length > 0) {
    v = v[0];
    depth++;
  }
  assert.equal(depth, 99_999);
  const objText = '{"a":'.repeat(10_000) + "1" + "}".repeat(10_000);
  const revived = callNative(
    ctx,
    "JSON.parse",
    undefined,
    objText,
    ctx.fn((_k, x) => x),
  );
  assert.ok(isFlowObject(revived));
  assert.ok(ctx.calls >= 10_001);
});
