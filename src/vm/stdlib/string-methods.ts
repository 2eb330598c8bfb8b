// String.prototype methods. The receiver is always a primitive string, so each method converts
// its arguments with .flow's ToString/ToNumber (running an object's own toString/valueOf like JS
// would) and then lets the host method do the rest on strings and numbers only: its results and
// RangeError texts are JavaScript's. An argument is converted all the way, not just to a
// primitive: an object whose valueOf gives undefined is NaN to JS, not a missing argument.
// Methods that grow strings check the size limit first; replace/replaceAll live in string-replace.ts.

import { isFlowObject, throwTypeError, type FlowObject, type NativeContext, type NativeImpl, type Value } from "../values.js";
import { isPrimitive, toIntegerOrInfinity, toLength, toNumber, toPrimitive, toStr, toUint32, type Primitive } from "../coerce.js";
import { callHost } from "./host-errors.js";
import { guardStringLength } from "./size-guard.js";
import { costArray, costChars, costString } from "./cost.js";

type Hint = "s" | "n";
type HostMethod = (this: string, ...args: Primitive[]) => unknown;

/** The receiver of a String.prototype method (the interpreter only routes strings here). */
export function thisString(thisValue: Value, method: string): string {
  if (typeof thisValue !== "string") return throwTypeError(`String.prototype.${method} called on a non-string`);
  return thisValue;
}

/** The arguments converted in order; an absent (undefined) one stays undefined for its default. */
function convertArgs(ctx: NativeContext, args: Value[], hints: readonly Hint[]): Primitive[] {
  return hints.map((h, i) => (args[i] === undefined ? undefined : h === "s" ? toStr(args[i], ctx) : toNumber(args[i], ctx)));
}

function hostMethod(name: string): HostMethod {
  return (String.prototype as unknown as Record<string, HostMethod>)[name]!;
}

/**
 * What a delegated method costs, charged before it runs: "none" reads a character or two;
 * "scan" may read the whole receiver; "copy" makes a string as long as the receiver; "result"
 * is charged by the length of what it gave (a slice), which the receiver's length bounds.
 */
type Cost = "none" | "scan" | "copy" | "result";

/** A method whose arguments are converted with the given hints, then run by the host. */
function delegate(name: string, hints: readonly Hint[], cost: Cost): NativeImpl {
  const host = hostMethod(name);
  return (ctx, thisValue, args) => {
    const s = thisString(thisValue, name);
    const prims = convertArgs(ctx, args, hints);
    if (cost === "scan") costChars(ctx, s.length);
    else if (cost === "copy") costString(ctx, s.length);
    const result = callHost(() => host.apply(s, prims)) as Value;
    if (cost === "result") costString(ctx, (result as string).length);
    return result;
  };
}

/** indexOf: charged by how far it read, so a tokenizer walking a long text pays once per character. */
function indexOf(ctx: NativeContext, thisValue: Value, args: Value[]): Value {
  const s = thisString(thisValue, "indexOf");
  const [search, position] = convertArgs(ctx, args, ["s", "n"]) as [string | undefined, number | undefined];
  const found = s.indexOf(search as string, position);
  const from = Math.min(Math.max(Math.trunc(position ?? 0) || 0, 0), s.length);
  costChars(ctx, (found === -1 ? s.length : found) - from + String(search).length);
  return found;
}

function pad(name: "padStart" | "padEnd"): NativeImpl {
  const host = hostMethod(name);
  return (ctx, thisValue, args) => {
    const s = thisString(thisValue, name);
    const maxLength = toLength(args[0], ctx);
    const filler = args[1] === undefined ? undefined : toStr(args[1], ctx);
    if (maxLength > s.length && filler !== "") {
      guardStringLength(ctx, maxLength);
      costString(ctx, maxLength);
    }
    return host.call(s, maxLength, filler) as string;
  };
}

/** Intl options as a plain host object holding primitives only (the host must not see ours). */
function hostOptions(ctx: NativeContext, v: Value): unknown {
  if (!isFlowObject(v)) return isPrimitive(v) ? v : undefined;
  const copy = Object.create(null) as Record<string, Primitive>;
  for (const key of Object.keys(v)) copy[key] = toPrimitive((v as FlowObject)[key], "string", ctx);
  return copy;
}

