// What the language iterates and copies: for…of, spread and array destructuring walk arrays by
// element and strings by code point; for…in lists keys; object spread and rest copy own
// enumerable properties. Everything else is not iterable, with V8's message.

import { typeOf, toStr } from "./coerce.js";
import { isFlowObject, throwTypeError, type FlowObject, type Value } from "./values.js";
import { costArray, costKeys, type Spender } from "./stdlib/cost.js";

/** The arguments of a call with spread (`f(...xs)`), as a fresh array. */
export function spreadArgs(v: Value, spender?: Spender): Value[] {
  const items = iterableToArray(v, spender);
  costArray(spender, items.length);
  return items.slice();
}

/** What for…of, spread and array destructuring iterate: arrays by element, strings by code point. */
export function iterableToArray(v: Value, spender?: Spender): Value[] {
  if (Array.isArray(v)) return v;
  if (typeof v === "string") {
    costArray(spender, v.length);
    return Array.from(v);
  }
  const what =
    v === undefined || v === null ? String(v) : typeOf(v) === "function" ? "function" : isFlowObject(v) ? "object" : toStr(v);
  return throwTypeError(`${what} is not iterable`);
}

/** The keys for…in visits: object keys, array and string indexes; nothing for other values. */
export function forInKeys(v: Value, spender?: Spender): string[] {
  if (v === null || v === undefined) return [];
  if (Array.isArray(v) || typeof v === "string") {
    costKeys(spender, v.length);
    return Array.from({ length: v.length }, (_, i) => String(i));
  }
  if (isFlowObject(v)) {
    const keys = Object.keys(v);
    costKeys(spender, keys.length);
    return keys;
  }
  return [];
}

/** Copies own enumerable properties (object spread and rest). */
export function copyOwn(target: FlowObject, src: Value, excluded: Set<string> | null, spender?: Spender): void {
  if (src === null || src === undefined) return;
  if (isFlowObject(src)) {
    const keys = Object.keys(src);
    costKeys(spender, keys.length * 2); // listed, then written
    for (const k of keys) if (!excluded?.has(k)) target[k] = (src as FlowObject)[k];
  } else if (Array.isArray(src) || typeof src === "string") {
    costKeys(spender, src.length * 2);
    for (let i = 0; i < src.length; i++) {
      const k = String(i);
      if (!excluded?.has(k)) target[k] = src[i];
    }
  }
}
