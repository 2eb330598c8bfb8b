// Cron ticks in time zones (shared/cron.ts over croner), against a reference: for interval jobs
// (a wildcard or step in the hour), every instant whose wall-clock time in the zone matches the
// fields, found minute by minute with Intl — so a spring-forward gap has no tick and a fall-back
// hour has both; for fixed-time jobs on the transition days of Europe/London and America/New_York
// (2026), the times Vixie cron gives, written out: after the gap, and once in a repeated hour.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { checkCron, dueTicks, nextTick, nextTicks, type CronSpec } from "../../src/shared/cron.js";

/** The wall-clock fields of `t` in `timezone`. */
function wallClock(t: Date, timezone: string): { minute: number; hour: number; day: number; month: number; weekday: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone: timezone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      weekday: "short",
    })
      .formatToParts(t)
      .map((p) => [p.type, p.value]),
  );
  const weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  return {
    minute: Number(parts.minute),
    hour: Number(parts.hour),
    day: Number(parts.day),
    month: Number(parts.month),
    weekday: weekdays.indexOf(parts.weekday),
  };
}

/** One field of a 5-field expression: *, *\/n, a, a-b, or a list of those. */
function fieldMatches(field: string, v: number): boolean {
  return field.split(",").some((part) => {
    const [range, step] = part.split("/");
    const [lo, hi] =
      range === "*" ? [0, 59] : range.includes("-") ? range.split("-").map(Number) : [Number(range), step ? 59 : Number(range)];
    return v >= lo && v <= hi && (v - lo) % Number(step ?? 1) === 0;
  });
}

/** The reference: every minute in [from, to) whose wall clock matches. */
function referenceTicks(cron: string, timezone: string, from: Date, to: Date): string[] {
  const [mi, h, d, mo, wd] = cron.split(" ");
  const out: string[] = [];
  for (let t = from.getTime(); t < to.getTime(); t += 60_000) {
    const c = wallClock(new Date(t), timezone);
    if (
      fieldMatches(mi, c.minute) &&
      fieldMatches(h, c.hour) &&
      fieldMatches(d, c.day) &&
      fieldMatches(mo, c.month) &&
      fieldMatches(wd, c.weekday)
    )
      out.push(new Date(t).toISOString());
  }
  return out;
}

/** The ticks the library gives in [from, to). */
function ticksBetween(spec: CronSpec, from: Date, to: Date): string[] {
  const out: string[] = [];
  for (let t = nextTick(spec, new Date(from.getTime() - 1)); t && t < to; t = nextTick(spec, t)) out.push(t.toISOString());
  return out;
}

// Three days around each 2026 transition (UTC): the transition is on the middle day.
const TRANSITIONS = [
  { timezone: "Europe/London", day: "2026-03-29", what: "spring forward 01:00 → 02:00" },
  { timezone: "Europe/London", day: "2026-10-25", what: "fall back 02:00 → 01:00" },
  { timezone: "America/New_York", day: "2026-03-08", what: "spring forward 02:00 → 03:00" },
  { timezone: "America/New_York", day: "2026-11-01", what: "fall back 02:00 → 01:00" },
];

const INTERVAL_JOBS = ["*/30 * * * *", "0 * * * *", "15 */2 * * *", "45 1-3 * * *", "0,20,40 * * * 0"];

