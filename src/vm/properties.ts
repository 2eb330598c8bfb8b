// Property reads and writes on every kind of value. This is the sandbox boundary: objects have no
// prototype, and arrays, strings, numbers, functions and namespaces expose only the members listed
// in the standard library tables, so no key (`constructor`, `__proto__`, …) can reach the host.

import { toPropertyKey, toStr, typeOf } from "./coerce.js";
import { describeKey } from "./stdlib/describe-value.js";
import { nativeLength, nativeName } from "./stdlib/function-meta.js";
import { methodId, nativeFn } from "./stdlib/index.js";
import { hasStaticMember, staticMember } from "./stdlib/members.js";
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
import { costArray } from "./stdlib/cost.js";

/** Canonical array index for a key, or -1. */
export function arrayIndex(key: string | number): number {
  if (typeof key === "number") return Number.isInteger(key) && key >= 0 && key < 2 ** 32 - 1 ? key : -1;
  if (key.length === 0 || key.length > 10) return -1;
  const n = Number(key);
  return Number.isInteger(n) && n >= 0 && n < 2 ** 32 - 1 && String(n) === key ? n : -1;
}

/**
 * V8's message for reading or writing a property of null or undefined. The key is described
 * without converting it (JavaScript throws before the key's own toString could run); a key V8
 * cannot describe that way leaves the parenthesis out.
 */
function nullishBase(obj: null | undefined, key: Value, verb: "read" | "set"): never {
  const text = describeKey(key);
  const what = text === null ? "" : ` (${verb === "read" ? "reading" : "setting"} '${text}')`;
  return throwTypeError(`Cannot ${verb} properties of ${String(obj)}${what}`);
}

/** The `name` and `length` every function has (closures, built-ins, and Array, Promise, Date). */
export function functionProperty(fn: Value, key: string, m: Machine): Value {
  if (key !== "name" && key !== "length") return undefined;
  if (fn instanceof Closure) return key === "length" ? m.functionLength(fn) : (fn.name ?? m.program.functions[fn.fn].name);
  if (!(fn instanceof NativeFunction || fn instanceof BoundMethod || fn instanceof Namespace)) return undefined;
  if (fn instanceof Namespace && typeOf(fn) !== "function") return undefined; // Math, JSON, Task …
  return key === "length" ? nativeLength(fn.id) : nativeName(fn.id);
}

export function getProperty(obj: Value, key: Value, m: Machine): Value {
  if (obj === null || obj === undefined) return nullishBase(obj, key, "read");
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
    const k = toPropertyKey(key, m);
    if ((obj instanceof Namespace || obj instanceof NativeFunction) && hasStaticMember(obj.id, k)) {
      return staticMember(obj.id, k);
    }
    return functionProperty(obj, k, m); // handles have no readable members
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

/**
 * The function `receiver.name(…)` calls, read before its arguments are evaluated. Built-in
 * methods come back as their shared function (called with the receiver), so no bound method is
 * made per call; a null or undefined receiver throws here, before the arguments run.
 */
export function methodOf(receiver: Value, name: string, m: Machine): Value {
  if (isFlowObject(receiver)) return (receiver as FlowObject)[name];
  if (receiver === null || receiver === undefined) return nullishBase(receiver, name, "read");
  let methods: Map<string, Value> | undefined;
  if (Array.isArray(receiver)) {
    if (Object.hasOwn(receiver, name)) return (receiver as unknown as Record<string, Value>)[name];
    methods = arrayMethods;
  } else if (typeof receiver === "string") methods = stringMethods;
  else if (typeof receiver === "number") methods = numberMethods;
  else if (typeof receiver === "boolean") methods = booleanMethods;
  else return getProperty(receiver, name, m);
  // the method of a name, found once per name: the hot path of `list.push(x)` and `s.trim()`
  let fn = methods.get(name);
  if (fn === undefined && !methods.has(name)) {
    const id = methodId(receiver, name);
    methods.set(name, (fn = id === undefined ? undefined : nativeFn(id)));
  }
  return fn === undefined ? getProperty(receiver, name, m) : fn;
}

const arrayMethods = new Map<string, Value>();
const stringMethods = new Map<string, Value>();
const numberMethods = new Map<string, Value>();
const booleanMethods = new Map<string, Value>();

export function setProperty(obj: Value, key: Value, value: Value, m: Machine): void {
  if (obj === null || obj === undefined) return nullishBase(obj, key, "set");
  const k = typeof key === "number" && Array.isArray(obj) ? key : toPropertyKey(key, m);
  if (Array.isArray(obj)) {
    const i = arrayIndex(k);
    if (i >= 0) {
      if (i > obj.length) {
        guardArrayLength(m, i + 1);
        costArray(m, i - obj.length);
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
      costArray(m, n - obj.length);
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
