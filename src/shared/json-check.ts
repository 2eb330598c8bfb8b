// What every JSON payload must be before it is written to Postgres: nested at most
// MAX_JSON_DEPTH levels (V8's recursive JSON.stringify overflows the host stack a few thousand
// levels down, and PGlite's parser a few thousand more), and free of strings jsonb refuses (the
// NUL character, lone UTF-16 surrogates). The walks here use explicit stacks, never recursion, so
// a value nested 100,000 levels deep is reported, not a crash. Used by the client (API inputs),
// the task runner (handler results), the machine (task inputs, workflow outputs) and errors.

import { isStackOverflow } from "./stack-overflow.js";

/** Deepest nesting of arrays and objects a payload may have (the outermost counts as 1). */
export const MAX_JSON_DEPTH = 1000;

/** Why Postgres cannot store `s` inside JSON, or null when it can. */
export function stringProblem(s: string): string | null {
  if (s.includes("\u0000")) return "contains the character U+0000, which Postgres cannot store in JSON";
  if (LONE_SURROGATE.test(s))
    return "contains a lone UTF-16 surrogate (half of a character), which Postgres cannot store in JSON";
  return null;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** `s` with U+0000 and lone surrogates shown as U+FFFD: for text meant to be read (logs, error messages). */
export function printable(s: string): string {
  return s.replace(UNSTORABLE, "\uFFFD");
}

/** A place in a value being walked; the path is built only when something is wrong there. */
export interface JsonPlace {
  parent: JsonPlace | null;
  key: string | number;
  depth: number;
}

export const ROOT: JsonPlace = { parent: null, key: "$", depth: 0 };

export function childPlace(parent: JsonPlace, key: string | number): JsonPlace {
  return { parent, key, depth: parent.depth + 1 };
}

/** `$.items[3].name`; a very deep path keeps its first and last steps. */
export function pathOf(place: JsonPlace): string {
  const steps: string[] = [];
  for (let p: JsonPlace | null = place; p && p.parent; p = p.parent) {
    steps.push(
      typeof p.key === "number" ? `[${p.key}]` : /^[A-Za-z_$][\w$]*$/.test(p.key) ? `.${p.key}` : `[${JSON.stringify(p.key)}]`,
    );
  }
  steps.reverse();
  if (steps.length > 12) return `$${steps.slice(0, 5).join("")}…${steps.slice(-5).join("")} (${steps.length} levels down)`;
  return `$${steps.join("")}`;
}

export function tooDeep(place: JsonPlace): string {
  return `${pathOf(place)} is nested more than ${MAX_JSON_DEPTH} levels deep (the limit for JSON payloads)`;
}

/**
 * The first problem in plain JSON data (as JSON.parse returns it) that Postgres would refuse or
 * that is nested too deeply, as "<path> <what is wrong>"; null when there is none.
 */
export function jsonDataProblem(data: unknown): string | null {
  const work: [unknown, JsonPlace][] = [[data, ROOT]];
  while (work.length > 0) {
    const [v, place] = work.pop()!;
    if (typeof v === "string") {
      const problem = stringProblem(v);
      if (problem) return `${pathOf(place)} ${problem}`;
      continue;
    }
    if (v === null || typeof v !== "object") continue;
    const depth = place.depth + 1;
    if (depth > MAX_JSON_DEPTH) return tooDeep(place);
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) work.push([v[i], childPlace(place, i)]);
      continue;
    }
    for (const k of Object.keys(v)) {
      const problem = stringProblem(k);
      if (problem) return `${pathOf(place)} has a key that ${problem}`;
      work.push([(v as Record<string, unknown>)[k], childPlace(place, k)]);
    }
  }
  return null;
}

/**
 * Where a value holds something JSON.stringify cannot write (a BigInt, a cycle), for a clearer
 * message than V8's; null when nothing is found. Values reached through toJSON are not followed.
 */
export function unwritableProblem(value: unknown): string | null {
  const onPath = new Set<object>();
  const work: ([unknown, JsonPlace] | { leave: object })[] = [[value, ROOT]];
  while (work.length > 0) {
    const item = work.pop()!;
    if (!Array.isArray(item)) {
      onPath.delete(item.leave);
      continue;
    }
    const [v, place] = item;
    if (typeof v === "bigint") return `${pathOf(place)} is a BigInt (write it as a string)`;
    if (v === null || typeof v !== "object") continue;
    if (onPath.has(v)) return `${pathOf(place)} refers back to an object that contains it (a cycle)`;
    if (place.depth + 1 > MAX_JSON_DEPTH) return tooDeep(place);
    if (typeof (v as { toJSON?: unknown }).toJSON === "function") continue;
    onPath.add(v);
    work.push({ leave: v });
    if (Array.isArray(v)) for (let i = v.length - 1; i >= 0; i--) work.push([v[i], childPlace(place, i)]);
    else for (const k of Object.keys(v)) work.push([(v as Record<string, unknown>)[k], childPlace(place, k)]);
  }
  return null;
}

/**
 * A value as JSON.stringify would write it (Dates as ISO strings, undefined and functions left
 * out, NaN as null), returned as plain data with its size in bytes; or the reason it cannot be
 * written or stored.
 */
export function toJsonData(value: unknown): { ok: true; data: unknown; bytes: number } | { ok: false; problem: string } {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (e) {
    let found: string | null = null;
    try {
      found = unwritableProblem(value);
    } catch {
      // a getter that throws: V8's message below says what happened
    }
    if (found) return { ok: false, problem: found };
    if (isStackOverflow(e)) return { ok: false, problem: `$ is nested too deeply (the limit is ${MAX_JSON_DEPTH} levels)` };
    return { ok: false, problem: e instanceof Error ? e.message : String(e) };
  }
  if (text === undefined) return { ok: true, data: null, bytes: 4 };
  const data: unknown = JSON.parse(text);
  const problem = jsonDataProblem(data);
  if (problem) return { ok: false, problem };
  return { ok: true, data, bytes: Buffer.byteLength(text) };
}
