// Durations as every surface accepts them (the language, the API, the CLI): a number of seconds,
// or a string of number+unit parts ("500ms", "10s", "5m", "24h", "7d", "1h30m"). Each layer turns
// a problem into its own error: a .flow TypeError, an InvalidArgumentError, a check diagnostic.

import { InvalidArgumentError } from "./rhythm-error.js";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;

/** Longest duration: 1,000 years (what comes after it must still be a time Postgres can store). */
export const MAX_DURATION_MS = 1000 * 365.25 * 86_400_000;

export type DurationReading = { ok: true; ms: number } | { ok: false; message: string };

/** Reads a duration in milliseconds; `what` names the argument in the message of a bad value. */
export function readDuration(v: unknown, what: string): DurationReading {
  const ms = parse(v);
  if (ms === null)
    return {
      ok: false,
      message:
        typeof v === "number"
          ? `${what} must be a non-negative number of seconds, got ${v}`
          : `${what} must be a duration such as 30 (seconds), "500ms", "10s", "5m", "24h", "7d" or "1h30m", got ${typeof v === "string" ? JSON.stringify(v) : typeof v}`,
    };
  if (ms > MAX_DURATION_MS) return { ok: false, message: `${what} is out of range: at most 1000 years` };
  return { ok: true, ms };
}

function parse(v: unknown): number | null {
  if (typeof v === "number") return Number.isFinite(v) && v >= 0 ? Math.round(v * 1000) : null;
  if (typeof v !== "string") return null;
  const text = v.trim();
  let total = 0;
  PART.lastIndex = 0;
  let matched = 0;
  while (PART.lastIndex < text.length) {
    const m = PART.exec(text);
    if (!m) break;
    total += Number(m[1]) * UNIT_MS[m[2]];
    matched = PART.lastIndex;
  }
  return text.length > 0 && matched === text.length ? Math.round(total) : null;
}

/** A duration given to the API or the CLI: milliseconds, or an InvalidArgumentError. */
export function durationArgument(v: unknown, what: string): number {
  const r = readDuration(v, what);
  if (!r.ok) throw new InvalidArgumentError(r.message);
  return r.ms;
}
