// The registry the interpreter relies on: every member and global points at an implemented
// native (Math.random aside), identities hold (`Math.max === Math.max`, `Number.parseFloat ===
// parseFloat`), methodId finds exactly the implemented methods and nothing of the host's, and
// console.log's formatting.

import { test } from "node:test";
import assert from "node:assert/strict";
import { BoundMethod, Closure, Handle, Namespace, NativeFunction, newObject, type Value } from "../../src/vm/values.js";
import { formatLog, methodId, namespace, nativeFn, natives, staticMembers, stdlibGlobals } from "../../src/vm/stdlib/index.js";
import { makeContext, toFlow } from "./fake-context.js";

test("every native function handed out has an implementation, except Math.random", () => {
  const handedOut = new Set<string>();
  for (const members of Object.values(staticMembers)) {
    for (const v of Object.values(members)) if (v instanceof NativeFunction) handedOut.add(v.id);
  }
  for (const v of Object.values(stdlibGlobals)) if (v instanceof NativeFunction) handedOut.add(v.id);
  assert.ok(handedOut.has("Math.random"));
  assert.ok(!natives.has("Math.random"));
  for (const id of handedOut) if (id !== "Math.random") assert.ok(natives.has(id), id);
});

test("one instance per native id and per namespace", () => {
  assert.equal(staticMembers.Math!.max, staticMembers.Math!.max);
  assert.equal(staticMembers.Math!.max, nativeFn("Math.max"));
  assert.equal(staticMembers.Number!.parseFloat, stdlibGlobals.parseFloat);
  assert.equal(staticMembers.Number!.parseInt, stdlibGlobals.parseInt);
  assert.equal(stdlibGlobals.Math, namespace("Math"));
  assert.ok(stdlibGlobals.Math instanceof Namespace);
  assert.ok(stdlibGlobals.JSON instanceof Namespace);
  assert.ok(stdlibGlobals.Array instanceof Namespace);
  assert.ok(stdlibGlobals.Object instanceof NativeFunction);
  assert.ok(stdlibGlobals.Number instanceof NativeFunction);
  assert.ok(Number.isNaN(stdlibGlobals.NaN as number));
  assert.equal(stdlibGlobals.Infinity, Infinity);
  assert.ok("undefined" in stdlibGlobals && stdlibGlobals.undefined === undefined);
});

test("each callable global and namespace has its members record under its id", () => {
  for (const v of Object.values(stdlibGlobals)) {
    if (v instanceof NativeFunction || v instanceof Namespace) assert.ok(staticMembers[v.id] !== undefined, v.id);
  }
  assert.deepEqual(Object.keys(staticMembers.JSON!).sort(), ["parse", "stringify"]);
  assert.deepEqual(Object.keys(staticMembers.Array!).sort(), ["from", "isArray", "of"]);
});

test("Object has no member that reads or changes prototypes or descriptors", () => {
  const forbidden = [
    "getPrototypeOf",
    "setPrototypeOf",
    "defineProperty",
    "defineProperties",
    "getOwnPropertyDescriptor",
    "getOwnPropertyDescriptors",
    "create",
    "freeze",
    "seal",
    "preventExtensions",
    "isFrozen",
    "isSealed",
    "isExtensible",
  ];
  for (const name of forbidden) assert.equal(staticMembers.Object![name], undefined, name);
  assert.deepEqual(Object.keys(staticMembers.Object!).sort(), [
    "assign",
    "entries",
    "fromEntries",
    "hasOwn",
    "is",
    "keys",
    "values",
  ]);
});

