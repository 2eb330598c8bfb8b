// The `Array` namespace: isArray, from, of. Array.from takes the iterables .flow has (arrays,
// strings by code point) and array-likes (`{ length: 3 }`), with an optional map callback; the
// length is checked against the size limit before anything is allocated.

import { isFlowObject, throwTypeError, type NativeContext, type NativeImpl, type Value } from "../values.js";
import { toLength } from "../coerce.js";
import { notIterableMessage, requireCallable } from "./describe-value.js";
import { guardArrayLength } from "./size-guard.js";

function arrayFrom(ctx: NativeContext, items: Value, mapFn: Value, thisArg: Value): Value[] {
  if (mapFn !== undefined) requireCallable(mapFn);
  const map = (v: Value, i: number): Value => (mapFn === undefined ? v : ctx.call(mapFn, thisArg, [v, i]));
  if (items === undefined || items === null) return throwTypeError(notIterableMessage(items));
  const result: Value[] = [];
  if (Array.isArray(items)) {
    // the array iterator reads the length afresh at each step, as JS does
    for (let i = 0; i < items.length; i++) {
      guardArrayLength(ctx, i + 1);
      result.push(map(items[i], i));
    }
    return result;
  }
  if (typeof items === "string") {
    let i = 0;
    for (const ch of items) result.push(map(ch, i++));
    return result;
  }
  // an array-like: only .flow objects can have a length; everything else has none
  const len = isFlowObject(items) ? toLength(items.length, ctx) : 0;
  guardArrayLength(ctx, len);
  for (let i = 0; i < len; i++) result.push(map(isFlowObject(items) ? items[String(i)] : undefined, i));
  return result;
}

export const arrayStaticNatives: Record<string, NativeImpl> = {
  "Array.isArray": (_ctx, _this, args) => Array.isArray(args[0]),
  "Array.from": (ctx, _this, args) => arrayFrom(ctx, args[0], args[1], args[2]),
  "Array.of": (ctx, _this, args) => {
    guardArrayLength(ctx, args.length);
    return args.slice();
  },
};
