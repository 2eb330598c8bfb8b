// Every built-in that does work proportional to its input charges for it (stdlib/cost.ts): called
// on an input of N items, it must charge at least N/32 instructions (a character's share), and
// those that make a value of N items must count its bytes. A charge removed fails its row.

import assert from "node:assert/strict";
import { test } from "node:test";
import { callNative, makeContext, toFlow } from "./fake-context.js";
import type { Value } from "../../src/vm/values.js";

const N = 10_000;
const text = "ab".repeat(N / 2);
const list = (): Value[] => Array.from({ length: N }, (_, i) => i);
const object = (): Value => toFlow(Object.fromEntries(Array.from({ length: N }, (_, i) => [`k${i}`, i])), makeContext());

// [native id, receiver, arguments, makes a value of about N items]
const rows: [string, () => Value, () => Value[], boolean][] = [
  ["Array.prototype.slice", list, () => [], true],
  ["Array.prototype.concat", list, () => [[1]], true],
  ["Array.prototype.indexOf", list, () => [-1], false],
  ["Array.prototype.includes", list, () => [-1], false],
  ["Array.prototype.lastIndexOf", list, () => [-1], false],
  ["Array.prototype.join", list, () => [","], true],
  ["Array.prototype.sort", list, () => [], false],
  ["Array.prototype.toSorted", list, () => [], true],
  ["Array.prototype.reverse", list, () => [], false],
  ["Array.prototype.fill", list, () => [0], false],
  ["Array.prototype.toReversed", list, () => [], true],
  ["Array.prototype.flat", list, () => [], true],
  ["Array.prototype.splice", list, () => [0, N], true],
  ["Array.prototype.unshift", list, () => [1], false],
  ["String.prototype.repeat", () => "x", () => [N], true],
  ["String.prototype.padStart", () => "", () => [N, "ab"], true],
  ["String.prototype.toUpperCase", () => text, () => [], true],
  ["String.prototype.includes", () => text, () => ["z"], false],
  ["String.prototype.indexOf", () => text, () => ["z"], false],
  ["String.prototype.split", () => text, () => [""], true],
  ["String.prototype.replaceAll", () => text, () => ["a", "c"], true],
  ["String.prototype.replace", () => text, () => ["z", "c"], false],
  ["JSON.stringify", () => undefined, () => [list()], true],
  ["JSON.parse", () => undefined, () => [JSON.stringify(list())], true],
  ["Object.keys", () => undefined, () => [object()], true],
  ["Object.entries", () => undefined, () => [object()], true],
  ["Object.assign", () => undefined, () => [toFlow({}, makeContext()), object()], true],
  ["Array.from", () => undefined, () => [list()], true],
];

for (const [id, receiver, args, makes] of rows) {
  test(`${id} charges for its ${N} items`, () => {
    const ctx = makeContext(10_000_000);
    callNative(ctx, id, receiver(), ...args());
    assert.ok(ctx.spent.work >= N / 32, `${id}: charged ${ctx.spent.work} instructions`);
    if (makes) assert.ok(ctx.spent.bytes >= N, `${id}: counted ${ctx.spent.bytes} bytes`);
  });
}
