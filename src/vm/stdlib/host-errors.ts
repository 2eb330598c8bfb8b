// Turning host exceptions into .flow exceptions at the few places where a native delegates to a
// host method on primitives (toFixed, normalize, fromCodePoint, …): the host's own RangeError or
// TypeError text is already V8's exact message, so it is kept, only re-thrown as a .flow value.

import { isStackOverflow } from "../../shared/stack-overflow.js";
import { FlowThrow, makeError } from "../values.js";

export { isStackOverflow };

/** Rethrows a host stack overflow as the catchable .flow RangeError JS code would see. */
export function rethrowStackOverflow(e: unknown): never {
  if (isStackOverflow(e)) throw new FlowThrow(makeError("RangeError", (e as RangeError).message));
  throw e;
}

/**
 * Runs a host operation on primitives; a host RangeError/TypeError/SyntaxError becomes the same
 * error as a .flow error object. Never wrap code that calls back into .flow with this.
 */
export function callHost<T>(op: () => T): T {
  try {
    return op();
  } catch (e) {
    if (e instanceof RangeError || e instanceof TypeError || e instanceof SyntaxError) {
      throw new FlowThrow(makeError(e.name, e.message));
    }
    throw e;
  }
}
