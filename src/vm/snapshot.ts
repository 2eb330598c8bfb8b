// Saving and restoring the interpreter state. The live graph (objects, arrays, closures,
// environments, handles, stacks) becomes a flat heap of entries that refer to each other by
// index, so aliasing and cycles survive JSON. Only what the live stacks can reach is written:
// this is also how a pending host handle nothing can observe any more is found (and dropped).

import { canonicalNamespace, canonicalNative } from "./globals.js";
import { stringProblem } from "../shared/json-check.js";
import { Fiber, HOST_KINDS, type Frame } from "./fiber.js";
import type { Machine } from "./machine.js";
import {
  arraysWithNamedProperties,
  BoundMethod,
  Closure,
  Env,
  Handle,
  Namespace,
  NativeFunction,
  UNINITIALIZED,
  newObject,
  type FlowObject,
  type HandleKind,
  type HandleState,
  type Reaction,
  type Value,
} from "./values.js";

export const STATE_FORMAT = 1;

/**
 * An encoded value: JSON primitives as themselves, everything else tagged. A string Postgres
 * cannot store in JSON (U+0000, a lone surrogate) is kept as its JSON text, `{ j: "\"a\\u0000\"" }`.
 */
export type Encoded =
  string | number | boolean | null | { r: number } | { u: 0 } | { z: 0 } | { n: string } | { j: string } | { h: 0 };

/** An array's hole (a `JSON.parse` reviver's `undefined` deletes an element): kept across a save. */
const HOLE = { h: 0 } as const;

/** Cheap first test: most strings have neither NUL nor any surrogate at all. */
const MAYBE_UNSTORABLE = /[\u0000\ud800-\udfff]/;

function storable(s: string): string | { j: string } {
  return MAYBE_UNSTORABLE.test(s) && stringProblem(s) !== null ? { j: JSON.stringify(s) } : s;
}

export interface SavedState {
  format: typeof STATE_FORMAT;
  nextId: number;
  /** Heap index of the main promise, the Inputs and Context objects, and the live stacks. */
  main: number;
  inputs: number;
  context: number;
  fibers: number[];
  heap: unknown[][];
  /** Log lines the execution kept so far (for the maxRunLogLines cap); absent when none. */
  logLines?: number;
}

type HeapObject = object;

/** Thrown inside the encoder once the state is certain to exceed the limit. */
class TooLarge {}

class Encoder {
  readonly ids = new Map<HeapObject, number>();
  readonly objects: HeapObject[] = [];
  readonly reachableHost = new Set<number>();
  /**
   * A lower bound of the saved state's JSON size in bytes, counted while encoding so that a
   * state over the limit is refused before its JSON text is ever made (300 references to one
   * 2 MB string would otherwise be 600 MB of text).
   */
  size = 0;

  constructor(private readonly maxBytes: number) {}

  ref(o: HeapObject): number {
    let id = this.ids.get(o);
    if (id === undefined) {
      id = this.objects.length;
      this.ids.set(o, id);
      this.objects.push(o);
    }
    return id;
  }

  value(v: Value): Encoded {
    switch (typeof v) {
      case "string":
        // checked at once: the check for unstorable characters reads the whole string
        if ((this.size += v.length + 2) > this.maxBytes) throw new TooLarge();
        return storable(v);
      case "boolean":
        this.size += 4;
        return v;
      case "number":
        if (Number.isFinite(v) && !Object.is(v, -0)) return v;
        return { n: Object.is(v, -0) ? "-0" : String(v) };
      case "undefined":
        return { u: 0 };
      default:
        this.size += 1;
        if (v === null) return null;
        if (v === UNINITIALIZED) return { z: 0 };
        return { r: this.ref(v) };
    }
  }

  values(vs: Value[]): Encoded[] {
    const out = new Array<Encoded>(vs.length);
    for (let i = 0; i < vs.length; i++) {
      const v = vs[i];
      out[i] = v === undefined && !(i in vs) ? HOLE : this.value(v);
    }
    this.size += vs.length;
    return out;
  }

  optRef(o: HeapObject | null): number | null {
    return o === null ? null : this.ref(o);
  }

