// Error, TypeError and RangeError, called without `new` (there is no `new` in .flow). They make
// the error objects of SPEC §2.2, `{ name, type, message }`, with `cause` copied from the
// options argument when it has one, like JS's `Error(message, { cause })`.

import { isFlowObject, makeError, type NativeContext, type NativeImpl, type Value } from "../values.js";
import { toStr } from "../coerce.js";

export const ERROR_TYPES = ["Error", "TypeError", "RangeError"] as const;

function construct(type: string, ctx: NativeContext, args: Value[]): Value {
  const message = args[0] === undefined ? "" : toStr(args[0], ctx);
  const options = args[1];
  if (isFlowObject(options) && Object.hasOwn(options, "cause")) {
    return makeError(type, message, { cause: options.cause });
  }
  return makeError(type, message);
}

export const errorNatives: Record<string, NativeImpl> = {};
for (const type of ERROR_TYPES) errorNatives[type] = (ctx, _this, args) => construct(type, ctx, args);
