// Property reads and writes on every kind of value. This is the sandbox boundary: objects have no
// prototype, and arrays, strings, numbers, functions and namespaces expose only the members listed
// in the standard library tables, so no key (`constructor`, `__proto__`, …) can reach the host.

import { toPropertyKey, toStr } from "./coerce.js";
import { methodId, staticMembers } from "./stdlib/index.js";
import { guardArrayLength } from "./stdlib/size-guard.js";
import {
  arraysWithNamedProperties,
  BoundMethod,
  Closure,
  Handle,
  Namespace,
  NativeFunction,
  isFlowObject,
  throwRangeError,
  throwTypeError,
  type FlowObject,
  type Value,
} from "./values.js";
import type { Machine } from "./machine.js";

/** Extra static members provided by the interpreter itself (Task, Promise, console, …). */
export const hostStatics: Record<string, Record<string, Value>> = Object.create(null);

/** Canonical array index for a key, or -1. */
export function arrayIndex(key: string | number): number {
  if (typeof key === "number") return Number.isInteger(key) && key >= 0 && key < 2 ** 32 - 1 ? key : -1;
  if (key.length === 0 || key.length > 10) return -1;
  const n = Number(key);
  return Number.isInteger(n) && n >= 0 && n < 2 ** 32 - 1 && String(n) === key ? n : -1;
}

function describe(v: Value): string {
  return v === null ? "null" : "undefined";
}

export function getProperty(obj: Value, key: Value, m: Machine): Value {
  if (obj === null || obj === undefined) {
    throwTypeError(`Cannot read properties of ${describe(obj)} (reading '${toStr(toPropertyKey(key, m), m)}')`);
  }
  if (typeof obj === "object") {
    if (Array.isArray(obj)) {
      if (typeof key === "number") {
        const i = arrayIndex(key);
        if (i >= 0) return obj[i];
      }
      const k = toPropertyKey(key, m);
      const i = arrayIndex(k);
      if (i >= 0) return obj[i];
      if (k === "length") return obj.length;
      if (Object.hasOwn(obj, k)) return (obj as unknown as Record<string, Value>)[k];
      const id = methodId(obj, k);
      return id === undefined ? undefined : new BoundMethod(id, obj);
    }
    if (isFlowObject(obj)) return (obj as FlowObject)[toPropertyKey(key, m)];
    if (obj instanceof Namespace || obj instanceof NativeFunction) return staticMember(obj.id, toPropertyKey(key, m));
    if (obj instanceof Closure) {
      const k = toPropertyKey(key, m);
      if (k === "name") return m.program.functions[obj.fn].name;
      if (k === "length") return m.program.functions[obj.fn].length;
      return undefined;
    }
    return undefined; // handles, bound methods: no readable members
  }
  const k = toPropertyKey(key, m);
  if (typeof obj === "string") {
    const i = arrayIndex(k);
    if (i >= 0) return i < obj.length ? obj[i] : undefined;
    if (k === "length") return obj.length;
  }
  const id = methodId(obj, k);
  return id === undefined ? undefined : new BoundMethod(id, obj);
}

export function staticMember(id: string, key: string): Value {
  const own = hostStatics[id];
  if (own && Object.hasOwn(own, key)) return own[key];
  const std = staticMembers[id];
  if (std && Object.hasOwn(std, key)) return std[key];
  return undefined;
}

export function setProperty(obj: Value, key: Value, value: Value, m: Machine): void {
  if (obj === null || obj === undefined) {
    throwTypeError(`Cannot set properties of ${describe(obj)} (setting '${toStr(toPropertyKey(key, m), m)}')`);
  }
  const k = typeof key === "number" && Array.isArray(obj) ? key : toPropertyKey(key, m);
  if (Array.isArray(obj)) {
    const i = arrayIndex(k);
    if (i >= 0) {
      if (i > obj.length) {
        guardArrayLength(m, i + 1);
        // Holes are not part of the language: fill them with undefined.
        for (let j = obj.length; j < i; j++) obj.push(undefined);
      }
      obj[i] = value;
      return;
    }
    if (k === "length") {
      const n = typeof value === "number" ? value : NaN;
      if (!Number.isInteger(n) || n < 0 || n >= 2 ** 32) throwRangeError("Invalid array length");
      guardArrayLength(m, n);
      if (n < obj.length) obj.length = n;
      else while (obj.length < n) obj.push(undefined);
      return;
    }
    // A named property on an array, as JavaScript allows. defineProperty makes it an own data
    // property even for keys like "__proto__", so it can never touch the host prototype.
    Object.defineProperty(obj, k, { value, writable: true, enumerable: true, configurable: true });
    arraysWithNamedProperties.add(obj);
    return;
  }
  if (isFlowObject(obj)) {
    (obj as FlowObject)[k as string] = value;
    return;
  }
  if (typeof obj === "object" || typeof obj === "function") {
    throwTypeError(`Cannot assign to read only property '${String(k)}' of ${kindName(obj)}`);
  }
  if (typeof obj === "string" && (k === "length" || arrayIndex(k) >= 0)) {
    throwTypeError(`Cannot assign to read only property '${String(k)}' of string '${obj}'`);
  }
  throwTypeError(`Cannot create property '${String(k)}' on ${typeof obj} '${toStr(obj, m)}'`);
}

function kindName(v: Value): string {
  if (v instanceof Handle) return "a handle";
  if (v instanceof Namespace) return v.id;
  if (v instanceof NativeFunction) return `function ${v.id}`;
  return "function";
}