  entry(o: HeapObject): unknown[] {
    if (Array.isArray(o)) {
      if (!arraysWithNamedProperties.has(o)) return ["a", this.values(o)];
      const named = Object.keys(o).filter((k) => !/^(0|[1-9]\d*)$/.test(k));
      const flat: Encoded[] = [];
      for (const k of named) flat.push(storable(k), this.value((o as unknown as Record<string, Value>)[k]));
      return ["a", this.values(o), flat];
    }
    if (o instanceof Closure) {
      const env = this.optRef(o.env);
      return o.name === undefined ? ["c", o.fn, env] : ["c", o.fn, env, storable(o.name)];
    }
    if (o instanceof Env) return ["e", this.optRef(o.parent), this.values(o.slots)];
    if (o instanceof Handle) {
      if (HOST_KINDS.has(o.kind) && o.state === "pending") this.reachableHost.add(o.id);
      const reactions = o.reactions.map((r) =>
        r.kind === "fiber"
          ? ["f", this.ref(r.fiber)]
          : r.kind === "combine"
            ? ["c", this.ref(r.target), r.index]
            : ["a", this.ref(r.target)],
      );
      return ["h", o.id, o.kind, o.state, this.value(o.value), this.value(o.data), reactions, o.handled ? 1 : 0];
    }
    if (o instanceof Fiber) {
      return ["F", o.id, this.ref(o.promise), this.optRef(o.awaiting), this.values(o.stack), o.frames.map((f) => this.frame(f))];
    }
    if (o instanceof NativeFunction) return ["f", o.id];
    if (o instanceof BoundMethod) return ["b", o.id, this.value(o.receiver)];
    if (o instanceof Namespace) return ["n", o.id];
    // a .flow object: keys and values flat, in property order
    const flat: Encoded[] = [];
    for (const k of Object.keys(o)) {
      this.size += k.length + 3;
      flat.push(storable(k), this.value((o as FlowObject)[k]));
    }
    return ["o", flat];
  }

  private frame(f: Frame): unknown[] {
    return [
      f.fn,
      f.pc,
      this.optRef(f.env),
      this.values(f.locals),
      this.values(f.args),
      this.ref(f.callee),
      f.handlers.map((h) => [h.pc, h.sp, this.optRef(h.env)]),
      f.base,
      f.boundary ? 1 : 0,
    ];
  }
}

/** A saved state, or how large it was found to be before encoding stopped. */
export type SaveResult =
  { state: SavedState; reachableHost: Set<number>; bytes: number } | { state: undefined; bytes: number; atLeast: boolean };

/** Saves the machine's state; stops early (no state) once it is certain to exceed `maxBytes`. */
export function saveState(m: Machine, maxBytes = Infinity): SaveResult {
  const enc = new Encoder(maxBytes);
  try {
    return encode(m, enc, maxBytes);
  } catch (e) {
    if (e instanceof TooLarge) return { state: undefined, bytes: enc.size, atLeast: true };
    throw e;
  }
}

function encode(m: Machine, enc: Encoder, maxBytes: number): SaveResult {
  const main = enc.ref(m.main);
  const inputs = enc.ref(m.globals.Inputs as FlowObject);
  const context = enc.ref(m.globals.Context as FlowObject);
  const fibers = [...m.fibers].map((f) => enc.ref(f));
  const heap: unknown[][] = [];
  // The object list grows while it is walked: a worklist without recursion, so deeply nested
  // values cannot overflow the host stack.
  for (let i = 0; i < enc.objects.length; i++) {
    heap.push(enc.entry(enc.objects[i]));
    if (enc.size > maxBytes) return { state: undefined, bytes: enc.size, atLeast: true };
  }
  const state: SavedState = { format: STATE_FORMAT, nextId: m.nextId, main, inputs, context, fibers, heap };
  if (m.logs.runLines > 0) state.logLines = m.logs.runLines;
  const bytes = Buffer.byteLength(JSON.stringify(state));
  if (bytes > maxBytes) return { state: undefined, bytes, atLeast: false };
  return { state, reachableHost: enc.reachableHost, bytes };
}

