// Array.prototype methods that call a callback per element: forEach map filter some every find
// findIndex findLast findLastIndex reduce reduceRight flatMap. Callbacks go through ctx.call and
// may be .flow closures (an async one just returns a handle, as in JS). As the spec says, the
// length is read once at the start, and holes (and elements removed meanwhile) are skipped by the
// methods that skip them in JS; find* visit every index.

import { Closure, isCallable, throwTypeError, type NativeContext, type NativeImpl, type Value } from "../values.js";
import { truthy } from "../coerce.js";
import { requireCallable } from "./describe-value.js";
import { thisArray } from "./array-receiver.js";
import { guardArrayLength } from "./size-guard.js";
import { costArray, costElements, ELEMENTS_PER_INSTRUCTION } from "./cost.js";

type Visit = (ctx: NativeContext, arr: Value[], fn: Value, thisArg: Value) => Value;

/** Wraps a callback method: receiver check, then the callable check JS does even for []. */
function withCallback(name: string, visit: Visit, notCallable?: string): NativeImpl {
  return (ctx, thisValue, args) => {
    const arr = thisArray(thisValue, name);
    if (notCallable !== undefined && !isCallable(args[0])) throwTypeError(notCallable);
    requireCallable(args[0]);
    // each element costs a share on top of its callback; a built-in callback charges nothing of
    // its own, so it pays an instruction per element here, as a .flow function's call does
    costElements(ctx, arr.length * (args[0] instanceof Closure ? 1 : ELEMENTS_PER_INSTRUCTION));
    return visit(ctx, arr, args[0], args[1]);
  };
}

function findFrom(ctx: NativeContext, arr: Value[], fn: Value, thisArg: Value, fromEnd: boolean): number {
  const len = arr.length;
  for (let i = 0; i < len; i++) {
    const k = fromEnd ? len - 1 - i : i;
    if (truthy(ctx.call(fn, thisArg, [arr[k], k, arr]))) return k;
  }
  return -1;
}

function reduce(ctx: NativeContext, thisValue: Value, args: Value[], fromEnd: boolean): Value {
  const arr = thisArray(thisValue, fromEnd ? "reduceRight" : "reduce");
  const fn = args[0];
  requireCallable(fn);
  const len = arr.length;
  costElements(ctx, len);
  const index = (i: number): number => (fromEnd ? len - 1 - i : i);
  let i = 0;
  let acc: Value;
  if (args.length >= 2) acc = args[1];
  else {
    while (i < len && !(index(i) in arr)) i++;
    if (i >= len) return throwTypeError("Reduce of empty array with no initial value");
    acc = arr[index(i)];
    i++;
  }
  for (; i < len; i++) {
    const k = index(i);
    if (k in arr) acc = ctx.call(fn, undefined, [acc, arr[k], k, arr]);
  }
  return acc;
}

export const arrayIterationNatives: Record<string, NativeImpl> = {
  "Array.prototype.forEach": withCallback("forEach", (ctx, arr, fn, thisArg) => {
    const len = arr.length;
    for (let k = 0; k < len; k++) if (k in arr) ctx.call(fn, thisArg, [arr[k], k, arr]);
    return undefined;
  }),
  "Array.prototype.map": withCallback("map", (ctx, arr, fn, thisArg) => {
    const len = arr.length;
    costArray(ctx, len);
    const result: Value[] = new Array(len); // holes stay holes, as in JS
    for (let k = 0; k < len; k++) if (k in arr) result[k] = ctx.call(fn, thisArg, [arr[k], k, arr]);
    return result;
  }),
  "Array.prototype.filter": withCallback("filter", (ctx, arr, fn, thisArg) => {
    const len = arr.length;
    const result: Value[] = [];
    for (let k = 0; k < len; k++) {
      if (!(k in arr)) continue;
      const v = arr[k];
      if (truthy(ctx.call(fn, thisArg, [v, k, arr]))) result.push(v);
    }
    return result;
  }),
  "Array.prototype.some": withCallback("some", (ctx, arr, fn, thisArg) => {
    const len = arr.length;
    for (let k = 0; k < len; k++) if (k in arr && truthy(ctx.call(fn, thisArg, [arr[k], k, arr]))) return true;
    return false;
  }),
  "Array.prototype.every": withCallback("every", (ctx, arr, fn, thisArg) => {
    const len = arr.length;
    for (let k = 0; k < len; k++) if (k in arr && !truthy(ctx.call(fn, thisArg, [arr[k], k, arr]))) return false;
    return true;
  }),
  "Array.prototype.find": withCallback("find", (ctx, arr, fn, thisArg) => {
    const k = findFrom(ctx, arr, fn, thisArg, false);
    return k < 0 ? undefined : arr[k];
  }),
  "Array.prototype.findIndex": withCallback("findIndex", (ctx, arr, fn, thisArg) => findFrom(ctx, arr, fn, thisArg, false)),
  "Array.prototype.findLast": withCallback("findLast", (ctx, arr, fn, thisArg) => {
    const k = findFrom(ctx, arr, fn, thisArg, true);
    return k < 0 ? undefined : arr[k];
  }),
  "Array.prototype.findLastIndex": withCallback("findLastIndex", (ctx, arr, fn, thisArg) =>
    findFrom(ctx, arr, fn, thisArg, true),
  ),
  "Array.prototype.reduce": (ctx, thisValue, args) => reduce(ctx, thisValue, args, false),
  "Array.prototype.reduceRight": (ctx, thisValue, args) => reduce(ctx, thisValue, args, true),
  "Array.prototype.flatMap": withCallback(
    "flatMap",
    (ctx, arr, fn, thisArg) => {
      const len = arr.length;
      const result: Value[] = [];
      for (let k = 0; k < len; k++) {
        if (!(k in arr)) continue;
        const mapped = ctx.call(fn, thisArg, [arr[k], k, arr]);
        if (Array.isArray(mapped)) {
          guardArrayLength(ctx, result.length + mapped.length);
          costArray(ctx, mapped.length);
          for (let j = 0; j < mapped.length; j++) if (j in mapped) result.push(mapped[j]);
        } else {
          guardArrayLength(ctx, result.length + 1);
          result.push(mapped);
        }
      }
      return result;
    },
    "flatMap mapper function is not callable",
  ),
};
