// JavaScript's `name` and `length` of built-in functions and of the namespaces JavaScript has as
// functions (`Array`, `Promise`, `Date`). Names are the last part of the id ("Array.prototype.map"
// → "map"); lengths count the required parameters, as the spec gives them (most built-ins take
// one). A test holds every length against the host's own function of the same id.

/** Built-ins whose `length` is not 1. */
const LENGTHS: Record<string, number> = {
  ...of(0, [
    "Array.of",
    "Array.prototype.entries",
    "Array.prototype.flat",
    "Array.prototype.keys",
    "Array.prototype.pop",
    "Array.prototype.reverse",
    "Array.prototype.shift",
    "Array.prototype.toReversed",
    "Array.prototype.toString",
    "Array.prototype.values",
    "Boolean.prototype.toString",
    "Boolean.prototype.valueOf",
    "Date.now",
    "Math.random",
    "Number.prototype.valueOf",
    "String.prototype.isWellFormed",
    "String.prototype.normalize",
    "String.prototype.toLowerCase",
    "String.prototype.toString",
    "String.prototype.toUpperCase",
    "String.prototype.toWellFormed",
    "String.prototype.trim",
    "String.prototype.trimEnd",
    "String.prototype.trimStart",
    "String.prototype.valueOf",
    "console.error",
    "console.info",
    "console.log",
    "console.warn",
  ]),
  ...of(2, [
    "Array.prototype.slice",
    "Array.prototype.splice",
    "Array.prototype.toSpliced",
    "Array.prototype.with",
    "JSON.parse",
    "Math.atan2",
    "Math.hypot",
    "Math.imul",
    "Math.max",
    "Math.min",
    "Math.pow",
    "Object.assign",
    "Object.hasOwn",
    "Object.is",
    "String.prototype.replace",
    "String.prototype.replaceAll",
    "String.prototype.slice",
    "String.prototype.split",
    "String.prototype.substr",
    "String.prototype.substring",
    "parseInt",
    // Signal.when(name, { timeout }): the options are required
    "Signal.when",
  ]),
  ...of(3, ["JSON.stringify"]),
  // the namespaces that are functions in JavaScript
  ...of(7, ["Date"]),
};

function of(length: number, ids: string[]): Record<string, number> {
  return Object.fromEntries(ids.map((id) => [id, length]));
}

/** Namespaces that are functions in JavaScript (`typeof Array === "function"`). */
export const FUNCTION_NAMESPACES: ReadonlySet<string> = new Set(["Array", "Promise", "Date"]);

/** The `name` of the built-in function with this id. */
export function nativeName(id: string): string {
  return id.slice(id.lastIndexOf(".") + 1);
}

/** The `length` of the built-in function with this id. */
export function nativeLength(id: string): number {
  return LENGTHS[id] ?? 1;
}
