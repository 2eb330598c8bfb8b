// Cron expressions for schedules, read by croner (zero dependencies; time zones through Intl, DST
// as Vixie cron: a fixed time in a spring-forward gap runs at the first valid time after it, a
// fixed time that occurs twice runs once, interval jobs skip the gap and run in both repeats).
// 5 fields (minute precision) or 6 (leading seconds).

import { Cron } from "croner";
import { InvalidArgumentError } from "./rhythm-error.js";

/** A cron expression in a time zone, checked. */
export interface CronSpec {
  cron: string;
  timezone: string;
}

function pattern(spec: CronSpec): Cron {
  return new Cron(spec.cron, { timezone: spec.timezone, mode: "5-or-6-parts" });
}

/** Throws InvalidArgumentError for a cron expression or time zone that cannot be used. */
export function checkCron(spec: CronSpec): void {
  if (typeof spec.cron !== "string" || !/^\S+(\s+\S+){4,5}$/.test(spec.cron.trim()))
    throw new InvalidArgumentError(
      `cron must have 5 fields (minute hour day month weekday) or 6 (seconds first), got ${JSON.stringify(spec.cron)}`,
    );
  checkTimezone(spec.timezone);
  try {
    pattern(spec);
  } catch (e) {
    throw new InvalidArgumentError(`cron ${JSON.stringify(spec.cron)} is not valid: ${(e as Error).message}`);
  }
}

function checkTimezone(tz: unknown): void {
  try {
    if (typeof tz !== "string" || tz === "") throw new Error();
    new Intl.DateTimeFormat("en", { timeZone: tz });
  } catch {
    throw new InvalidArgumentError(`timezone must be an IANA time zone such as "Europe/London", got ${JSON.stringify(tz)}`);
  }
}

/** The first tick strictly after `after`; null when the expression has none (e.g. 30 February). */
export function nextTick(spec: CronSpec, after: Date): Date | null {
  return pattern(spec).nextRun(after);
}

/** The next `n` ticks strictly after `after`. */
export function nextTicks(spec: CronSpec, after: Date, n: number): Date[] {
  return pattern(spec).nextRuns(n, after);
}

/**
 * The ticks due in [from, now], oldest first: at most the `limit` most recent (`more`: older
 * ones were left out). Walked forward from `from`, so the ticks are those nextTick gives.
 */
export function dueTicks(spec: CronSpec, from: Date, now: Date, limit: number): { ticks: Date[]; more: boolean } {
  const cron = pattern(spec);
  const ticks: Date[] = [];
  let more = false;
  // forward from just before `from` (a tick itself); a long outage jumps to the last ticks
  let t = cron.nextRun(new Date(from.getTime() - 1));
  let walked = 0;
  while (t && t.getTime() <= now.getTime()) {
    if (++walked > 10 * limit + 1000) {
      // far behind: the most recent ticks, found backwards from now
      const recent = cron
        .previousRuns(limit, new Date(now.getTime() + 1))
        .filter((r) => r.getTime() <= now.getTime())
        .reverse();
      return { ticks: recent, more: true };
    }
    ticks.push(t);
    if (ticks.length > limit) {
      ticks.shift();
      more = true;
    }
    t = cron.nextRun(t);
  }
  return { ticks, more };
}