function hostLocales(ctx: NativeContext, v: Value): unknown {
  if (Array.isArray(v)) return v.map((x) => toStr(x, ctx));
  return toPrimitive(v, "string", ctx);
}

const NO_ARGS: readonly Hint[] = [];

export const stringMethodNatives: Record<string, NativeImpl> = {
  "String.prototype.at": delegate("at", ["n"], "none"),
  "String.prototype.charAt": delegate("charAt", ["n"], "none"),
  "String.prototype.charCodeAt": delegate("charCodeAt", ["n"], "none"),
  "String.prototype.codePointAt": delegate("codePointAt", ["n"], "none"),
  "String.prototype.endsWith": delegate("endsWith", ["s", "n"], "scan"),
  "String.prototype.includes": delegate("includes", ["s", "n"], "scan"),
  "String.prototype.indexOf": indexOf,
  "String.prototype.lastIndexOf": delegate("lastIndexOf", ["s", "n"], "scan"),
  "String.prototype.startsWith": delegate("startsWith", ["s", "n"], "none"),
  "String.prototype.slice": delegate("slice", ["n", "n"], "result"),
  "String.prototype.substring": delegate("substring", ["n", "n"], "result"),
  "String.prototype.substr": delegate("substr", ["n", "n"], "result"),
  "String.prototype.normalize": delegate("normalize", ["s"], "copy"),
  "String.prototype.toLowerCase": delegate("toLowerCase", NO_ARGS, "copy"),
  "String.prototype.toUpperCase": delegate("toUpperCase", NO_ARGS, "copy"),
  "String.prototype.trim": delegate("trim", NO_ARGS, "copy"),
  "String.prototype.trimStart": delegate("trimStart", NO_ARGS, "copy"),
  "String.prototype.trimEnd": delegate("trimEnd", NO_ARGS, "copy"),
  "String.prototype.isWellFormed": delegate("isWellFormed", NO_ARGS, "scan"),
  "String.prototype.toWellFormed": delegate("toWellFormed", NO_ARGS, "copy"),
  "String.prototype.toString": delegate("toString", NO_ARGS, "none"),
  "String.prototype.valueOf": delegate("valueOf", NO_ARGS, "none"),
  "String.prototype.padStart": pad("padStart"),
  "String.prototype.padEnd": pad("padEnd"),
  "String.prototype.split": (ctx, thisValue, args) => {
    const s = thisString(thisValue, "split");
    // the spec converts the limit before the separator; only a missing one means "no limit"
    const limit = args[1] === undefined ? undefined : toUint32(args[1], ctx);
    const separator = args[0] === undefined ? undefined : toStr(args[0], ctx);
    // at most one piece per character (and at most `limit`), each a small string
    costChars(ctx, s.length);
    costArray(ctx, Math.min(s.length + 1, limit ?? Infinity));
    return hostMethod("split").call(s, separator, limit) as string[];
  },
  "String.prototype.repeat": (ctx, thisValue, args) => {
    const s = thisString(thisValue, "repeat");
    const count = toPrimitive(args[0], "number", ctx);
    const n = toIntegerOrInfinity(count);
    if (n >= 0 && n !== Infinity && s.length > 0) {
      guardStringLength(ctx, s.length * n);
      costString(ctx, s.length * n);
    }
    return callHost(() => s.repeat(count as number)); // invalid counts throw V8's own RangeError
  },
  "String.prototype.concat": (ctx, thisValue, args) => {
    const s = thisString(thisValue, "concat");
    const parts = args.map((a) => toStr(a, ctx));
    const total = parts.reduce((n, p) => n + p.length, s.length);
    guardStringLength(ctx, total);
    costString(ctx, total);
    return callHost(() => s.concat(...parts)); // too many arguments: V8's RangeError
  },
  "String.prototype.localeCompare": (ctx, thisValue, args) => {
    const s = thisString(thisValue, "localeCompare");
    const that = toStr(args[0], ctx);
    costChars(ctx, s.length + that.length);
    const locales = args[1] === undefined ? undefined : hostLocales(ctx, args[1]);
    const options = args[2] === undefined ? undefined : hostOptions(ctx, args[2]);
    return callHost(() => s.localeCompare(that, locales as string | string[] | undefined, options as Intl.CollatorOptions));
  },
};
