// Durations as the language accepts them: a number of seconds, or a string of number+unit parts
// ("500ms", "10s", "5m", "24h", "7d", "1h30m"). Returns milliseconds.

import { throwTypeError, type Value } from "./values.js";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;

/** Longest duration: 1,000 years (what comes after it must still be a time Postgres can store). */
export const MAX_DURATION_MS = 1000 * 365.25 * 86_400_000;

/** Parses a duration; `what` names the argument in the TypeError a bad value gets. */
export function durationMs(v: Value, what: string): number {
  const ms = parse(v, what);
  if (ms > MAX_DURATION_MS) throwTypeError(`${what} is out of range: at most 1000 years`);
  return ms;
}

function parse(v: Value, what: string): number {
  if (typeof v === "number") {
    if (!Number.isFinite(v) || v < 0) throwTypeError(`${what} must be a non-negative number of seconds, got ${v}`);
    return Math.round(v * 1000);
  }
  if (typeof v === "string") {
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
    if (text.length > 0 && matched === text.length) return Math.round(total);
  }
  return throwTypeError(
    `${what} must be a duration such as 30 (seconds), "500ms", "10s", "5m", "24h", "7d" or "1h30m", got ${typeof v === "string" ? JSON.stringify(v) : typeof v}`,
  );
}
