// Coercions and operators of .flow, with JavaScript meaning, written out over our value model.
// Host coercions (String(x), x + y, `${x}`) must never see a .flow object: objects have a null
// prototype, so the host would throw, and class instances (closures, handles) would print their
// internals. Only primitives are handed to the host here; everything else is converted by hand.
// `ctx` is needed only when an object has its own `toString`/`valueOf` (called like JS would).

import {
  BoundMethod,
  Closure,
  Handle,
  Namespace,
  NativeFunction,
  isCallable,
  throwTypeError,
  type FlowArray,
  type NativeContext,
  type Value,
} from "./values.js";
import { FUNCTION_NAMESPACES } from "./stdlib/function-meta.js";
import { guardStringLength } from "./stdlib/size-guard.js";
import { rethrowStackOverflow } from "./stdlib/host-errors.js";
import { costElements, costString } from "./stdlib/cost.js";

export type Primitive = undefined | null | boolean | number | string;
export type PrimitiveHint = "default" | "number" | "string";
export type RelationalOp = "<" | "<=" | ">" | ">=";

export function isPrimitive(v: Value): v is Primitive {
  return v === null || typeof v !== "object";
}

/** The `typeof` operator. */
export function typeOf(v: Value): string {
  if (v === null) return "object";
  const t = typeof v;
  if (t !== "object") return t;
  if (isCallable(v)) return "function";
  if (v instanceof Namespace && FUNCTION_NAMESPACES.has(v.id)) return "function";
  return "object";
}

/** ToBoolean. Every object, array and class instance is truthy, as in JS. */
export function truthy(v: Value): boolean {
  return !!v;
}

/** The text `String(f)` gives for a function value. */
export function functionText(v: Closure | NativeFunction | BoundMethod | Namespace): string {
  if (v instanceof Closure) return "function () { [flow code] }";
  const name = v.id.slice(v.id.lastIndexOf(".") + 1);
  return `function ${name}() { [native code] }`;
}

/** Object.prototype.toString-style tag text for class instances that are not functions. */
function classInstanceText(v: Value): string | undefined {
  if (v instanceof Closure || v instanceof NativeFunction || v instanceof BoundMethod) return functionText(v);
  if (v instanceof Handle) return "[object Promise]";
  if (v instanceof Namespace) return FUNCTION_NAMESPACES.has(v.id) ? functionText(v) : `[object ${v.id}]`;
  return undefined;
}

/**
 * ToPrimitive. Class instances give their fixed text; objects and arrays go through
 * OrdinaryToPrimitive, calling their own `valueOf`/`toString` when they have callable ones. The
 * ones they inherit behave like JavaScript's: valueOf gives the value itself (not a primitive),
 * toString "[object Object]" for an object and the array's `join()` for an array.
 */
export function toPrimitive(v: Value, hint: PrimitiveHint = "default", ctx?: NativeContext): Primitive {
  if (isPrimitive(v)) return v;
  const text = classInstanceText(v);
  if (text !== undefined) return text;
  const obj = v as Record<string, Value>;
  const order = hint === "string" ? (["toString", "valueOf"] as const) : (["valueOf", "toString"] as const);
  for (const name of order) {
    let result: Value;
    if (Object.hasOwn(obj, name)) {
      const method = obj[name];
      if (!isCallable(method)) continue;
      result = callOwn(ctx, method, obj, name);
    } else if (name === "toString") {
      result = Array.isArray(obj) ? arrayToString(obj, ctx) : "[object Object]";
    } else continue; // Object.prototype.valueOf returns the object itself: not a primitive
    if (isPrimitive(result)) return result;
  }
  return throwTypeError("Cannot convert object to primitive value");
}

function callOwn(ctx: NativeContext | undefined, method: Value, receiver: Value, name: string): Value {
  if (ctx === undefined) throw new Error(`internal: converting a value with its own ${name}() needs a NativeContext`);
  return ctx.call(method, receiver, []);
}

