// How `rhythm inspect` shows a .flow value: as JSON that says exactly what the value is (plain
// JSON data stays itself; what JSON cannot say — undefined, NaN, -0, the dead zone, functions,
// handles, cut values, cycles and shared references — is an object tagged `$type`), and as one
// line of text for people. Bounded: long strings, big arrays and objects, deep nesting are cut
// with a marker, so a huge variable cannot make the inspection huge.

import { Closure, BoundMethod, Handle, Namespace, NativeFunction, UNINITIALIZED, isFlowObject, type Value } from "./values.js";

/** How much of each value is shown. */
export interface ShowLimits {
  /** Characters of a string (default 200). */
  maxString: number;
  /** Items of an array or keys of an object (default 50). */
  maxItems: number;
  /** Nesting levels below the variable (default 5). */
  maxDepth: number;
  /** Strings, numbers and containers shown per variable, in all (default 400). */
  maxNodes: number;
}

export const DEFAULT_SHOW_LIMITS: ShowLimits = { maxString: 200, maxItems: 50, maxDepth: 5, maxNodes: 400 };

/** A value as inspection shows it (JSON). See the file's opening comment. */
export type Shown = null | boolean | number | string | Shown[] | { [key: string]: Shown };

/** What the host knows of one of its handles (the store: the execution a task or child is). */
export interface HostHandleInfo {
  /** Execution id of the task or child workflow. */
  id?: string;
  /** When a timer fires, or a signal wait times out (ISO). */
  until?: string;
}

/** A handle as inspection describes it. */
export interface HandleView {
  kind: string;
  handle: number;
  state: "pending" | "fulfilled" | "rejected";
  name?: string;
  id?: string;
  until?: string;
}

/** Describes a handle: its kind, name, state, and what the host says of it. */
export function handleView(h: Handle, host?: (handle: number) => HostHandleInfo | undefined): HandleView {
  const data = isFlowObject(h.data) ? h.data : null;
  const view: HandleView = { kind: h.kind, handle: h.id, state: h.state };
  if (typeof data?.name === "string") view.name = data.name;
  const at = h.kind === "timer" ? data?.at : h.kind === "signal" ? data?.timeoutAt : undefined;
  if (typeof at === "number" && Number.isFinite(at)) view.until = new Date(at).toISOString();
  const info = host?.(h.id);
  if (info?.id !== undefined) view.id = info.id;
  if (info?.until !== undefined) view.until = info.until;
  return view;
}

/**
 * Shows values one variable at a time; a value met again (in the same or a later variable) is
 * shown as a reference to where it was first shown, numbered once everything is shown.
 */
export class ValueShower {
  private readonly limits: ShowLimits;
  /** Containers already shown → the node that shows them (before `simplify`, always tagged). */
  private readonly seen = new Map<object, { [key: string]: Shown }>();
  /** Reference nodes waiting for the number of their target. */
  private readonly refs: { node: { [key: string]: Shown }; target: object }[] = [];
  private nodes = 0;

  constructor(
    limits: Partial<ShowLimits> = {},
    private readonly host?: (handle: number) => HostHandleInfo | undefined,
    /** The compiled name of a closure's function (JavaScript's `name`). */
    private readonly functionName: (fn: number) => string = () => "",
  ) {
    this.limits = { ...DEFAULT_SHOW_LIMITS, ...limits };
  }

  /** Shows one variable's value. Call {@link finish} once every value is shown. */
  show(v: Value): Shown {
    this.nodes = 0;
    return this.value(v, 0, new Set());
  }

  /** Numbers the values shown more than once, in the order they were first shown. */
  finish(): void {
    const numbers = new Map<object, number>();
    for (const r of this.refs) {
      let n = numbers.get(r.target);
      if (n === undefined) {
        n = numbers.size + 1;
        numbers.set(r.target, n);
        this.seen.get(r.target)!.ref = n;
      }
      r.node.ref = n;
    }
  }

