// Concurrency keys and rate limits (SPEC §9) as every surface takes them — the API, `.flow`
// options, a task's registration, the CLI, the HTTP API — read by one set of rules. Each layer
// turns a problem into its own error (a .flow TypeError, an InvalidArgumentError) via `fail`.

import { readDuration } from "./durations.js";
import { stringProblem } from "./json-check.js";

/** `concurrency: { key, limit }`: at most `limit` (default 1) executions holding `key` at once. */
export interface ConcurrencyOption {
  key: string;
  limit?: number;
}

/** `rateLimit: { key, limit, per }`: at most `limit` starts per `per` (a duration) for `key`. */
export interface RateLimitOption {
  key: string;
  limit: number;
  per: number | string;
}

/** What is stored with an execution. */
export interface Concurrency {
  key: string;
  limit: number;
}

export interface RateLimit {
  key: string;
  limit: number;
  perMs: number;
}

/** Reports a bad value; never returns. */
export type Fail = (message: string) => never;

/** Which values are known (all of them at run time; only literals for `rhythm check`). */
export type KnownValue = (v: unknown) => boolean;

const ALL: KnownValue = () => true;

/** Keys travel in NOTIFY payloads and text columns: the rules of names. */
const MAX_KEY_LENGTH = 255;
/** Limits and windows are stored as 32-bit integers (windows in ms: about 24 days). */
const INT32_MAX = 2 ** 31 - 1;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function fields(v: unknown, what: string, allowed: string[], shape: string, fail: Fail): Record<string, unknown> {
  if (!isPlainObject(v)) return fail(`${what} must be an object ${shape}`);
  for (const k of Object.keys(v)) {
    if (!allowed.includes(k)) fail(`${what}: unknown field "${k}" (allowed: ${allowed.join(", ")})`);
  }
  return v;
}

function key(v: unknown, what: string, fail: Fail): string {
  if (typeof v !== "string" || v.trim() === "") return fail(`${what}.key must be a non-empty string`);
  if (v.length > MAX_KEY_LENGTH) fail(`${what}.key is ${v.length} characters long, over the limit of ${MAX_KEY_LENGTH}`);
  const problem = stringProblem(v);
  if (problem) fail(`${what}.key ${problem.replace(/ in JSON$/, "")}`);
  return v;
}

function limit(v: unknown, what: string, fail: Fail): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > INT32_MAX)
    return fail(`${what}.limit must be a whole number from 1 to ${INT32_MAX}`);
  return v;
}

/**
 * Reads `concurrency: { key, limit? }`. Fields not `known` are skipped (the key comes back as
 * null then); `what` names the option in messages ("task \"x\": concurrency").
 */
export function readConcurrency(
  v: unknown,
  what: string,
  fail: Fail,
  known: KnownValue = ALL,
): { key: string | null; limit: number } {
  const o = fields(v, what, ["key", "limit"], "{ key, limit }", fail);
  if (o.key === undefined) fail(`${what}.key is required`);
  const k = known(o.key) ? key(o.key, what, fail) : null;
  const l = o.limit === undefined || !known(o.limit) ? 1 : limit(o.limit, what, fail);
  return { key: k, limit: l };
}

/** Reads `rateLimit: { key, limit, per }` (all three required); unknown fields skipped as above. */
export function readRateLimit(
  v: unknown,
  what: string,
  fail: Fail,
  known: KnownValue = ALL,
): { key: string | null; limit: number | null; perMs: number | null } {
  const o = fields(v, what, ["key", "limit", "per"], "{ key, limit, per }", fail);
  for (const f of ["key", "limit", "per"]) if (o[f] === undefined) fail(`${what}.${f} is required`);
  const k = known(o.key) ? key(o.key, what, fail) : null;
  const l = known(o.limit) ? limit(o.limit, what, fail) : null;
  let perMs: number | null = null;
  if (known(o.per)) {
    const r = readDuration(o.per, `${what}.per`);
    if (!r.ok) fail(r.message);
    else perMs = r.ms;
    if (perMs !== null && (perMs < 1 || perMs > INT32_MAX))
      fail(`${what}.per must be from 1ms to ${INT32_MAX} ms (about 24 days)`);
  }
  return { key: k, limit: l, perMs };
}

/** The stored form of a concurrency option read at run time (every field known). */
export function concurrencyOf(v: unknown, what: string, fail: Fail): Concurrency {
  const r = readConcurrency(v, what, fail);
  return { key: r.key!, limit: r.limit };
}

/** The stored form of a rate limit read at run time (every field known). */
export function rateLimitOf(v: unknown, what: string, fail: Fail): RateLimit {
  const r = readRateLimit(v, what, fail);
  return { key: r.key!, limit: r.limit!, perMs: r.perMs! };
}
