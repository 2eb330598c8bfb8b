// The signals a workflow waits for: from its signal waits, what inspect says it awaits, and the
// descriptions of its awaits.

import type { Execution, Inspection, Timeline } from "./api.js";

/** The signals the workflow waits for, from its waits and its await descriptions. */
export function signalNames(e: Execution, timeline: Timeline | null, inspection: Inspection | null): string[] {
  const names = new Set<string>();
  for (const w of timeline?.signalWaits ?? []) names.add(w.name);
  for (const a of inspection?.awaiting ?? []) if (a.kind === "signal" && a.name) names.add(a.name);
  for (const w of e.waitingOn ?? []) {
    const m = /signal "([^"]+)"/.exec(w.description);
    if (m) names.add(m[1]);
  }
  return [...names];
}
