// JSON.stringify over the .flow value model, exactly as JavaScript writes the same values:
// toJSON, replacer function or property list, indentation, functions and undefined left out of
// objects and written as null in arrays, NaN/Infinity as null, cycles as V8's TypeError.
// Handles and namespaces are objects without enumerable properties in JS, so they write "{}".

import { isCallable, isFlowObject, throwTypeError, type NativeContext, type NativeImpl, type Value } from "../values.js";
import { toIntegerOrInfinity, toStr, typeOf } from "../coerce.js";
import { circularMessage, writeJson, type JsonWriterHooks } from "./json-writer.js";

/** The JSON text of a primitive leaf, or undefined for values JSON leaves out. */
export function jsonLeaf(v: Value): string | undefined {
  if (v === null) return "null";
  switch (typeof v) {
    case "boolean":
      return v ? "true" : "false";
    case "string":
      return JSON.stringify(v);
    case "number":
      return Number.isFinite(v) ? String(v) : "null";
    default:
      return undefined;
  }
}

/** Arrays are written as arrays; other non-function objects (incl. handles) as objects. */
export function jsonContainerKind(v: Value): "array" | "object" | undefined {
  if (Array.isArray(v)) return "array";
  if (v === null || typeof v !== "object" || typeOf(v) === "function") return undefined;
  return "object";
}

/** The property list of an array replacer: strings and numbers, deduplicated, in order. */
function propertyList(replacer: Value[], ctx: NativeContext): string[] {
  const list: string[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < replacer.length; i++) {
    const v = replacer[i];
    let item: string | undefined;
    if (typeof v === "string") item = v;
    else if (typeof v === "number") item = toStr(v, ctx);
    if (item !== undefined && !seen.has(item)) {
      seen.add(item);
      list.push(item);
    }
  }
  return list;
}

/** The indentation unit from the `space` argument. */
function gapOf(space: Value, ctx: NativeContext): string {
  if (typeof space === "number") {
    const n = Math.min(10, toIntegerOrInfinity(space, ctx));
    return n >= 1 ? " ".repeat(n) : "";
  }
  if (typeof space === "string") return space.slice(0, 10);
  return "";
}

/** An object's or an array's own callable `toJSON` (nothing else in .flow can have one). */
function ownToJSON(v: Value): Value {
  if (!(isFlowObject(v) || (Array.isArray(v) && Object.hasOwn(v, "toJSON")))) return undefined;
  const toJSON = (v as Record<string, Value>).toJSON;
  return isCallable(toJSON) ? toJSON : undefined;
}

/** JSON.stringify(value, replacer?, space?). */
export function jsonStringify(ctx: NativeContext, value: Value, replacer?: Value, space?: Value): string | undefined {
  const replacerFn = isCallable(replacer) ? replacer : undefined;
  const list = Array.isArray(replacer) ? propertyList(replacer, ctx) : undefined;
  const hooks: JsonWriterHooks = {
    resolve(holder, key, v) {
      const toJSON = ownToJSON(v);
      if (toJSON !== undefined) v = ctx.call(toJSON, v, [key]);
      if (replacerFn !== undefined) v = ctx.call(replacerFn, holder, [key, v]);
      return v;
    },
    containerKind: jsonContainerKind,
    keys: (v) => list ?? (isFlowObject(v) ? Object.keys(v) : []),
    leaf: jsonLeaf,
    circular: (cycle) => throwTypeError(circularMessage(cycle)),
    gap: gapOf(space, ctx),
    limit: ctx,
    spender: ctx,
  };
  return writeJson(value, hooks);
}

export const jsonStringifyNatives: Record<string, NativeImpl> = {
  "JSON.stringify": (ctx, _this, args) => jsonStringify(ctx, args[0], args[1], args[2]),
};