  private value(v: Value, depth: number, path: Set<object>): Shown {
    this.nodes++;
    switch (typeof v) {
      case "string":
        return v.length <= this.limits.maxString
          ? v
          : { $type: "string", text: cutString(v, this.limits.maxString), length: v.length };
      case "boolean":
        return v;
      case "number":
        if (Number.isFinite(v) && !Object.is(v, -0)) return v;
        return { $type: "number", value: Object.is(v, -0) ? "-0" : String(v) };
      case "undefined":
        return { $type: "undefined" };
    }
    if (v === null) return null;
    if (v === UNINITIALIZED) return { $type: "uninitialized" };
    if (v instanceof Closure) return { $type: "function", name: v.name ?? this.functionName(v.fn) };
    if (v instanceof NativeFunction || v instanceof BoundMethod) return { $type: "function", name: v.id };
    if (v instanceof Namespace) return { $type: "namespace", name: v.id };
    if (v instanceof Handle) return { $type: "handle", ...handleView(v, this.host) } as Shown;
    const o = v as object;
    const first = this.seen.get(o);
    if (first) {
      const node: { [key: string]: Shown } = { $type: path.has(o) ? "circular" : "shared", ref: 0 };
      this.refs.push({ node, target: o });
      return node;
    }
    return Array.isArray(o) ? this.array(o as Value[], depth, path) : this.object(o as Record<string, Value>, depth, path);
  }

  private array(a: Value[], depth: number, path: Set<object>): Shown {
    const named = Object.keys(a).filter((k) => !/^(0|[1-9]\d*)$/.test(k));
    const node: { [key: string]: Shown } = { $type: "array", items: [], length: a.length };
    if (depth >= this.limits.maxDepth) return node;
    this.seen.set(a, node);
    path.add(a);
    const items: Shown[] = [];
    const n = Math.min(a.length, this.limits.maxItems);
    for (let i = 0; i < n && this.nodes < this.limits.maxNodes; i++) items.push(this.value(a[i], depth + 1, path));
    node.items = items;
    if (named.length > 0) {
      const props: { [key: string]: Shown } = {};
      for (const k of named.slice(0, this.limits.maxItems)) {
        if (this.nodes >= this.limits.maxNodes) break;
        setKey(props, k, this.value((a as unknown as Record<string, Value>)[k], depth + 1, path));
      }
      node.props = props;
    }
    path.delete(a);
    return node;
  }

  private object(o: Record<string, Value>, depth: number, path: Set<object>): Shown {
    const keys = Object.keys(o);
    const node: { [key: string]: Shown } = { $type: "object", entries: {}, keys: keys.length };
    if (depth >= this.limits.maxDepth) return node;
    this.seen.set(o, node);
    path.add(o);
    const entries: { [key: string]: Shown } = {};
    const n = Math.min(keys.length, this.limits.maxItems);
    for (let i = 0; i < n && this.nodes < this.limits.maxNodes; i++)
      setKey(entries, keys[i], this.value(o[keys[i]], depth + 1, path));
    node.entries = entries;
    path.delete(o);
    return node;
  }
}

/**
 * Gives `o` an own property `k`, whatever `k` is: a .flow object may have a key "__proto__"
 * (from JSON inputs), which plain assignment would take as the prototype.
 */
export function setKey(o: { [key: string]: Shown }, k: string, v: Shown): void {
  Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
}

