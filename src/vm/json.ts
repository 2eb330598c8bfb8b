// The JSON boundary: host JSON data (inputs, task results, signal payloads) becomes .flow values
// with null-prototype objects, and .flow values leave as JSON exactly as JSON.stringify writes them.

import { natives } from "./stdlib/index.js";
import { jsonDataProblem } from "../shared/json-check.js";
import {
  FlowThrow,
  newObject,
  throwRangeError,
  throwTypeError,
  type FlowObject,
  type NativeContext,
  type Value,
} from "./values.js";

/** Host JSON (any depth; no recursion) → .flow value. Keys like "__proto__" stay plain data. */
export function fromJson(data: unknown): Value {
  if (data === null || typeof data !== "object") return data as Value;
  const root: Value[] = [undefined];
  const work: [unknown, Value[] | FlowObject, string | number][] = [[data, root, 0]];
  while (work.length) {
    const [src, target, key] = work.pop()!;
    let out: Value;
    if (src === null || typeof src !== "object") out = src as Value;
    else if (Array.isArray(src)) {
      const arr: Value[] = new Array(src.length);
      for (let i = 0; i < src.length; i++) work.push([src[i], arr, i]);
      out = arr;
    } else {
      const obj = newObject();
      for (const k of Object.keys(src)) obj[k] = undefined; // keep the source's key order
      for (const k of Object.keys(src)) work.push([(src as Record<string, unknown>)[k], obj, k]);
      out = obj;
    }
    (target as Record<string | number, Value>)[key] = out;
  }
  return root[0];
}

const stringify = natives.get("JSON.stringify")!;

/**
 * .flow value → host JSON data, with JSON.stringify's meaning (undefined and functions dropped
 * from objects, NaN → null, …). `undefined` at the top becomes null. Throws a .flow TypeError
 * naming `what` when the value cannot be written (cycles) or stored (nested more than
 * MAX_JSON_DEPTH levels, U+0000, lone surrogates), and a RangeError when it is larger than the
 * context's payload limit.
 */
export function toJson(ctx: NativeContext, value: Value, what: string): unknown {
  let text: Value;
  try {
    text = stringify(ctx, undefined, [value]);
  } catch (e) {
    if (!(e instanceof FlowThrow)) throw e; // limits (and host bugs) are not "not JSON"
    const message = (e as { value?: { message?: unknown } }).value?.message;
    throwTypeError(`${what} is not JSON: ${typeof message === "string" ? message : String(e)}`);
  }
  if (typeof text !== "string") return null;
  const data: unknown = JSON.parse(text);
  // what Postgres would refuse, or host code could not write back without overflowing its stack
  const problem = jsonDataProblem(data);
  if (problem) throwTypeError(`${what} is not JSON: ${problem}`);
  const limit = ctx.maxPayloadBytes;
  if (limit !== undefined) {
    const bytes = Buffer.byteLength(text);
    if (bytes > limit) throwRangeError(`${what} is ${bytes} bytes of JSON, over the payload limit of ${limit} (maxPayloadBytes)`);
  }
  return data;
}
