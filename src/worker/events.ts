// What a worker tells its `onEvent` listener about the workflows it runs, once an activation's
// step has committed (a step run again after a deadlock reports once, a stale claim not at all):
// started, the console lines it wrote, then suspended (on what, at which line), completed, or
// failed (where the error was thrown). Built from what the activation already holds: no read.

import type { ActivationWrite } from "../store/types.js";

/** Which workflow an event is about. */
interface About {
  executionId: string;
  workflow: string;
  version: string;
  /** The .flow file it was compiled from, as deployed (`workflows/onboard_user.flow`). */
  file: string;
}

export type WorkflowEvent = About &
  (
    | { type: "started" }
    | { type: "log"; level: string; message: string; line: number }
    | { type: "suspended"; waits: { description: string; function: string; line: number; column: number }[] }
    | { type: "completed"; output: unknown }
    | {
        type: "failed";
        error: unknown;
        /** Where a thrown error was thrown: "file:line:col (function)"; null when not known. */
        errorAt: string | null;
      }
  );

/** What an activation's events need besides its write. */
export interface ActivationFacts {
  workflow: string;
  version: string;
  file: string;
  /** It ran from the workflow's first line (no saved state). */
  first: boolean;
  errorAt: string | null;
}

/** The events of one committed activation, in order. */
export function workflowEvents(write: ActivationWrite, facts: ActivationFacts): WorkflowEvent[] {
  const about: About = { executionId: write.id, workflow: facts.workflow, version: facts.version, file: facts.file };
  const events: WorkflowEvent[] = [];
  if (facts.first) events.push({ ...about, type: "started" });
  for (const l of write.logs) events.push({ ...about, type: "log", level: l.level, message: l.message, line: l.line });
  const o = write.outcome;
  if (o.status === "suspended") {
    const waits = (o.waits as { description: string; function: string; line: number; column: number }[]).map(
      ({ description, function: fn, line, column }) => ({ description, function: fn, line, column }),
    );
    events.push({ ...about, type: "suspended", waits });
  } else if (o.status === "completed") events.push({ ...about, type: "completed", output: o.output });
  else events.push({ ...about, type: "failed", error: o.error, errorAt: facts.errorAt });
  return events;
}
