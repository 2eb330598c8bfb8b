// What built-ins charge for the work they do (SPEC §2.2 budgets). A built-in that touches n
// elements or characters costs a share of an instruction per item, charged BEFORE the work, so
// `a.slice().sort()` on a 2M-element array or "x".repeat(2e6) in a loop runs out of budget
// instead of holding the thread for seconds; what it makes is also counted as bytes against
// the activation's memory budget.

/** The part of a NativeContext that charges work and memory (the machine's budget). */
export interface Spender {
  /** Charges `work` instructions and `bytes` of memory; throws LimitExceeded when over budget. */
  spend(work: number, bytes: number): void;
}

/** Elements a built-in may read, compare or copy for the price of one instruction. */
export const ELEMENTS_PER_INSTRUCTION = 4;
/** Characters a built-in may read, search or write for the price of one instruction. */
export const CHARS_PER_INSTRUCTION = 32;
/**
 * Instructions per object key listed or written: far more than an element, because objects with
 * many keys are hash tables in V8 (measured: ~1.5 µs per key for Object.keys or a spread of a
 * 50,000-key object, against ~60 ns per instruction).
 */
export const KEY_WORK = 4;
/** Bytes counted per array element, string character and object key made. */
export const ELEMENT_BYTES = 8;
export const CHAR_BYTES = 2;
export const KEY_BYTES = 40;

/** n elements read or compared (no new value made). */
export function costElements(ctx: Spender | undefined, n: number): void {
  if (ctx !== undefined && n > 0) ctx.spend(n / ELEMENTS_PER_INSTRUCTION, 0);
}

/** An array of n elements made (or grown by n). */
export function costArray(ctx: Spender | undefined, n: number): void {
  if (ctx !== undefined && n > 0) ctx.spend(n / ELEMENTS_PER_INSTRUCTION, n * ELEMENT_BYTES);
}

/** n characters read or searched (no new string made). */
export function costChars(ctx: Spender | undefined, n: number): void {
  if (ctx !== undefined && n > 0) ctx.spend(n / CHARS_PER_INSTRUCTION, 0);
}

/** A string of n characters made. */
export function costString(ctx: Spender | undefined, n: number): void {
  if (ctx !== undefined && n > 0) ctx.spend(n / CHARS_PER_INSTRUCTION, n * CHAR_BYTES);
}

/** n object keys enumerated or written (an object of n keys made, or n keys listed). */
export function costKeys(ctx: Spender | undefined, n: number): void {
  if (ctx !== undefined && n > 0) ctx.spend(n * KEY_WORK, n * KEY_BYTES);
}