/**
 * Array.prototype.toString: the array's own `join` when it has one (a `join` that is not a
 * function gives "[object Array]", as JavaScript falls back to Object.prototype.toString), else
 * the elements joined by ",".
 */
export function arrayToString(arr: FlowArray, ctx?: NativeContext): Value {
  if (!Object.hasOwn(arr, "join")) return joinArray(arr, ",", ctx);
  const join = (arr as unknown as Record<string, Value>).join;
  return isCallable(join) ? callOwn(ctx, join, arr, "join") : "[object Array]";
}

/** ToNumber (and ToNumeric: there is no BigInt in .flow). */
export function toNumber(v: Value, ctx?: NativeContext): number {
  if (typeof v === "number") return v;
  if (v === undefined) return NaN;
  if (v === null) return 0;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "string") return Number(v);
  return toNumber(toPrimitive(v, "number", ctx), ctx);
}

/** ToString (what `String(v)` and template literals give). */
export function toStr(v: Value, ctx?: NativeContext): string {
  if (typeof v === "string") return v;
  if (isPrimitive(v)) return String(v);
  return toStr(toPrimitive(v, "string", ctx), ctx);
}

/** ToPropertyKey: the string a value names as a property (`o[1]` reads "1"). */
export function toPropertyKey(v: Value, ctx?: NativeContext): string {
  return toStr(toPrimitive(v, "string", ctx), ctx);
}

/** ToIntegerOrInfinity: NaN → 0, truncates toward zero, keeps ±Infinity, never returns -0. */
export function toIntegerOrInfinity(v: Value, ctx?: NativeContext): number {
  const n = toNumber(v, ctx);
  if (Number.isNaN(n) || n === 0) return 0;
  return Math.trunc(n);
}

/** ToLength: an integer in [0, 2^53 - 1]. */
export function toLength(v: Value, ctx?: NativeContext): number {
  const n = toIntegerOrInfinity(v, ctx);
  return n <= 0 ? 0 : Math.min(n, Number.MAX_SAFE_INTEGER);
}

/** ToUint32. */
export function toUint32(v: Value, ctx?: NativeContext): number {
  return toNumber(v, ctx) >>> 0;
}

/** `===` (host identity is exactly JS for our values: NaN !== NaN, 0 === -0, objects by identity). */
export function strictEquals(a: Value, b: Value): boolean {
  return a === b;
}

/** SameValueZero (includes, Map keys): like === except NaN equals NaN. */
export function sameValueZero(a: Value, b: Value): boolean {
  return a === b || (a !== a && b !== b);
}

/** SameValue (Object.is): NaN equals NaN, 0 and -0 differ. */
export function sameValue(a: Value, b: Value): boolean {
  return Object.is(a, b);
}

/** IsLooselyEqual: the `==` operator. */
export function looseEquals(a: Value, b: Value, ctx?: NativeContext): boolean {
  const aPrim = isPrimitive(a);
  const bPrim = isPrimitive(b);
  if (!aPrim && !bPrim) return a === b;
  if (a === undefined || a === null) return b === undefined || b === null;
  if (b === undefined || b === null) return false;
  if (aPrim && bPrim) {
    if (typeof a === typeof b) return a === b;
    // number/string/boolean mixes all compare as numbers
    return toNumber(a) === toNumber(b);
  }
  // one object, one primitive: booleans become numbers first, then the object its primitive
  if (typeof a === "boolean") return looseEquals(a ? 1 : 0, b, ctx);
  if (typeof b === "boolean") return looseEquals(a, b ? 1 : 0, ctx);
  if (!aPrim) return looseEquals(toPrimitive(a, "default", ctx), b, ctx);
  return looseEquals(a, toPrimitive(b, "default", ctx), ctx);
}

