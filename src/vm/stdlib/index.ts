// The standard library's public surface for the interpreter: the registry of native
// implementations by stable id, the static members of each global, the globals themselves,
// the lookup of built-in methods on primitives and arrays, and console.log's line format.
// Saved states record only native ids, so an id must never change meaning once released.

import type { NativeImpl, Value } from "../values.js";
import { arrayAccessNatives } from "./array-access.js";
import { arrayIterationNatives } from "./array-iteration.js";
import { arrayMutationNatives } from "./array-mutation.js";
import { arrayStaticNatives } from "./array-statics.js";
import { conversionNatives, numberMembers, stringMembers } from "./conversions.js";
import { ERROR_TYPES, errorNatives } from "./errors.js";
import { jsonParseNatives } from "./json-parse.js";
import { jsonStringifyNatives } from "./json-stringify.js";
import { mathMembers, mathNatives } from "./math.js";
import { registerMembers } from "./members.js";
import { namespace, nativeFn } from "./native-cache.js";
import { numberMethodNatives } from "./number-methods.js";
import { objectNatives } from "./object.js";
import { stringMethodNatives } from "./string-methods.js";
import { stringReplaceNatives } from "./string-replace.js";

export { formatLog, formatLogValue } from "./format-log.js";
export { describeValue } from "./describe-value.js";
export { namespace, nativeFn } from "./native-cache.js";
export { jsonStringify } from "./json-stringify.js";
export { parseJsonText, fromHostJson } from "./json-parse.js";

/**
 * Every native implemented here, by id. "Math.random" is deliberately absent: it needs the
 * host's randomness, so the interpreter registers it (it is still listed in staticMembers.Math).
 */
export const natives: Map<string, NativeImpl> = new Map(
  Object.entries({
    ...mathNatives,
    ...jsonStringifyNatives,
    ...jsonParseNatives,
    ...objectNatives,
    ...arrayStaticNatives,
    ...arrayAccessNatives,
    ...arrayIterationNatives,
    ...arrayMutationNatives,
    ...conversionNatives,
    ...errorNatives,
    ...stringMethodNatives,
    ...stringReplaceNatives,
    ...numberMethodNatives,
  }),
);

function members(ids: readonly string[]): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const id of ids) out[id.slice(id.lastIndexOf(".") + 1)] = nativeFn(id);
  return out;
}

/**
 * The members of each namespace or callable global, keyed by its id (a Namespace's or
 * NativeFunction's `id`): `staticMembers.Math.max`, `staticMembers.Number.isInteger`, …
 * Objects without members (Boolean, parseInt, Error…) have an empty record.
 */
export const staticMembers: Record<string, Record<string, Value>> = {
  Math: mathMembers,
  JSON: members(["JSON.parse", "JSON.stringify"]),
  Object: members([
    "Object.keys",
    "Object.values",
    "Object.entries",
    "Object.fromEntries",
    "Object.assign",
    "Object.hasOwn",
    "Object.is",
  ]),
  Array: members(["Array.isArray", "Array.from", "Array.of"]),
  Number: numberMembers,
  String: stringMembers,
  Boolean: {},
  parseInt: {},
  parseFloat: {},
  isNaN: {},
  isFinite: {},
  ...Object.fromEntries(ERROR_TYPES.map((t) => [t, {}])),
};

for (const [id, members] of Object.entries(staticMembers)) registerMembers(id, members);

/** The globals of SPEC §2.3 that the standard library provides. */
export const stdlibGlobals: Record<string, Value> = {
  Math: namespace("Math"),
  JSON: namespace("JSON"),
  Array: namespace("Array"),
  Object: nativeFn("Object"),
  Number: nativeFn("Number"),
  String: nativeFn("String"),
  Boolean: nativeFn("Boolean"),
  parseInt: nativeFn("parseInt"),
  parseFloat: nativeFn("parseFloat"),
  isNaN: nativeFn("isNaN"),
  isFinite: nativeFn("isFinite"),
  ...Object.fromEntries(ERROR_TYPES.map((t) => [t, nativeFn(t)])),
  NaN: NaN,
  Infinity: Infinity,
  undefined: undefined,
};

/** The prefix of the built-in methods each kind of receiver has. */
function methodPrefix(receiver: Value): string | undefined {
  if (Array.isArray(receiver)) return "Array.prototype.";
  switch (typeof receiver) {
    case "string":
      return "String.prototype.";
    case "number":
      return "Number.prototype.";
    case "boolean":
      return "Boolean.prototype.";
    default:
      return undefined; // .flow objects and everything else have no prototype methods
  }
}

/**
 * The native id of a built-in method for a receiver (`[1].map` → "Array.prototype.map"), or
 * undefined when there is none: only methods implemented here are ever found, so a name like
 * "constructor" or "__proto__" can never reach a host object.
 */
export function methodId(receiver: Value, name: string): string | undefined {
  const prefix = methodPrefix(receiver);
  if (prefix === undefined) return undefined;
  const id = prefix + name;
  return natives.has(id) ? id : undefined;
}
