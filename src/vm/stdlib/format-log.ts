// How console.log renders one line: arguments joined by a space; a string as itself, another
// primitive as String(v); objects and arrays as compact JSON text (undefined left out of objects
// and null in arrays, as JSON would), functions as [Function], handles as [Handle], and a
// container met again inside itself as "[Circular]". It never calls .flow code (no toJSON).

import { Handle, Namespace, isFlowObject, type Value } from "../values.js";
import { toStr, typeOf } from "../coerce.js";
import { writeJson, type JsonWriterHooks } from "./json-writer.js";
import { jsonLeaf } from "./json-stringify.js";

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

/** Renders one value of a console.log line. */
export function formatLogValue(v: Value): string {
  if (typeof v === "string") return v;
  if (Array.isArray(v) || isFlowObject(v)) return writeJson(v, hooks)!;
  if (typeOf(v) === "function") return "[Function]";
  if (v instanceof Handle) return "[Handle]";
  if (v instanceof Namespace) return toStr(v);
  return String(v);
}

/** Renders a console.log line. */
export function formatLog(args: Value[]): string {
  return args.map(formatLogValue).join(" ");
}
