// The `Array` namespace: isArray, from, of. Array.from takes the iterables .flow has (arrays,
// strings by code point) and array-likes (`{ length: 3 }`), with an optional map callback; the
// length is checked against the size limit before anything is allocated.

import { Closure, isFlowObject, throwTypeError, type NativeContext, type NativeImpl, type Value } from "../values.js";
import { toLength, typeOf } from "../coerce.js";
import { nativeLength } from "./function-meta.js";
import { notIterableMessage, requireCallable } from "./describe-value.js";
import { guardArrayLength } from "./size-guard.js";
import { costArray } from "./cost.js";

function arrayFrom(ctx: NativeContext, items: Value, mapFn: Value, thisArg: Value): Value[] {
  if (mapFn !== undefined) requireCallable(mapFn);
  const map = (v: Value, i: number): Value => (mapFn === undefined ? v : ctx.call(mapFn, thisArg, [v, i]));
  if (items === undefined || items === null) return throwTypeError(notIterableMessage(items));
  const result: Value[] = [];
  if (Array.isArray(items)) {
    // the array iterator reads the length afresh at each step, as JS does
    costArray(ctx, items.length);
    for (let i = 0; i < items.length; i++) {
      guardArrayLength(ctx, i + 1);
      result.push(map(items[i], i));
    }
    return result;
  }
  if (typeof items === "string") {
    costArray(ctx, items.length);
    let i = 0;
    for (const ch of items) result.push(map(ch, i++));
    return result;
  }
  // an array-like: .flow objects may have a length, and functions have theirs (no elements)
  const len = isFlowObject(items) ? toLength(items.length, ctx) : functionLength(ctx, items);
  guardArrayLength(ctx, len);
  costArray(ctx, len);
  for (let i = 0; i < len; i++) result.push(map(isFlowObject(items) ? items[String(i)] : undefined, i));
  return result;
}

function functionLength(ctx: NativeContext, fn: Value): number {
  if (typeOf(fn) !== "function") return 0;
  if (fn instanceof Closure) return ctx.functionLength(fn);
  return nativeLength((fn as { id: string }).id);
}

export const arrayStaticNatives: Record<string, NativeImpl> = {
  "Array.isArray": (_ctx, _this, args) => Array.isArray(args[0]),
  "Array.from": (ctx, _this, args) => arrayFrom(ctx, args[0], args[1], args[2]),
  "Array.of": (ctx, _this, args) => {
    guardArrayLength(ctx, args.length);
    costArray(ctx, args.length);
    return args.slice();
  },
};
