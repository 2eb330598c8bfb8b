// The Math namespace: every static function and constant of JavaScript's Math. Arguments go
// through .flow's ToNumber (so objects with valueOf behave as in JS), then the host computes on
// plain numbers, which gives bit-identical results. Math.random is the interpreter's (it needs
// the host's randomness), so it is listed as a member here but has no implementation in this file.

import type { NativeImpl, Value } from "../values.js";
import { toNumber } from "../coerce.js";
import { callHost } from "./host-errors.js";
import { nativeFn } from "./native-cache.js";

type MathFn = (...xs: number[]) => number;

const UNARY = [
  "abs",
  "acos",
  "acosh",
  "asin",
  "asinh",
  "atan",
  "atanh",
  "cbrt",
  "ceil",
  "clz32",
  "cos",
  "cosh",
  "exp",
  "expm1",
  "floor",
  "fround",
  "log",
  "log1p",
  "log10",
  "log2",
  "round",
  "sign",
  "sin",
  "sinh",
  "sqrt",
  "tan",
  "tanh",
  "trunc",
] as const;
const BINARY = ["atan2", "imul", "pow"] as const;
const VARIADIC = ["hypot", "max", "min"] as const;
const CONSTANTS = ["E", "LN10", "LN2", "LOG10E", "LOG2E", "PI", "SQRT1_2", "SQRT2"] as const;

function hostMath(name: string): MathFn {
  return (Math as unknown as Record<string, MathFn>)[name]!;
}

export const mathNatives: Record<string, NativeImpl> = {};

for (const name of UNARY) {
  const f = hostMath(name);
  mathNatives[`Math.${name}`] = (ctx, _this, args) => f(toNumber(args[0], ctx));
}
for (const name of BINARY) {
  const f = hostMath(name);
  mathNatives[`Math.${name}`] = (ctx, _this, args) => {
    const x = toNumber(args[0], ctx);
    return f(x, toNumber(args[1], ctx));
  };
}
for (const name of VARIADIC) {
  const f = hostMath(name);
  // every argument is converted (in order) before any comparison, as the spec says
  mathNatives[`Math.${name}`] = (ctx, _this, args) => {
    const nums = args.map((a) => toNumber(a, ctx));
    // Math.max(...hugeArray): V8 throws a RangeError for that many arguments, and so does .flow
    return callHost(() => f(...nums));
  };
}

export const mathMembers: Record<string, Value> = {};
for (const name of CONSTANTS) mathMembers[name] = Math[name];
for (const id of Object.keys(mathNatives)) mathMembers[id.slice("Math.".length)] = nativeFn(id);
mathMembers.random = nativeFn("Math.random");
