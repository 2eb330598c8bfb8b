// How V8 renders a value inside the messages of built-in TypeErrors ("5 is not a function",
// "#<Object> is not a function", "Iterator value x is not an entry object"), so natives throw the
// same text real JavaScript would. Also the callable check every callback-taking native shares.

import { Handle, isCallable, isFlowObject, throwTypeError, type Value } from "../values.js";
import { functionText, typeOf } from "../coerce.js";

/** V8's side-effect-free rendering of a value in an error message. */
export function describeValue(v: Value): string {
  if (v === null || typeof v !== "object") return String(v);
  if (Array.isArray(v)) return "[object Array]";
  if (v instanceof Handle) return "#<Promise>";
  if (isCallable(v)) return functionText(v);
  if (isFlowObject(v)) return "#<Object>";
  return "#<Object>";
}

/**
 * How V8 names a key in "Cannot read properties of null (reading '…')": without running any
 * code, so an array or an object with its own toString cannot be named (null: V8 leaves the
 * parenthesis out), and a plain object is "#<Object>".
 */
export function describeKey(key: Value): string | null {
  if (key === null || typeof key !== "object") return String(key);
  if (Array.isArray(key)) return null;
  if (isFlowObject(key)) return Object.hasOwn(key, "toString") ? null : "#<Object>";
  if (typeOf(key) === "function") return functionText(key as Parameters<typeof functionText>[0]);
  return describeValue(key);
}

/** Throws "<v> is not a function" unless `fn` is callable. */
export function requireCallable(fn: Value): void {
  if (!isCallable(fn)) throwTypeError(`${describeValue(fn)} is not a function`);
}

/** V8's "… is not iterable (cannot read property Symbol(Symbol.iterator))" for non-iterables. */
export function notIterableMessage(v: Value): string {
  const suffix = " is not iterable (cannot read property Symbol(Symbol.iterator))";
  if (v === undefined) return "undefined" + suffix;
  if (v === null) return "object null" + suffix;
  if (typeof v !== "object") return `${typeof v} ${String(v)}${suffix}`;
  return typeOf(v) + suffix;
}
