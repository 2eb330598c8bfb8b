// How `rhythm run` shows a result to a person.

import type { RunFileResult } from "../testing/index.js";
import { formatInspection } from "./format-inspection.js";

export function formatResult(file: string, r: RunFileResult): string {
  const lines: string[] = [];
  for (const l of r.logs) lines.push(`  log  ${l.workflow}:${l.line}  ${l.message}`);
  if (r.taskCalls.length > 0) {
    lines.push("tasks called:");
    for (const c of r.taskCalls) lines.push(`  ${c.name} ${JSON.stringify(c.inputs)}`);
  }
  if (r.status === "completed") lines.push(`completed: ${JSON.stringify(r.output, null, 2)}`);
  else if (r.status === "failed") {
    const e = r.error as { type?: string; message?: string } | null;
    lines.push(`failed: ${e?.type ?? "Error"}: ${e?.message ?? JSON.stringify(r.error)}`);
    if (r.errorAt) lines.push(`  at ${r.errorAt}`);
    lines.push(JSON.stringify(r.error, null, 2));
  } else {
    lines.push("suspended: the workflow waits for something that never happens in this run:");
    for (const w of r.waits) lines.push(`  ${w.description} at ${file}:${w.line}:${w.column} (in ${w.function})`);
  }
  if (r.inspection) {
    const when = r.status === "failed" ? "at its last pause, before it failed" : "where it is paused";
    lines.push(
      "",
      `${when}:`,
      ...formatInspection(r.inspection)
        .split("\n")
        .map((l) => (l ? `  ${l}` : l)),
    );
  }
  return lines.join("\n");
}
