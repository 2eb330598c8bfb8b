// Inputs and payloads must be plain JSON before anything is written: values JSON.stringify would
// silently change (undefined, NaN, Dates, Maps, class instances, symbol keys) or cannot write
// (BigInt, functions, cycles), strings Postgres refuses (U+0000, lone surrogates), nesting deeper
// than MAX_JSON_DEPTH and anything over the size limit are refused with an InvalidArgumentError
// naming the path. What is checked is a copy, and the copy is what gets written: a getter is read
// once, and changing the object afterwards changes nothing.

import { childPlace, MAX_JSON_DEPTH, pathOf, ROOT, stringProblem, tooDeep, type JsonPlace } from "../shared/json-check.js";
import { InvalidArgumentError } from "./errors.js";

export const DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;

/** A plain-data copy of `value`, or InvalidArgumentError("<what> is not JSON: <path> …"). */
export function jsonInput(value: unknown, what: string, maxBytes = DEFAULT_MAX_PAYLOAD_BYTES): unknown {
  let copy: unknown;
  try {
    copy = plainCopy(value, what, maxBytes);
  } catch (e) {
    if (e instanceof InvalidArgumentError) throw e;
    if (e instanceof NotJson) throw new InvalidArgumentError(`${what} is not JSON: ${e.message}`);
    // a getter or a Proxy trap threw while the value was read
    throw new InvalidArgumentError(`${what} could not be read: ${e instanceof Error ? e.message : String(e)}`);
  }
  const bytes = Buffer.byteLength(JSON.stringify(copy));
  if (bytes > maxBytes) throw new InvalidArgumentError(`${what} is ${bytes} bytes of JSON, over the limit of ${maxBytes}`);
  return copy;
}

class NotJson extends Error {}

type Step =
  { value: unknown; place: JsonPlace; into: Record<string | number, unknown>; slot: string | number } | { leave: object };

/** Copies JSON data without recursion, throwing NotJson at the first thing that is not JSON. */
function plainCopy(value: unknown, what: string, maxBytes: number): unknown {
  const root: Record<string, unknown> = {};
  const onPath = new Set<object>();
  const work: Step[] = [{ value, place: ROOT, into: root, slot: "v" }];
  while (work.length > 0) {
    const step = work.pop()!;
    if ("leave" in step) {
      onPath.delete(step.leave);
      continue;
    }
    const { value: v, place } = step;
    const problem = scalarProblem(v);
    if (problem) throw new NotJson(`${pathOf(place)} ${problem}`);
    if (v === null || typeof v !== "object") {
      step.into[step.slot] = v;
      continue;
    }
    if (onPath.has(v)) throw new NotJson(`${pathOf(place)} refers back to an object that contains it (a cycle)`);
    if (place.depth + 1 > MAX_JSON_DEPTH) throw new NotJson(tooDeep(place));
    onPath.add(v);
    work.push({ leave: v });
    if (Array.isArray(v)) {
      // every element takes a byte or more: a huge sparse array is refused before it is walked
      if (v.length > maxBytes)
        throw new InvalidArgumentError(
          `${what} is over the limit of ${maxBytes} bytes of JSON: ${pathOf(place)} has ${v.length} elements`,
        );
      const out: unknown[] = new Array(v.length);
      step.into[step.slot] = out;
      for (let i = v.length - 1; i >= 0; i--)
        work.push({ value: v[i], place: childPlace(place, i), into: out as unknown as Record<number, unknown>, slot: i });
      continue;
    }
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) {
      const kind = (v as { constructor?: { name?: string } }).constructor?.name || "an object with a prototype";
      throw new NotJson(`${pathOf(place)} is a ${kind}${kind === "Date" ? " (pass date.toISOString())" : ""}`);
    }
    if (Object.getOwnPropertySymbols(v).some((s) => Object.prototype.propertyIsEnumerable.call(v, s)))
      throw new NotJson(`${pathOf(place)} has a symbol key (JSON would leave it out)`);
    // null prototype: a "__proto__" key is copied as an ordinary key
    const out = Object.create(null) as Record<string, unknown>;
    step.into[step.slot] = out;
    const keys = Object.keys(v);
    for (const k of keys) out[k] = undefined; // keep the key order
    for (let i = keys.length - 1; i >= 0; i--) {
      const k = keys[i];
      const keyProblem = stringProblem(k);
      if (keyProblem) throw new NotJson(`${pathOf(place)} has a key that ${keyProblem}`);
      work.push({ value: (v as Record<string, unknown>)[k], place: childPlace(place, k), into: out, slot: k });
    }
  }
  return root.v;
}

function scalarProblem(v: unknown): string | null {
  switch (typeof v) {
    case "undefined":
      return "is undefined";
    case "function":
      return "is a function";
    case "bigint":
      return "is a BigInt (pass it as a string)";
    case "symbol":
      return "is a symbol";
    case "number":
      return Number.isFinite(v) ? null : `is ${String(v)}`;
    case "string":
      return stringProblem(v);
    default:
      return null;
  }
}
