// The callable globals that convert values — Number, String, Boolean, parseInt, parseFloat,
// isNaN, isFinite — and the static members of Number and String. Conversion of objects is
// .flow's own (coerce.ts); the host only ever sees the resulting primitives.

import type { NativeImpl, Value } from "../values.js";
import { toNumber, toPrimitive, toStr, truthy } from "../coerce.js";
import { callHost } from "./host-errors.js";
import { nativeFn } from "./native-cache.js";
import { guardStringLength } from "./size-guard.js";
import { costChars, costString } from "./cost.js";

export const conversionNatives: Record<string, NativeImpl> = {
  Number: (ctx, _this, args) => (args.length === 0 ? 0 : toNumber(args[0], ctx)),
  String: (ctx, _this, args) => (args.length === 0 ? "" : toStr(args[0], ctx)),
  Boolean: (_ctx, _this, args) => truthy(args[0]),
  parseInt: (ctx, _this, args) => {
    const s = toStr(args[0], ctx);
    costChars(ctx, s.length);
    return parseInt(s, toPrimitive(args[1], "number", ctx) as number);
  },
  parseFloat: (ctx, _this, args) => {
    const s = toStr(args[0], ctx);
    costChars(ctx, s.length);
    return parseFloat(s);
  },
  isNaN: (ctx, _this, args) => Number.isNaN(toNumber(args[0], ctx)),
  isFinite: (ctx, _this, args) => Number.isFinite(toNumber(args[0], ctx)),
  // the Number.is* predicates never convert: a non-number is simply not an integer, etc.
  "Number.isInteger": (_ctx, _this, args) => Number.isInteger(args[0]),
  "Number.isSafeInteger": (_ctx, _this, args) => Number.isSafeInteger(args[0]),
  "Number.isFinite": (_ctx, _this, args) => Number.isFinite(args[0]),
  "Number.isNaN": (_ctx, _this, args) => Number.isNaN(args[0]),
  "String.fromCharCode": (ctx, _this, args) => {
    guardStringLength(ctx, args.length);
    costString(ctx, args.length);
    const codes = args.map((a) => toNumber(a, ctx));
    return callHost(() => String.fromCharCode(...codes)); // too many arguments: V8's RangeError
  },
  "String.fromCodePoint": (ctx, _this, args) => {
    guardStringLength(ctx, args.length * 2);
    costString(ctx, args.length * 2);
    const codes = args.map((a) => toNumber(a, ctx));
    return callHost(() => String.fromCodePoint(...codes)); // V8's "Invalid code point …" RangeError
  },
};

export const numberMembers: Record<string, Value> = {
  MAX_SAFE_INTEGER: Number.MAX_SAFE_INTEGER,
  MIN_SAFE_INTEGER: Number.MIN_SAFE_INTEGER,
  MAX_VALUE: Number.MAX_VALUE,
  MIN_VALUE: Number.MIN_VALUE,
  EPSILON: Number.EPSILON,
  POSITIVE_INFINITY: Number.POSITIVE_INFINITY,
  NEGATIVE_INFINITY: Number.NEGATIVE_INFINITY,
  NaN: Number.NaN,
  isInteger: nativeFn("Number.isInteger"),
  isSafeInteger: nativeFn("Number.isSafeInteger"),
  isFinite: nativeFn("Number.isFinite"),
  isNaN: nativeFn("Number.isNaN"),
  // the very same functions as the globals, as in JS (Number.parseInt === parseInt)
  parseInt: nativeFn("parseInt"),
  parseFloat: nativeFn("parseFloat"),
};

export const stringMembers: Record<string, Value> = {
  fromCharCode: nativeFn("String.fromCharCode"),
  fromCodePoint: nativeFn("String.fromCodePoint"),
};