export interface RestoredState {
  main: Handle;
  inputs: FlowObject;
  context: FlowObject;
  fibers: Fiber[];
  pendingHost: Handle[];
  nextId: number;
  logLines: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function restoreState(state: SavedState): RestoredState {
  if (state?.format !== STATE_FORMAT) {
    throw new Error(`saved state has format ${String(state?.format)}; this version reads format ${STATE_FORMAT}`);
  }
  const heap = state.heap;
  // Phase 1: an empty shell for every entry, so references can be resolved in any order.
  const shells: HeapObject[] = heap.map((e) => {
    switch (e[0]) {
      case "a":
        return [];
      case "o":
        return newObject();
      case "c":
        return new Closure(e[1] as number, null);
      case "e":
        return new Env(null, []);
      case "h":
        return new Handle(e[1] as number, e[2] as HandleKind);
      case "F":
        return new Fiber(e[1] as number, null as unknown as Handle);
      case "f":
        return canonicalNative(e[1] as string);
      case "b":
        return new BoundMethod(e[1] as string, undefined);
      case "n":
        return canonicalNamespace(e[1] as string);
      default:
        throw new Error(`saved state: unknown heap entry "${String(e[0])}"`);
    }
  });
  const val = (x: unknown): Value => {
    if (x === null || typeof x !== "object") return x as Value;
    const o = x as Record<string, unknown>;
    if ("r" in o) return shells[o.r as number] as Value;
    if ("u" in o) return undefined;
    if ("z" in o) return UNINITIALIZED;
    if ("n" in o) return o.n === "-0" ? -0 : Number(o.n);
    if ("j" in o) return JSON.parse(o.j as string) as string;
    if ("h" in o) return undefined; // a hole outside an array (never written) reads as undefined
    throw new Error("saved state: bad value encoding");
  };
  const key = (x: unknown): string => (typeof x === "string" ? x : (JSON.parse((x as { j: string }).j) as string));
  const vals = (xs: unknown): Value[] => (xs as unknown[]).map(val);
  const optRef = <T>(x: unknown): T | null => (x === null ? null : (shells[x as number] as T));
  const pendingHost: Handle[] = [];
  // Phase 2: fill the shells.
  heap.forEach((e, i) => {
    const o = shells[i];
    switch (e[0]) {
      case "a": {
        const arr = o as Value[];
        for (const x of e[1] as unknown[]) {
          if (typeof x === "object" && x !== null && "h" in x) arr.length++;
          else arr.push(val(x));
        }
        const named = (e[2] ?? []) as unknown[];
        for (let j = 0; j < named.length; j += 2) {
          Object.defineProperty(o, key(named[j]), {
            value: val(named[j + 1]),
            writable: true,
            enumerable: true,
            configurable: true,
          });
          arraysWithNamedProperties.add(o as Value[]);
        }
        break;
      }
      case "o": {
        const flat = e[1] as unknown[];
        for (let j = 0; j < flat.length; j += 2) (o as FlowObject)[key(flat[j])] = val(flat[j + 1]);
        break;
      }
      case "c":
        (o as Mutable<Closure>).env = optRef<Env>(e[2]);
        if (e[3] !== undefined) (o as Closure).name = key(e[3]);
        break;
      case "e":
        (o as Env).parent = optRef<Env>(e[1]);
        (o as Env).slots = vals(e[2]);
        break;
      case "h": {
        const h = o as Handle;
        h.state = e[3] as HandleState;
        h.value = val(e[4]);
        h.data = val(e[5]);
        h.reactions = (e[6] as unknown[][]).map((r): Reaction => {
          if (r[0] === "f") return { kind: "fiber", fiber: shells[r[1] as number] as Fiber };
          if (r[0] === "c") return { kind: "combine", target: shells[r[1] as number] as Handle, index: r[2] as number };
          return { kind: "adopt", target: shells[r[1] as number] as Handle };
        });
        h.handled = e[7] === 1;
        if (HOST_KINDS.has(h.kind) && h.state === "pending") pendingHost.push(h);
        break;
      }
      case "F": {
        const f = o as Mutable<Fiber>;
        f.promise = shells[e[2] as number] as Handle;
        f.awaiting = optRef<Handle>(e[3]);
        f.stack = vals(e[4]);
        f.frames = (e[5] as unknown[][]).map((x): Frame => ({
          fn: x[0] as number,
          pc: x[1] as number,
          env: optRef<Env>(x[2]),
          locals: vals(x[3]),
          args: vals(x[4]),
          callee: shells[x[5] as number] as Closure,
          handlers: (x[6] as number[][]).map((h) => ({ pc: h[0], sp: h[1], env: optRef<Env>(h[2]) })),
          base: x[7] as number,
          boundary: x[8] === 1,
        }));
        break;
      }
      case "b":
        (o as Mutable<BoundMethod>).receiver = val(e[2]);
        break;
    }
  });
  return {
    main: shells[state.main] as Handle,
    inputs: shells[state.inputs] as FlowObject,
    context: shells[state.context] as FlowObject,
    fibers: state.fibers.map((i) => shells[i] as Fiber),
    pendingHost,
    nextId: state.nextId,
    logLines: state.logLines ?? 0,
  };
}