describe("cron ticks in time zones", () => {
  for (const { timezone, day, what } of TRANSITIONS)
    test(`interval jobs agree with the wall-clock reference: ${timezone} ${day} (${what})`, () => {
      const from = new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000);
      const to = new Date(Date.parse(`${day}T00:00:00Z`) + 2 * 86_400_000);
      for (const cron of INTERVAL_JOBS)
        assert.deepEqual(
          ticksBetween({ cron, timezone }, from, to),
          referenceTicks(cron, timezone, from, to),
          `${cron} in ${timezone}`,
        );
    });

  const fixed: [string, CronSpec, string, string[]][] = [
    // 01:30 does not exist on 29 March in London: the tick comes at 02:00 BST (01:00Z), after the gap
    [
      "London, a fixed time in the gap",
      { cron: "30 1 * * *", timezone: "Europe/London" },
      "2026-03-28T00:00:00Z",
      ["2026-03-28T01:30:00.000Z", "2026-03-29T01:00:00.000Z", "2026-03-30T00:30:00.000Z"],
    ],
    // 01:30 happens twice on 25 October: once, at the first (BST)
    [
      "London, a fixed time in the repeated hour",
      { cron: "30 1 * * *", timezone: "Europe/London" },
      "2026-10-24T00:00:00Z",
      ["2026-10-24T00:30:00.000Z", "2026-10-25T00:30:00.000Z", "2026-10-26T01:30:00.000Z"],
    ],
    [
      "New York, a fixed time in the gap",
      { cron: "30 2 * * *", timezone: "America/New_York" },
      "2026-03-07T00:00:00Z",
      ["2026-03-07T07:30:00.000Z", "2026-03-08T07:00:00.000Z", "2026-03-09T06:30:00.000Z"],
    ],
    [
      "New York, a fixed time in the repeated hour",
      { cron: "30 1 * * *", timezone: "America/New_York" },
      "2026-10-31T00:00:00Z",
      ["2026-10-31T05:30:00.000Z", "2026-11-01T05:30:00.000Z", "2026-11-02T06:30:00.000Z"],
    ],
    // a fixed time away from the transition keeps its wall-clock time across it
    [
      "New York, 09:00 every day across the change",
      { cron: "0 9 * * *", timezone: "America/New_York" },
      "2026-03-07T00:00:00Z",
      ["2026-03-07T14:00:00.000Z", "2026-03-08T13:00:00.000Z", "2026-03-09T13:00:00.000Z"],
    ],
  ];
  for (const [name, spec, from, expected] of fixed)
    test(`fixed-time jobs on transition days: ${name}`, () => {
      assert.deepEqual(
        nextTicks(spec, new Date(from), 3).map((t) => t.toISOString()),
        expected,
      );
    });

  test("six fields: leading seconds", () => {
    assert.deepEqual(
      nextTicks({ cron: "*/20 * * * * *", timezone: "UTC" }, new Date("2026-01-01T00:00:05Z"), 3).map((t) => t.toISOString()),
      ["2026-01-01T00:00:20.000Z", "2026-01-01T00:00:40.000Z", "2026-01-01T00:01:00.000Z"],
    );
  });

  test("bad expressions and zones are refused", () => {
    for (const cron of ["* * * *", "* * * * * * *", "60 * * * *", "* 24 * * *", "x * * * *", ""])
      assert.throws(() => checkCron({ cron, timezone: "UTC" }), { code: "INVALID_ARGUMENT" }, cron);
    assert.throws(() => checkCron({ cron: "* * * * *", timezone: "Nowhere/Town" }), { code: "INVALID_ARGUMENT" });
    checkCron({ cron: "0 9 * * 1-5", timezone: "Asia/Kolkata" });
  });

  test("due ticks: every tick in [from, now], the most recent up to a limit", () => {
    const spec = { cron: "0 * * * *", timezone: "UTC" };
    const from = new Date("2026-01-01T00:00:00Z");
    const now = new Date("2026-01-01T05:30:00Z");
    const all = dueTicks(spec, from, now, 100);
    assert.deepEqual(
      all.ticks.map((t) => t.getUTCHours()),
      [0, 1, 2, 3, 4, 5],
    );
    assert.equal(all.more, false);
    const two = dueTicks(spec, from, now, 2);
    assert.deepEqual(
      two.ticks.map((t) => t.getUTCHours()),
      [4, 5],
    );
    assert.equal(two.more, true);
    // a year behind on an every-second schedule: the last ticks, found without walking the year
    const far = dueTicks({ cron: "* * * * * *", timezone: "UTC" }, new Date("2025-01-01T00:00:00Z"), now, 3);
    assert.deepEqual(
      far.ticks.map((t) => t.toISOString()),
      ["2026-01-01T05:29:58.000Z", "2026-01-01T05:29:59.000Z", "2026-01-01T05:30:00.000Z"],
    );
    assert.equal(far.more, true);
    assert.deepEqual(dueTicks(spec, new Date("2026-01-01T06:00:00Z"), now, 5).ticks, []);
  });
});
