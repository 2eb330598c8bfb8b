// The value model of the .flow interpreter.
// Primitives are host primitives; arrays are host arrays; objects are null-prototype host
// objects (so no key can ever reach Object.prototype). Everything else a program can hold —
// closures, native functions, namespaces and handles — is an instance of a class below.
// The live machine uses these host objects for speed; `state/` turns the whole graph into
// id-linked plain data when an activation ends, so aliasing and cycles survive JSON.

/** A .flow object: a host object with a null prototype. */
export interface FlowObject {
  [key: string]: Value;
}

export type FlowArray = Value[];

export type Value =
  | undefined
  | null
  | boolean
  | number
  | string
  | FlowObject
  | FlowArray
  | Closure
  | NativeFunction
  | BoundMethod
  | Namespace
  | Handle;

/** Lexical environment holding the variables that closures capture. */
export class Env {
  constructor(
    public parent: Env | null,
    public slots: Value[],
  ) {}
}

/** A .flow function value: compiled function index + captured environment. */
export class Closure {
  /** Its `name` when only known at run time (`{ [key]: () => … }`); else the compiled one. */
  name: string | undefined = undefined;
  constructor(
    public readonly fn: number,
    public readonly env: Env | null,
  ) {}
}

/**
 * A built-in function, identified by a stable id such as "Math.max" or "parseInt".
 * The id is what the saved state records; the implementation is looked up in the registry.
 */
export class NativeFunction {
  constructor(public readonly id: string) {}
}

/** A built-in method read off a value without calling it at once (`const f = arr.push`). */
export class BoundMethod {
  constructor(
    public readonly id: string,
    public readonly receiver: Value,
  ) {}
}

/** A non-callable built-in namespace such as `Math`, `JSON`, `Task`. */
export class Namespace {
  constructor(public readonly id: string) {}
}

export type HandleState = "pending" | "fulfilled" | "rejected";

/**
 * A promise-like handle. Host handles (task, workflow, timer, signal) are settled by the host
 * between activations; the others (async function results, combinators) by the machine itself.
 */
export class Handle {
  state: HandleState = "pending";
  value: Value = undefined;
  /** Reactions run, in order, as microtasks when the handle settles. */
  reactions: Reaction[] = [];
  /** Set once anything subscribed to a rejection (JS "handled" flag). */
  handled = false;
  /** Host settlements applied together share a batch number (0: settled by the machine). Only
   *  meaningful within the activation that settled it, so it is not saved. */
  batch = 0;
  constructor(
    public readonly id: number,
    public readonly kind: HandleKind,
    /** Kind-specific data: task name, combinator inputs, … (plain Values only). */
    public data: Value = null,
  ) {}
}

export type HandleKind = "task" | "workflow" | "timer" | "signal" | "promise" | "all" | "allSettled" | "any" | "race";

/**
 * What happens when a handle settles. Kept as plain records (no host closures) so they can
 * be saved. `fiber` resumes a suspended stack; `combine` feeds a Promise.* combinator;
 * `adopt` resolves one promise with another's outcome (an async function returning a handle).
 */
export type Reaction =
  { kind: "fiber"; fiber: FiberRef } | { kind: "combine"; target: Handle; index: number } | { kind: "adopt"; target: Handle };

/** A stack of the interpreter (defined by the machine; values only need its identity). */
export interface FiberRef {
  readonly id: number;
}

/** A thrown .flow value travelling through host code (natives, the interpreter loop). */
export class FlowThrow extends Error {
  constructor(public readonly value: Value) {
    super("flow exception");
  }
}

/**
 * A limit failure (instructions, state size, call depth, activation time or memory). It is not a FlowThrow on purpose:
 * `catch` in .flow code never sees it; it fails the execution.
 */
export class LimitExceeded extends Error {
  constructor(
    public readonly limit: "instructions" | "stateSize" | "callDepth" | "time" | "memory",
    message: string,
  ) {
    super(message);
  }
}

/**
 * The value of a let/const binding before its declaration runs (the temporal dead zone).
 * Never visible to programs: reading it throws a ReferenceError.
 */
export const UNINITIALIZED = Object.freeze(Object.create(null) as object) as unknown as Value;

/** Arrays that were given named (non-index) properties; only these need their keys saved. */
export const arraysWithNamedProperties = new WeakSet<Value[]>();

/** Creates a null-prototype .flow object. */
export function newObject(): FlowObject {
  return Object.create(null) as FlowObject;
}

export function isFlowObject(v: unknown): v is FlowObject {
  return typeof v === "object" && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === null;
}

export function isCallable(v: Value): v is Closure | NativeFunction | BoundMethod {
  return v instanceof Closure || v instanceof NativeFunction || v instanceof BoundMethod;
}

/** The error object shape of SPEC §2.2: `{ name, type, message }` with name === type. */
export function makeError(type: string, message: string, extra?: Record<string, Value>): FlowObject {
  const e = newObject();
  e.name = type;
  e.type = type;
  e.message = message;
  if (extra) for (const k of Object.keys(extra)) e[k] = extra[k];
  return e;
}

export function throwError(type: string, message: string): never {
  throw new FlowThrow(makeError(type, message));
}

export function throwTypeError(message: string): never {
  return throwError("TypeError", message);
}

export function throwRangeError(message: string): never {
  return throwError("RangeError", message);
}

/** Services the interpreter offers to native functions. */
export interface NativeContext {
  /** Calls a .flow function (or native) synchronously and returns its result; rethrows FlowThrow. */
  call(fn: Value, thisValue: Value, args: Value[]): Value;
  /** Largest string length / array length a native may create (derived from the state size limit). */
  readonly maxValueLength: number;
  /** Charges work (instructions) and memory (bytes) to the activation's budgets (stdlib/cost.ts). */
  spend(work: number, bytes: number): void;
  /** Largest payload (task or child inputs, the workflow's output) in bytes of JSON; none when absent. */
  readonly maxPayloadBytes?: number;
  /** A closure's `length` (its parameters before the first default or rest), from the program. */
  functionLength(fn: Closure): number;
}

/** A native implementation. `thisValue` is the receiver for methods, undefined otherwise. */
export type NativeImpl = (ctx: NativeContext, thisValue: Value, args: Value[]) => Value;
