// How console.log renders one line: arguments joined by a space; a string as itself, another
// primitive as String(v); objects and arrays as compact JSON text (undefined left out of objects
// and null in arrays, as JSON would), functions as [Function], handles as [Handle], and a
// container met again inside itself as "[Circular]". It never calls .flow code (no toJSON).
// A line longer than its cap is cut while it is written, not after: a log of a 6 GB value costs
// what its first `maxChars` characters cost.

import { Handle, Namespace, isFlowObject, type Value } from "../values.js";
import { toStr, typeOf } from "../coerce.js";
import { writeJson, type JsonWriterHooks } from "./json-writer.js";
import { jsonLeaf } from "./json-stringify.js";
import { costString, type Spender } from "./cost.js";

/** Appended to a line cut at its cap while it was written (its full length is not known). */
export const LOG_CUT_MARKER = " … [cut: log line too long]";

function leafText(v: Value): string | undefined {
  if (typeOf(v) === "function") return "[Function]";
  if (v instanceof Handle) return "[Handle]";
  if (v instanceof Namespace) return toStr(v);
  return jsonLeaf(v);
}

const hooks: JsonWriterHooks = {
  resolve: (_holder, _key, v) => v,
  containerKind: (v) => (Array.isArray(v) ? "array" : isFlowObject(v) ? "object" : undefined),
  keys: (v) => Object.keys(v as object),
  leaf: leafText,
  circular: () => '"[Circular]"',
  gap: "",
};

/** Renders one value of a console.log line; past `room` characters it may stop early. */
export function formatLogValue(v: Value, room = Infinity, spender?: Spender): string {
  if (typeof v === "string") return v.length > room ? v.slice(0, room + 1) : v;
  if (Array.isArray(v) || isFlowObject(v)) return writeJson(v, { ...hooks, truncateAt: room, spender })!;
  if (typeOf(v) === "function") return "[Function]";
  if (v instanceof Handle) return "[Handle]";
  if (v instanceof Namespace) return toStr(v);
  return String(v);
}

/** Renders a console.log line of at most `maxChars` characters (a longer one is cut and marked). */
export function formatLog(args: Value[], maxChars = Infinity, spender?: Spender): string {
  let line = "";
  for (let i = 0; i < args.length; i++) {
    if (i > 0) line += " ";
    line += formatLogValue(args[i], maxChars - line.length, spender);
    if (line.length > maxChars) {
      costString(spender, maxChars);
      return line.slice(0, maxChars) + LOG_CUT_MARKER;
    }
  }
  costString(spender, line.length);
  return line;
}
