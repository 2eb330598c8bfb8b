// Durations inside the language: a bad one is a TypeError at the call (the rule is shared with the
// API and `rhythm check`: src/shared/durations.ts).

import { readDuration } from "../shared/durations.js";
import { throwTypeError, type Value } from "./values.js";

/** Milliseconds of a duration argument; `what` names it in the TypeError a bad value gets. */
export function durationMs(v: Value, what: string): number {
  const r = readDuration(v, what);
  return r.ok ? r.ms : throwTypeError(r.message);
}
