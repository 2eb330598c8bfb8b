// The names a workflow can use without declaring them (SPEC §2.3), and hints for names people
// often reach for that do not exist in workflows (timers, I/O, collections).

/** Every global a .flow program may read. */
export const FLOW_GLOBALS: readonly string[] = [
  "Inputs",
  "Context",
  "Task",
  "Workflow",
  "Timer",
  "Signal",
  "Promise",
  "Math",
  "JSON",
  "Object",
  "Array",
  "Number",
  "String",
  "Boolean",
  "parseInt",
  "parseFloat",
  "isNaN",
  "isFinite",
  "NaN",
  "Infinity",
  "undefined",
  "Date",
  "Error",
  "TypeError",
  "RangeError",
  "console",
];

const GLOBAL_SET = new Set(FLOW_GLOBALS);

export function isFlowGlobal(name: string): boolean {
  return GLOBAL_SET.has(name);
}

const TIMER = "use `await Timer.delay(…)`";
const HOST = "workflows cannot reach the host; run TypeScript code in a task with `Task.run(…)`";

/** What to use instead of a well-known host name that workflows do not have. */
export const UNAVAILABLE_HINTS: Readonly<Record<string, string>> = {
  setTimeout: TIMER,
  setInterval: TIMER,
  setImmediate: TIMER,
  sleep: TIMER,
  fetch: HOST,
  require: HOST,
  process: HOST,
  Buffer: HOST,
  globalThis: HOST,
  window: HOST,
  global: HOST,
  Map: "use a plain object",
  Set: "use an array or a plain object",
  RegExp: "use string methods such as `split`, `includes` or `replaceAll`",
  structuredClone: "use `JSON.parse(JSON.stringify(value))`",
};

const PROTOTYPE_MEMBERS = new Set([
  "getPrototypeOf",
  "setPrototypeOf",
  "create",
  "defineProperty",
  "defineProperties",
  "getOwnPropertyDescriptor",
  "getOwnPropertyDescriptors",
  "getOwnPropertyNames",
  "getOwnPropertySymbols",
  "freeze",
  "seal",
  "preventExtensions",
  "isFrozen",
  "isSealed",
  "isExtensible",
]);

/** What to use instead of a member people reach for that a built-in does not have. */
export function memberHint(object: string, member: string): string | null {
  if (object === "Date") return "`Date` has only `Date.now()`; keep times as epoch milliseconds or ISO strings";
  if (object === "Object" && PROTOTYPE_MEMBERS.has(member)) {
    return "workflows cannot read or change prototypes or property descriptors";
  }
  if (object === "Promise" && ["resolve", "reject", "withResolvers"].includes(member)) return "write an `async` function";
  if (object === "console") return "use `console.log`, `console.info`, `console.warn` or `console.error`";
  return null;
}