/** The first `max` characters, not splitting a surrogate pair. */
function cutString(s: string, max: number): string {
  const code = s.charCodeAt(max - 1);
  return s.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

/**
 * Turns the tagged array and object nodes that need no tag (complete, not referenced again, no
 * `$type` key of their own) into plain JSON arrays and objects.
 */
export function simplify(v: Shown): Shown {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
  const t = v.$type;
  if (t === "array") {
    const items = (v.items as Shown[]).map(simplify);
    if (v.ref !== undefined || v.props !== undefined || items.length < (v.length as number)) {
      const out: { [key: string]: Shown } = { ...v, items };
      if (v.props !== undefined)
        out.props = Object.fromEntries(Object.entries(v.props as object).map(([k, x]) => [k, simplify(x as Shown)]));
      return out;
    }
    return items;
  }
  if (t === "object") {
    const entries = v.entries as { [key: string]: Shown };
    const keys = Object.keys(entries);
    const simple: { [key: string]: Shown } = {};
    for (const k of keys) setKey(simple, k, simplify(entries[k]));
    if (v.ref !== undefined || keys.length < (v.keys as number) || "$type" in entries) return { ...v, entries: simple };
    return simple;
  }
  return v;
}

// ── text for people ─────────────────────────────────────────────────────────────────────────

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** One line of text for a shown value (`{ id: 7, tags: ["a", "b"], … 3 more }`, `[task "charge" pending]`). */
export function showText(v: Shown): string {
  if (v === null || typeof v !== "object") return typeof v === "string" ? JSON.stringify(v) : String(v);
  if (Array.isArray(v)) return `[${v.map(showText).join(", ")}]`;
  if (!("$type" in v) || typeof v.$type !== "string") return objectText(v, Object.keys(v).length);
  const ref = typeof v.ref === "number" && v.$type !== "circular" && v.$type !== "shared" ? `<ref *${v.ref}> ` : "";
  switch (v.$type) {
    case "undefined":
      return "undefined";
    case "uninitialized":
      return "<uninitialized>";
    case "number":
      return String(v.value);
    case "string": {
      const more = (v.length as number) - (v.text as string).length;
      return `${JSON.stringify(v.text)}… (${more} more characters)`;
    }
    case "function":
      return v.name === "" ? "[function (anonymous)]" : `[function ${String(v.name)}]`;
    case "namespace":
      return `[${String(v.name)}]`;
    case "handle":
      return `[${handleText(v)}]`;
    case "circular":
      return `[Circular *${String(v.ref)}]`;
    case "shared":
      return `[Shared *${String(v.ref)}]`;
    case "array": {
      const items = v.items as Shown[];
      const length = v.length as number;
      if (items.length === 0 && length > 0 && v.props === undefined) return `${ref}[Array(${length})]`;
      const parts = items.map(showText);
      if (items.length < length) parts.push(`… ${length - items.length} more`);
      if (v.props) for (const [k, x] of Object.entries(v.props as object)) parts.push(`${keyText(k)}: ${showText(x as Shown)}`);
      return `${ref}[${parts.join(", ")}]`;
    }
    case "object": {
      const entries = v.entries as { [key: string]: Shown };
      const keys = v.keys as number;
      if (Object.keys(entries).length === 0 && keys > 0) return `${ref}[Object: ${keys} ${keys === 1 ? "key" : "keys"}]`;
      return ref + objectText(entries, keys);
    }
    default:
      return objectText(v, Object.keys(v).length);
  }
}

function objectText(entries: { [key: string]: Shown }, total: number): string {
  const parts = Object.entries(entries).map(([k, x]) => `${keyText(k)}: ${showText(x)}`);
  if (parts.length < total) parts.push(`… ${total - parts.length} more`);
  return parts.length === 0 ? "{}" : `{ ${parts.join(", ")} }`;
}

function keyText(k: string): string {
  return IDENTIFIER.test(k) ? k : JSON.stringify(k);
}

const KIND_TEXT: Record<string, string> = {
  workflow: "child workflow",
  all: "Promise.all",
  allSettled: "Promise.allSettled",
  any: "Promise.any",
  race: "Promise.race",
};

/** `task "charge" pending`, `timer until 2026-01-01T00:00:10.000Z pending`, `promise fulfilled` … */
export function handleText(h: { [key: string]: Shown } | HandleView): string {
  const kind = KIND_TEXT[String(h.kind)] ?? String(h.kind);
  const name = typeof h.name === "string" ? ` ${JSON.stringify(h.name)}` : "";
  const until = typeof h.until === "string" ? ` until ${h.until}` : "";
  return `${kind}${name}${until} ${String(h.state)}`;
}
