// The flow-control options of Task.run / Workflow.run that SPEC §9 adds: `debounce` (both) and a
// workflow's `timeout`. Checked at run time and by `rhythm check` on literals (vm/surface.ts),
// with the API's rules (client/flow-control-checks.ts), so the three refuse the same values.

import { durationMs } from "./durations.js";
import { isFlowObject, throwTypeError, type FlowObject, type Value } from "./values.js";

/** A debounce as the machine normalized it. */
export interface DebounceOption {
  key: string;
  delayMs: number;
  /** null: no cap (each start moves the run later by `delayMs`). */
  maxWaitMs: number | null;
}

const INT32_MAX = 2 ** 31 - 1;
const DEBOUNCE_FIELDS = ["key", "delay", "maxWait"];

type Known = (v: Value) => boolean;

/** `{ key, delay, maxWait? }`; `requireName` checks the key as queue names and idempotency keys are checked. */
export function debounceOption(
  v: Value,
  fn: string,
  known: Known,
  requireName: (v: Value, what: string) => string,
): DebounceOption | undefined {
  if (!isFlowObject(v)) return throwTypeError(`${fn}: option "debounce" must be an object { key, delay, maxWait? }`);
  const d = v as FlowObject;
  for (const k of Object.keys(d)) {
    if (!DEBOUNCE_FIELDS.includes(k)) throwTypeError(`${fn}: unknown debounce field "${k}" (allowed: key, delay, maxWait)`);
  }
  if (d.key === undefined) throwTypeError(`${fn}: option "debounce" needs a "key"`);
  if (d.delay === undefined) throwTypeError(`${fn}: option "debounce" needs a "delay"`);
  const given = (k: string): boolean => d[k] !== undefined && known(d[k]);
  if (!given("key") || !given("delay") || (d.maxWait !== undefined && !known(d.maxWait))) {
    // before running: check what is literal, the rest at run time
    if (given("key")) requireName(d.key, `${fn}: debounce.key`);
    if (given("delay")) limited(durationMs(d.delay, `${fn}: debounce.delay`), `${fn}: debounce.delay`);
    if (given("maxWait")) limited(durationMs(d.maxWait, `${fn}: debounce.maxWait`), `${fn}: debounce.maxWait`);
    return undefined;
  }
  const key = requireName(d.key, `${fn}: debounce.key`);
  const delayMs = limited(durationMs(d.delay, `${fn}: debounce.delay`), `${fn}: debounce.delay`);
  const maxWaitMs =
    d.maxWait === undefined ? null : limited(durationMs(d.maxWait, `${fn}: debounce.maxWait`), `${fn}: debounce.maxWait`);
  if (maxWaitMs !== null && maxWaitMs < delayMs)
    throwTypeError(`${fn}: debounce.maxWait (${maxWaitMs} ms) must be at least debounce.delay (${delayMs} ms)`);
  return { key, delayMs, maxWaitMs };
}

function limited(ms: number, what: string): number {
  if (ms > INT32_MAX) throwTypeError(`${what} is out of range: at most ${INT32_MAX} ms (about 24 days)`);
  return ms;
}

/** Debounce decides when the run starts and which execution a start is: no runAt, delay or idempotencyKey with it. */
export function refuseWithDebounce(o: FlowObject, fn: string): void {
  if (o.debounce === undefined) return;
  for (const k of ["runAt", "delay", "idempotencyKey"]) {
    if (o[k] !== undefined) throwTypeError(`${fn}: option "debounce" cannot be combined with "${k}"`);
  }
}
