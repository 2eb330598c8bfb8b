// V8 reports running out of host stack (deep recursion, or a very deep structure given to a
// recursive built-in such as JSON.stringify) as a plain RangeError: recognised by its message.

const STACK_OVERFLOW = "Maximum call stack size exceeded";

/** True for the host's stack overflow. */
export function isStackOverflow(e: unknown): boolean {
  return e instanceof RangeError && e.message === STACK_OVERFLOW;
}
