// Array.prototype methods that read an array and build a result without calling back into .flow:
// at concat includes indexOf lastIndexOf join toString slice flat keys values entries with
// toReversed. Results are fresh host arrays; holes are kept or read as undefined exactly where JS
// keeps or reads them. Every result length is checked against the size limit before it is built.

import { FlowThrow, makeError, throwRangeError, type NativeContext, type NativeImpl, type Value } from "../values.js";
import { arrayToString, joinArray, sameValueZero, toIntegerOrInfinity, toStr } from "../coerce.js";
import { relativeIndex, thisArray } from "./array-receiver.js";
import { guardArrayLength } from "./size-guard.js";
import { costArray, costElements } from "./cost.js";

/** Nesting depth at which flat() gives up like a JS stack overflow would (cyclic arrays). */
const MAX_FLAT_NESTING = 100_000;

/** The start position of includes/indexOf from its fromIndex argument, or -1 for "none". */
function searchStart(fromIndex: Value, len: number, ctx: NativeContext): number {
  const n = toIntegerOrInfinity(fromIndex, ctx);
  if (n === Infinity) return -1;
  if (n >= 0) return n;
  return Math.max(len + n, 0);
}

/** The array, once a copy of it is charged. */
function costed(ctx: NativeContext, arr: Value[]): Value[] {
  costArray(ctx, arr.length);
  return arr;
}

function concat(ctx: NativeContext, arr: Value[], items: Value[]): Value[] {
  const parts = [arr, ...items];
  let total = 0;
  for (const p of parts) total += Array.isArray(p) ? p.length : 1;
  guardArrayLength(ctx, total);
  costArray(ctx, total);
  const result: Value[] = [];
  let n = 0;
  for (const p of parts) {
    if (Array.isArray(p)) {
      for (let k = 0; k < p.length; k++, n++) if (k in p) result[n] = p[k];
    } else result[n++] = p;
  }
  result.length = n;
  return result;
}

function flat(ctx: NativeContext, arr: Value[], depthArg: Value): Value[] {
  const depth = depthArg === undefined ? 1 : toIntegerOrInfinity(depthArg, ctx);
  const result: Value[] = [];
  const stack: { source: Value[]; index: number; depth: number }[] = [{ source: arr, index: 0, depth }];
  costArray(ctx, arr.length);
  while (stack.length > 0) {
    const f = stack[stack.length - 1]!;
    if (f.index >= f.source.length) {
      stack.pop();
      continue;
    }
    const k = f.index++;
    if (!(k in f.source)) continue;
    const el = f.source[k];
    if (f.depth > 0 && Array.isArray(el)) {
      if (stack.length >= MAX_FLAT_NESTING) throw new FlowThrow(makeError("RangeError", "Maximum call stack size exceeded"));
      costArray(ctx, el.length);
      stack.push({ source: el, index: 0, depth: f.depth - 1 });
    } else {
      guardArrayLength(ctx, result.length + 1);
      result.push(el);
    }
  }
  return result;
}

export const arrayAccessNatives: Record<string, NativeImpl> = {
  "Array.prototype.at": (ctx, thisValue, args) => {
    const arr = thisArray(thisValue, "at");
    const rel = toIntegerOrInfinity(args[0], ctx);
    const k = rel >= 0 ? rel : arr.length + rel;
    return k < 0 || k >= arr.length ? undefined : arr[k];
  },
  "Array.prototype.concat": (ctx, thisValue, args) => concat(ctx, thisArray(thisValue, "concat"), args),
  "Array.prototype.includes": (ctx, thisValue, args) => {
    const arr = thisArray(thisValue, "includes");
    const len = arr.length;
    if (len === 0) return false;
    const start = searchStart(args[1], len, ctx);
    if (start < 0) return false;
    costElements(ctx, len - start);
    for (let k = start; k < len; k++) if (sameValueZero(arr[k], args[0])) return true;
    return false;
  },
  "Array.prototype.indexOf": (ctx, thisValue, args) => {
    const arr = thisArray(thisValue, "indexOf");
    const len = arr.length;
    if (len === 0) return -1;
    const start = searchStart(args[1], len, ctx);
    if (start < 0) return -1;
    costElements(ctx, len - start);
    for (let k = start; k < len; k++) if (k in arr && arr[k] === args[0]) return k;
    return -1;
  },
  "Array.prototype.lastIndexOf": (ctx, thisValue, args) => {
    const arr = thisArray(thisValue, "lastIndexOf");
    const len = arr.length;
    if (len === 0) return -1;
    const n = args.length > 1 ? toIntegerOrInfinity(args[1], ctx) : len - 1;
    if (n === -Infinity) return -1;
    const start = n >= 0 ? Math.min(n, len - 1) : len + n;
    costElements(ctx, start + 1);
    for (let k = start; k >= 0; k--) if (k in arr && arr[k] === args[0]) return k;
    return -1;
  },
  "Array.prototype.join": (ctx, thisValue, args) => {
    const arr = thisArray(thisValue, "join");
    const sep = args[0] === undefined ? "," : toStr(args[0], ctx);
    return joinArray(arr, sep, ctx);
  },
  "Array.prototype.toString": (ctx, thisValue) => arrayToString(thisArray(thisValue, "toString"), ctx),
  "Array.prototype.slice": (ctx, thisValue, args) => {
    const arr = thisArray(thisValue, "slice");
    const len = arr.length;
    const start = relativeIndex(args[0], len, 0, ctx);
    const end = relativeIndex(args[1], len, len, ctx);
    const count = Math.max(end - start, 0);
    costArray(ctx, count);
    const result: Value[] = new Array(count);
    for (let k = start, n = 0; k < end; k++, n++) if (k in arr) result[n] = arr[k];
    return result;
  },
  "Array.prototype.flat": (ctx, thisValue, args) => flat(ctx, thisArray(thisValue, "flat"), args[0]),
  // keys/values/entries give arrays instead of iterators: .flow has no iterator objects, and
  // everything a program does with them (for…of, spread, Array.from) works the same on arrays
  "Array.prototype.keys": (ctx, thisValue) => {
    const len = thisArray(thisValue, "keys").length;
    costArray(ctx, len);
    return Array.from({ length: len }, (_, i) => i);
  },
  "Array.prototype.values": (ctx, thisValue) => Array.from(costed(ctx, thisArray(thisValue, "values"))),
  "Array.prototype.entries": (ctx, thisValue) => {
    const arr = thisArray(thisValue, "entries");
    costArray(ctx, arr.length * 3); // the result and a pair per element
    return Array.from(arr, (v, i): Value => [i, v]);
  },
  "Array.prototype.with": (ctx, thisValue, args) => {
    const arr = thisArray(thisValue, "with");
    const len = arr.length;
    const rel = toIntegerOrInfinity(args[0], ctx);
    const k = rel >= 0 ? rel : len + rel;
    if (k >= len || k < 0) throwRangeError(`Invalid index : ${toStr(args[0], ctx)}`);
    const result = Array.from(costed(ctx, arr));
    result[k] = args[1];
    return result;
  },
  "Array.prototype.toReversed": (ctx, thisValue) => Array.from(costed(ctx, thisArray(thisValue, "toReversed"))).reverse(),
};
