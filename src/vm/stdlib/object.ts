// `Object` and its static members that only read or copy data: keys, values, entries,
// fromEntries, assign, hasOwn, is. Nothing that reads or changes prototypes or property
// descriptors exists in .flow (SPEC §2.3). Every result is a null-prototype object or plain array.

import {
  BoundMethod,
  Closure,
  Namespace,
  NativeFunction,
  arraysWithNamedProperties,
  isFlowObject,
  newObject,
  throwRangeError,
  throwTypeError,
  type FlowObject,
  type NativeContext,
  type NativeImpl,
  type Value,
} from "../values.js";
import { isPrimitive, sameValue, toNumber, toPropertyKey, typeOf } from "../coerce.js";
import { hasStaticMember } from "./members.js";
import { describeValue, notIterableMessage } from "./describe-value.js";
import { guardArrayLength } from "./size-guard.js";
import { costArray, costKeys, type Spender } from "./cost.js";

const NULL_TO_OBJECT = "Cannot convert undefined or null to object";

/**
 * EnumerableOwnProperties keys of any value, after ToObject: object keys in JS order (integer
 * keys first), array and string indices; numbers, booleans and class instances have none.
 */
export function ownEnumerableKeys(v: Value, spender?: Spender): string[] {
  if (v === undefined || v === null) return throwTypeError(NULL_TO_OBJECT);
  if (typeof v === "string") {
    costKeys(spender, v.length);
    return Array.from({ length: v.length }, (_, i) => String(i));
  }
  if (Array.isArray(v) || isFlowObject(v)) {
    // as many keys as the value holds, which was charged when it was made
    const keys = Object.keys(v);
    costKeys(spender, keys.length);
    return keys;
  }
  return [];
}

/** Reads an own property found by {@link ownEnumerableKeys}. */
export function ownValue(v: Value, key: string): Value {
  if (typeof v === "string") return v[Number(key)];
  if (Array.isArray(v)) return (v as unknown as Record<string, Value>)[key];
  if (isFlowObject(v)) return v[key];
  return undefined;
}

/**
 * Whether `v` has an own property `key` (after ToObject). Built-in namespaces and functions own
 * their static members (`Math.max`, `Object.hasOwn`), and every function owns `name` and `length`;
 * none of them is enumerable, so Object.keys lists none.
 */
function hasOwnProperty(v: Value, key: string): boolean {
  if (typeof v === "string") {
    if (key === "length") return true;
    const i = Number(key);
    return String(i) === key && Number.isInteger(i) && i >= 0 && i < v.length;
  }
  if (Array.isArray(v) || isFlowObject(v)) return Object.hasOwn(v, key);
  if ((v instanceof Namespace || v instanceof NativeFunction) && hasStaticMember(v.id, key)) return true;
  const isFunction = v instanceof Closure || v instanceof BoundMethod || typeOf(v) === "function";
  return isFunction && (key === "name" || key === "length");
}

/** Writes one property to an Object.assign target the way [[Set]] would on our values. */
function assignProperty(target: FlowObject | Value[], key: string, value: Value, ctx: NativeContext): void {
  if (!Array.isArray(target)) {
    target[key] = value; // null prototype: even "__proto__" is a plain own key
    return;
  }
  if (key === "length") {
    const n = toNumber(value, ctx);
    if (!(Number.isInteger(n) && n >= 0 && n < 2 ** 32)) throwRangeError("Invalid array length");
    guardArrayLength(ctx, n);
    target.length = n;
    return;
  }
  if (key === "__proto__") throwTypeError("Cannot set the prototype of an array in .flow");
  const i = Number(key);
  if (String(i) === key && Number.isInteger(i) && i >= 0) {
    guardArrayLength(ctx, i + 1);
    // arrays have no holes in .flow: a write past the end fills the gap, as `a[i] = v` does
    for (let j = target.length; j < i; j++) target.push(undefined);
    target[i] = value;
    return;
  }
  // a named property: recorded, so the saved state keeps it and conversions see it
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  arraysWithNamedProperties.add(target);
}

/** Object(value): objects come back as they are; there are no wrapper objects in .flow. */
function objectCall(v: Value): Value {
  if (v === undefined || v === null) return newObject();
  if (!isPrimitive(v)) return v;
  return throwTypeError(`Object(${describeValue(v)}): .flow has no wrapper objects for primitives`);
}

function fromEntries(ctx: NativeContext, iterable: Value): FlowObject {
  if (iterable === undefined || iterable === null) return throwTypeError("undefined is not iterable");
  let entries: Value[];
  if (Array.isArray(iterable)) entries = iterable;
  else if (typeof iterable === "string") entries = Array.from(iterable);
  else return throwTypeError(notIterableMessage(iterable));
  costKeys(ctx, entries.length * 2); // each entry read and its key written
  const result = newObject();
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    if (isPrimitive(entry)) throwTypeError(`Iterator value ${describeValue(entry)} is not an entry object`);
    const k = Array.isArray(entry) ? entry[0] : isFlowObject(entry) ? entry["0"] : undefined;
    const v = Array.isArray(entry) ? entry[1] : isFlowObject(entry) ? entry["1"] : undefined;
    result[toPropertyKey(k, ctx)] = v;
  }
  return result;
}

function assign(ctx: NativeContext, args: Value[]): Value {
  const target = args[0];
  if (target === undefined || target === null) return throwTypeError(NULL_TO_OBJECT);
  if (!Array.isArray(target) && !isFlowObject(target)) {
    return throwTypeError("Object.assign: the target must be an object or an array in .flow");
  }
  for (let s = 1; s < args.length; s++) {
    const source = args[s];
    if (source === undefined || source === null) continue;
    const keys = ownEnumerableKeys(source, ctx);
    costKeys(ctx, keys.length); // and written
    for (const key of keys) assignProperty(target, key, ownValue(source, key), ctx);
  }
  return target;
}

export const objectNatives: Record<string, NativeImpl> = {
  Object: (_ctx, _this, args) => objectCall(args[0]),
  "Object.keys": (ctx, _this, args) => ownEnumerableKeys(args[0], ctx),
  "Object.values": (ctx, _this, args) => {
    const v = args[0];
    return ownEnumerableKeys(v, ctx).map((k) => ownValue(v, k));
  },
  "Object.entries": (ctx, _this, args) => {
    const v = args[0];
    const keys = ownEnumerableKeys(v, ctx);
    costArray(ctx, keys.length * 3); // a pair per key
    return keys.map((k): Value => [k, ownValue(v, k)]);
  },
  "Object.fromEntries": (ctx, _this, args) => fromEntries(ctx, args[0]),
  "Object.assign": (ctx, _this, args) => assign(ctx, args),
  "Object.hasOwn": (ctx, _this, args) => {
    const v = args[0];
    if (v === undefined || v === null) return throwTypeError(NULL_TO_OBJECT);
    return hasOwnProperty(v, toPropertyKey(args[1], ctx));
  },
  "Object.is": (_ctx, _this, args) => sameValue(args[0], args[1]),
};
