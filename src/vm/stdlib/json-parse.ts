// JSON.parse: the host parser reads the text (it is iterative, so 100,000-deep input is fine, and
// its SyntaxError messages are V8's own), then an explicit-stack walk turns every host object into
// a null-prototype .flow object. The reviver walk (InternalizeJSONProperty) is iterative as well.

import {
  FlowThrow,
  isCallable,
  isFlowObject,
  makeError,
  newObject,
  type FlowObject,
  type NativeContext,
  type NativeImpl,
  type Value,
} from "../values.js";
import { toStr } from "../coerce.js";
import { costString } from "./cost.js";

/** Parses JSON text into .flow values; a bad text throws a .flow SyntaxError with V8's message. */
export function parseJsonText(text: string): Value {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    if (e instanceof SyntaxError) throw new FlowThrow(makeError("SyntaxError", e.message));
    throw e;
  }
  return fromHostJson(parsed);
}

/**
 * Converts a host JSON value (fresh from JSON.parse, so a tree of plain objects and arrays) into
 * .flow values. Arrays are reused in place; objects are rebuilt without a prototype.
 */
export function fromHostJson(root: unknown): Value {
  const convert = (v: unknown): Value => {
    if (v === null || typeof v !== "object") return v as Value;
    if (Array.isArray(v)) {
      pending.push({ host: v, target: v });
      return v as Value[];
    }
    const target = newObject();
    pending.push({ host: v as Record<string, unknown>, target });
    return target;
  };
  const pending: { host: unknown[] | Record<string, unknown>; target: Value[] | FlowObject }[] = [];
  const result = convert(root);
  while (pending.length > 0) {
    const { host, target } = pending.pop()!;
    if (Array.isArray(host)) {
      const arr = target as Value[];
      for (let i = 0; i < host.length; i++) arr[i] = convert(host[i]);
    } else {
      const obj = target as FlowObject;
      // Object.keys gives JS property order; an own "__proto__" key stays a plain key here
      for (const key of Object.keys(host)) obj[key] = convert(host[key]);
    }
  }
  return result;
}

interface ReviveFrame {
  holder: Value[] | FlowObject;
  key: string;
  value: Value;
  /** Keys of an object value, or null for an array value (walked by index). */
  keys: string[] | null;
  count: number;
  index: number;
  started: boolean;
}

function getMember(holder: Value[] | FlowObject, key: string): Value {
  return Array.isArray(holder) ? holder[Number(key)] : holder[key];
}

function setMember(holder: Value[] | FlowObject, key: string, value: Value): void {
  if (Array.isArray(holder)) {
    if (value === undefined) delete holder[Number(key)];
    else holder[Number(key)] = value;
  } else if (value === undefined) delete holder[key];
  else holder[key] = value;
}

/** InternalizeJSONProperty over the parsed tree, calling `reviver` bottom-up like JS does. */
function revive(ctx: NativeContext, reviver: Value, value: Value): Value {
  const root = newObject();
  root[""] = value;
  const stack: ReviveFrame[] = [{ holder: root, key: "", value: undefined, keys: null, count: 0, index: 0, started: false }];
  for (;;) {
    const f = stack[stack.length - 1]!;
    if (!f.started) {
      // the value is read when its turn comes: earlier reviver calls may have changed it
      f.started = true;
      f.value = getMember(f.holder, f.key);
      if (Array.isArray(f.value)) f.count = f.value.length;
      else if (isFlowObject(f.value)) {
        f.keys = Object.keys(f.value);
        f.count = f.keys.length;
      }
    }
    if (f.index < f.count) {
      const key = f.keys === null ? String(f.index) : f.keys[f.index]!;
      f.index++;
      const holder = f.value as Value[] | FlowObject;
      stack.push({ holder, key, value: undefined, keys: null, count: 0, index: 0, started: false });
      continue;
    }
    const revived = ctx.call(reviver, f.holder, [f.key, f.value]);
    stack.pop();
    if (stack.length === 0) return revived;
    setMember(f.holder, f.key, revived);
  }
}

/** JSON.parse(text, reviver?). */
export function jsonParse(ctx: NativeContext, text: Value, reviver?: Value): Value {
  const source = toStr(text, ctx);
  // the values made take about as much as the text (more for many small containers)
  costString(ctx, source.length * 2);
  const value = parseJsonText(source);
  return isCallable(reviver) ? revive(ctx, reviver, value) : value;
}

export const jsonParseNatives: Record<string, NativeImpl> = {
  "JSON.parse": (ctx, _this, args) => jsonParse(ctx, args[0], args[1]),
};
