// Inputs and payloads must be plain JSON before anything is written: values JSON.stringify would
// silently change (undefined, NaN, Dates, Maps, class instances) or cannot write (BigInt,
// functions, cycles) are refused with a typed error naming the path, as is anything too large.

import { InvalidArgumentError } from "./errors.js";

export const DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;

export function assertJson(value: unknown, what: string, maxBytes = DEFAULT_MAX_PAYLOAD_BYTES): void {
  const seen = new Set<object>();
  // explicit stack: inputs nested 10,000 levels deep must not overflow the host stack
  const work: [unknown, string][] = [[value, "$"]];
  while (work.length) {
    const [v, path] = work.pop()!;
    const problem = scalarProblem(v);
    if (problem) throw new InvalidArgumentError(`${what} is not JSON: ${path} is ${problem}`);
    if (v === null || typeof v !== "object") continue;
    if (seen.has(v)) throw new InvalidArgumentError(`${what} is not JSON: ${path} refers back to itself (a cycle)`);
    seen.add(v);
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) work.push([v[i], `${path}[${i}]`]);
      continue;
    }
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) {
      const kind = (v as object).constructor?.name ?? "an object with a prototype";
      throw new InvalidArgumentError(
        `${what} is not JSON: ${path} is a ${kind}${kind === "Date" ? " (pass date.toISOString())" : ""}`,
      );
    }
    for (const k of Object.keys(v)) work.push([(v as Record<string, unknown>)[k], `${path}.${k}`]);
  }
  const bytes = Buffer.byteLength(JSON.stringify(value) ?? "null");
  if (bytes > maxBytes) throw new InvalidArgumentError(`${what} is ${bytes} bytes of JSON, over the limit of ${maxBytes}`);
}

function scalarProblem(v: unknown): string | null {
  switch (typeof v) {
    case "undefined":
      return "undefined";
    case "function":
      return "a function";
    case "bigint":
      return "a BigInt (pass it as a string)";
    case "symbol":
      return "a symbol";
    case "number":
      return Number.isFinite(v) ? null : String(v);
    default:
      return null;
  }
}
