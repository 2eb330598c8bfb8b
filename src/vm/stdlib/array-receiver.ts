// What every Array.prototype native starts with: checking its receiver is an array, and turning
// a relative index argument (negative counts from the end, undefined has a default) into a
// position clamped to [0, length], as the spec's "relative index" steps do.

import { throwTypeError, type NativeContext, type Value } from "../values.js";
import { toIntegerOrInfinity } from "../coerce.js";

/** The receiver of an Array.prototype method (the interpreter only routes arrays here). */
export function thisArray(thisValue: Value, method: string): Value[] {
  if (!Array.isArray(thisValue)) return throwTypeError(`Array.prototype.${method} called on a non-array`);
  return thisValue;
}

/** A relative start/end argument as a position in [0, len]; `dflt` when the argument is undefined. */
export function relativeIndex(v: Value, len: number, dflt: number, ctx: NativeContext): number {
  if (v === undefined) return dflt;
  const rel = toIntegerOrInfinity(v, ctx);
  if (rel < 0) return Math.max(len + rel, 0);
  return Math.min(rel, len);
}
