// Size guards for natives that build strings or arrays. A .flow program must not be able to
// make the host allocate something the saved state could never hold, so every native checks the
// length it is about to create against the context's limit BEFORE allocating it.

import { LimitExceeded, type NativeContext } from "../values.js";

/** The part of a NativeContext a size check needs. */
export type SizeLimit = Pick<NativeContext, "maxValueLength">;

/**
 * Throws the state-size limit failure (a RangeError that `catch` cannot intercept, SPEC §2.2)
 * when a string of `length` characters would exceed the limit.
 */
export function guardStringLength(ctx: SizeLimit | undefined, length: number): void {
  if (ctx !== undefined && length > ctx.maxValueLength) {
    throw new LimitExceeded(
      "stateSize",
      `Invalid string length: a string of ${length} characters exceeds the state size limit (${ctx.maxValueLength})`,
    );
  }
}

/** Same as {@link guardStringLength} for an array of `length` elements. */
export function guardArrayLength(ctx: SizeLimit | undefined, length: number): void {
  if (ctx !== undefined && length > ctx.maxValueLength) {
    throw new LimitExceeded(
      "stateSize",
      `Invalid array length: an array of ${length} elements exceeds the state size limit (${ctx.maxValueLength})`,
    );
  }
}