test("the SPEC's everyday array and string methods all exist", () => {
  const arrayMethods =
    "push pop shift unshift slice splice concat includes indexOf join reverse sort map filter reduce find findIndex some every forEach flat flatMap at";
  for (const m of arrayMethods.split(" ")) assert.equal(methodId([], m), `Array.prototype.${m}`, m);
  const stringMethods =
    "split trim toUpperCase toLowerCase startsWith endsWith replace replaceAll padStart padEnd repeat substring charAt";
  for (const m of stringMethods.split(" ")) assert.equal(methodId("", m), `String.prototype.${m}`, m);
  assert.equal(methodId(1.5, "toFixed"), "Number.prototype.toFixed");
  assert.equal(methodId(true, "toString"), "Boolean.prototype.toString");
});

test("methodId never reaches anything of the host", () => {
  const receivers: Value[] = [[], "", 0, true, newObject(), null, undefined, new Closure(0, null), new Handle(1, "task")];
  const names = [
    "constructor",
    "__proto__",
    "prototype",
    "hasOwnProperty",
    "toLocaleString",
    "valueOf2",
    "call",
    "apply",
    "bind",
    "length",
  ];
  for (const r of receivers) for (const n of names) assert.equal(methodId(r, n), undefined, `${String(n)}`);
  // .flow objects have no prototype methods at all
  assert.equal(methodId(newObject(), "toString"), undefined);
  assert.equal(methodId(newObject(), "hasOwnProperty"), undefined);
});

test("every implemented id is reachable: by methodId, a member or a global", () => {
  const reachable = new Set<string>();
  for (const members of Object.values(staticMembers)) {
    for (const v of Object.values(members)) if (v instanceof NativeFunction) reachable.add(v.id);
  }
  for (const v of Object.values(stdlibGlobals)) if (v instanceof NativeFunction) reachable.add(v.id);
  for (const id of natives.keys()) {
    const m = /^(Array|String|Number|Boolean)\.prototype\.(.+)$/.exec(id);
    if (m) {
      const receiver: Value = { Array: [], String: "", Number: 0, Boolean: false }[m[1] as "Array"];
      assert.equal(methodId(receiver, m[2]!), id);
    } else assert.ok(reachable.has(id), id);
  }
});

test("formatLog renders like the brief says", () => {
  const ctx = makeContext();
  assert.equal(formatLog(["a", 1, true, null, undefined, NaN, -0]), "a 1 true null undefined NaN 0");
  assert.equal(formatLog([toFlow({ a: 1, b: [1, 2] }, ctx)]), '{"a":1,"b":[1,2]}');
  assert.equal(formatLog([toFlow({ u: undefined, n: NaN, s: 'x"y' }, ctx), [undefined, 1]]), '{"n":null,"s":"x\\"y"} [null,1]');
  const withFns = newObject();
  withFns.f = new Closure(0, null);
  withFns.m = nativeFn("Math.max");
  withFns.b = new BoundMethod("Array.prototype.map", []);
  withFns.h = new Handle(4, "timer");
  assert.equal(formatLog([withFns]), '{"f":[Function],"m":[Function],"b":[Function],"h":[Handle]}');
  assert.equal(formatLog([new Closure(0, null), new Handle(1, "task"), namespace("Math")]), "[Function] [Handle] [object Math]");
  const cyclic = newObject();
  cyclic.self = cyclic;
  cyclic.list = [cyclic];
  assert.equal(formatLog([cyclic]), '{"self":"[Circular]","list":["[Circular]"]}');
  const shared = toFlow({ x: 1 }, ctx);
  assert.equal(formatLog([[shared, shared]]), '[{"x":1},{"x":1}]');
  assert.equal(formatLog([]), "");
  // toJSON is not called: console.log never runs .flow code
  const withToJSON = newObject();
  withToJSON.toJSON = new Closure(0, null);
  assert.equal(formatLog([withToJSON]), '{"toJSON":[Function]}');
  assert.equal(ctx.calls, 0);
});

test("formatLog of a 100,000-deep structure does not overflow the host stack", () => {
  let deep: Value = [];
  for (let i = 0; i < 100_000; i++) deep = [deep];
  assert.equal(formatLog([deep]).length, 200_002);
});
