// Methods of number and boolean primitives: toFixed, toPrecision, toExponential, toString(radix),
// valueOf. The argument is converted by .flow, then the host formats the number: its digits and
// its RangeError texts ("toFixed() digits argument must be between 0 and 100") are V8's.

import { throwTypeError, type NativeImpl, type Value } from "../values.js";
import { toNumber } from "../coerce.js";
import { callHost } from "./host-errors.js";

type NumberFormat = (this: number, arg?: unknown) => string;

function thisNumber(thisValue: Value, method: string): number {
  if (typeof thisValue !== "number") return throwTypeError(`Number.prototype.${method} requires that 'this' be a Number`);
  return thisValue;
}

function format(name: "toFixed" | "toPrecision" | "toExponential" | "toString"): NativeImpl {
  const host = Number.prototype[name] as NumberFormat;
  return (ctx, thisValue, args) => {
    const x = thisNumber(thisValue, name);
    // only a missing argument takes the default: an object whose valueOf gives undefined is NaN
    const arg = args[0] === undefined ? undefined : toNumber(args[0], ctx);
    return callHost(() => host.call(x, arg));
  };
}

export const numberMethodNatives: Record<string, NativeImpl> = {
  "Number.prototype.toFixed": format("toFixed"),
  "Number.prototype.toPrecision": format("toPrecision"),
  "Number.prototype.toExponential": format("toExponential"),
  "Number.prototype.toString": format("toString"),
  "Number.prototype.valueOf": (_ctx, thisValue) => thisNumber(thisValue, "valueOf"),
  "Boolean.prototype.toString": (_ctx, thisValue) => String(thisBoolean(thisValue, "toString")),
  "Boolean.prototype.valueOf": (_ctx, thisValue) => thisBoolean(thisValue, "valueOf"),
};

function thisBoolean(thisValue: Value, method: string): boolean {
  if (typeof thisValue !== "boolean") return throwTypeError(`Boolean.prototype.${method} requires that 'this' be a Boolean`);
  return thisValue;
}
