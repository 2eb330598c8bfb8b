// A stand-in for the interpreter in stdlib tests: a NativeContext whose `call` runs host
// functions wrapped as Closure values, plus converters between host values and .flow values so
// a test can run the same input through real JavaScript and through our natives and compare.

import {
  BoundMethod,
  Closure,
  FlowThrow,
  NativeFunction,
  isFlowObject,
  newObject,
  type NativeContext,
  type Value,
} from "../../src/vm/values.js";
import { natives } from "../../src/vm/stdlib/index.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type HostFn = (...args: any[]) => unknown;

export interface FakeContext extends NativeContext {
  /** Wraps a host function as a .flow closure; its result is converted with toFlow. */
  fn(f: HostFn): Closure;
  /** The host function behind a closure made by `fn`. */
  hostFn(c: Closure): HostFn;
  /** Number of ctx.call invocations so far. */
  calls: number;
  /** Work (instructions) and bytes the natives charged so far. */
  spent: { work: number; bytes: number };
}

export function makeContext(maxValueLength = 1_000_000): FakeContext {
  const fns: HostFn[] = [];
  const ctx: FakeContext = {
    maxValueLength,
    calls: 0,
    spent: { work: 0, bytes: 0 },
    spend(work: number, bytes: number): void {
      ctx.spent.work += work;
      ctx.spent.bytes += bytes;
    },
    call(fn: Value, thisValue: Value, args: Value[]): Value {
      ctx.calls++;
      if (fn instanceof Closure) return toFlow(fns[fn.fn]!.call(thisValue, ...args), ctx);
      if (fn instanceof NativeFunction) return nativeImpl(fn.id)(ctx, thisValue, args);
      if (fn instanceof BoundMethod) return nativeImpl(fn.id)(ctx, fn.receiver, args);
      throw new Error("fake context: not callable");
    },
    fn(f: HostFn): Closure {
      fns.push(f);
      return new Closure(fns.length - 1, null);
    },
    hostFn(c: Closure): HostFn {
      return fns[c.fn]!;
    },
    functionLength(c: Closure): number {
      return fns[c.fn]!.length;
    },
  };
  return ctx;
}

export function nativeImpl(id: string) {
  const impl = natives.get(id);
  if (impl === undefined) throw new Error(`no native ${id}`);
  return impl;
}

/** Calls a native by id. */
export function callNative(ctx: NativeContext, id: string, thisValue: Value, ...args: Value[]): Value {
  return nativeImpl(id)(ctx, thisValue, args);
}

/** Host value → .flow value: objects lose their prototype, functions become closures. */
export function toFlow(v: unknown, ctx: FakeContext, seen = new Map<object, Value>()): Value {
  if (typeof v === "function") return ctx.fn(v as HostFn);
  if (v === null || typeof v !== "object") return v as Value;
  if (v instanceof Closure || v instanceof NativeFunction || v instanceof BoundMethod) return v;
  if (isFlowObject(v) || seen.has(v)) return seen.get(v) ?? (v as Value);
  if (Array.isArray(v)) {
    const arr: Value[] = new Array(v.length);
    seen.set(v, arr);
    for (let i = 0; i < v.length; i++) if (i in v) arr[i] = toFlow(v[i], ctx, seen);
    return arr;
  }
  const o = newObject();
  seen.set(v, o);
  for (const k of Object.keys(v)) o[k] = toFlow((v as Record<string, unknown>)[k], ctx, seen);
  return o;
}

/** .flow value → host value, for comparing with what real JavaScript produced. */
export function toHost(v: Value, ctx: FakeContext, seen = new Map<object, unknown>()): unknown {
  if (v instanceof Closure) return ctx.hostFn(v);
  if (v === null || typeof v !== "object") return v;
  if (seen.has(v)) return seen.get(v);
  if (Array.isArray(v)) {
    const arr: unknown[] = new Array(v.length);
    seen.set(v, arr);
    for (let i = 0; i < v.length; i++) if (i in v) arr[i] = toHost(v[i], ctx, seen);
    return arr;
  }
  if (!isFlowObject(v)) return v;
  const o: Record<string, unknown> = {};
  seen.set(v, o);
  for (const k of Object.keys(v)) {
    // a plain assignment of "__proto__" would set the prototype instead of making a key
    Object.defineProperty(o, k, { value: toHost(v[k], ctx, seen), enumerable: true, writable: true, configurable: true });
  }
  return o;
}

/** The outcome of running something: its value, or "Name: message" of what it threw. */
export type Outcome = { value: unknown } | { error: string };

export function hostOutcome(run: () => unknown): Outcome {
  try {
    return { value: run() };
  } catch (e) {
    const err = e as Error;
    return { error: `${err.name}: ${err.message}` };
  }
}

export function flowOutcome(ctx: FakeContext, run: () => Value): Outcome {
  try {
    return { value: toHost(run(), ctx) };
  } catch (e) {
    if (e instanceof FlowThrow) {
      const err = e.value as { name: string; message: string };
      return { error: `${err.name}: ${err.message}` };
    }
    throw e;
  }
}

/**
 * Short printable form of a test input or callback argument, the same for a host value and its
 * .flow twin (functions and closures both print as <function>; toJSON is never called).
 */
export function show(v: unknown): string {
  return showIn(v, new Set());
}

function showIn(v: unknown, seen: Set<unknown>): string {
  if (typeof v === "function" || v instanceof Closure) return "<function>";
  if (v === undefined) return "<undefined>";
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  if (typeof v === "string") return JSON.stringify(v);
  if (v === null || typeof v !== "object") return String(v);
  if (seen.has(v)) return "<cycle>";
  seen.add(v);
  try {
    if (Array.isArray(v)) {
      const items: string[] = [];
      for (let i = 0; i < v.length; i++) items.push(i in v ? showIn(v[i], seen) : "<hole>");
      return `[${items.join(",")}]`;
    }
    if (v instanceof NativeFunction || v instanceof BoundMethod) return `<native ${v.id}>`;
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .map((k) => `${JSON.stringify(k)}:${showIn(o[k], seen)}`)
      .join(",")}}`;
  } finally {
    seen.delete(v);
  }
}