/** The `+` operator: string concatenation if either primitive is a string, else numeric add. */
export function add(a: Value, b: Value, ctx?: NativeContext): Value {
  if (typeof a === "number" && typeof b === "number") return a + b;
  const pa = toPrimitive(a, "default", ctx);
  const pb = toPrimitive(b, "default", ctx);
  if (typeof pa === "string" || typeof pb === "string") {
    const sa = toStr(pa);
    const sb = toStr(pb);
    guardStringLength(ctx, sa.length + sb.length);
    // V8 shares the longer side (a cons string): only the shorter one is new work and memory,
    // so `s += line` in a loop costs what it appends, not what it has built
    costString(ctx, Math.min(sa.length, sb.length));
    return sa + sb;
  }
  return toNumber(pa) + toNumber(pb);
}

export function subtract(a: Value, b: Value, ctx?: NativeContext): number {
  const x = toNumber(a, ctx);
  return x - toNumber(b, ctx);
}

export function multiply(a: Value, b: Value, ctx?: NativeContext): number {
  const x = toNumber(a, ctx);
  return x * toNumber(b, ctx);
}

export function divide(a: Value, b: Value, ctx?: NativeContext): number {
  const x = toNumber(a, ctx);
  return x / toNumber(b, ctx);
}

export function remainder(a: Value, b: Value, ctx?: NativeContext): number {
  const x = toNumber(a, ctx);
  return x % toNumber(b, ctx);
}

export function power(a: Value, b: Value, ctx?: NativeContext): number {
  const x = toNumber(a, ctx);
  return x ** toNumber(b, ctx);
}

/** Unary `-`. */
export function negate(v: Value, ctx?: NativeContext): number {
  return -toNumber(v, ctx);
}

/**
 * IsLessThan(x, y, leftFirst): true, false, or undefined when a NaN is involved.
 * `leftFirst` only decides which operand is converted first (matters for user valueOf).
 */
function lessThan(x: Value, y: Value, leftFirst: boolean, ctx?: NativeContext): boolean | undefined {
  let px: Primitive;
  let py: Primitive;
  if (leftFirst) {
    px = toPrimitive(x, "number", ctx);
    py = toPrimitive(y, "number", ctx);
  } else {
    py = toPrimitive(y, "number", ctx);
    px = toPrimitive(x, "number", ctx);
  }
  if (typeof px === "string" && typeof py === "string") return px < py; // code-unit order
  const nx = toNumber(px);
  const ny = toNumber(py);
  if (Number.isNaN(nx) || Number.isNaN(ny)) return undefined;
  return nx < ny;
}

/** The relational operators `< <= > >=` (abstract relational comparison). */
export function compare(a: Value, b: Value, op: RelationalOp, ctx?: NativeContext): boolean {
  switch (op) {
    case "<":
      return lessThan(a, b, true, ctx) === true;
    case ">":
      return lessThan(b, a, false, ctx) === true;
    case "<=":
      return lessThan(b, a, false, ctx) === false;
    case ">=":
      return lessThan(a, b, true, ctx) === false;
  }
}

/**
 * Arrays being joined right now. An array that contains itself joins as "" at the inner
 * occurrence, like V8 (`a = [1]; a.push(a); String(a)` is "1,"), instead of recursing forever.
 */
const joining = new Set<FlowArray>();

/** Array.prototype.join: null/undefined elements and holes as "", nested arrays joined too. */
export function joinArray(arr: FlowArray, separator: string, ctx?: NativeContext): string {
  if (joining.has(arr)) return "";
  joining.add(arr);
  try {
    const parts: string[] = [];
    let total = 0;
    const len = arr.length;
    costElements(ctx, len);
    for (let i = 0; i < len; i++) {
      const el = arr[i];
      const s = el === undefined || el === null ? "" : toStr(el, ctx);
      total += s.length + (i > 0 ? separator.length : 0);
      guardStringLength(ctx, total);
      parts.push(s);
    }
    costString(ctx, total);
    return parts.join(separator);
  } catch (e) {
    return rethrowStackOverflow(e); // a deeply nested array: V8 fails the same way
  } finally {
    joining.delete(arr);
  }
}
