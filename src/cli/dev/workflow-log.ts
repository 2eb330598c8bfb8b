// What `rhythm dev` says about the workflows its worker runs, from the worker's events (one line
// each, on stderr): started, console lines with their file:line, suspended on what and where (said
// again only when that changes: a Promise.all woken by each of its tasks would repeat itself),
// completed with the output, failed with the error and where it was thrown.

import type { WorkflowEvent } from "../../worker/events.js";
import { note } from "../engine-client.js";
import { shortVersion } from "../format-execution.js";

/** Longest output or error shown on one line; the rest is in `rhythm get`. */
const MAX_SHOWN = 300;

export function workflowLog(command: string): (event: WorkflowEvent) => void {
  const lastWaits = new Map<string, string>();
  return (e) => {
    const who = `workflow ${e.workflow} ${e.executionId}`;
    switch (e.type) {
      case "started":
        note(command, `${who} started (version ${shortVersion(e.version)})`);
        return;
      case "log":
        note(command, `${who} console.${e.level} at ${e.file}:${e.line}: ${e.message}`);
        return;
      case "suspended": {
        const waits = e.waits.map((w) => `${w.description} at ${e.file}:${w.line}:${w.column} (in ${w.function})`).join("; ");
        if (lastWaits.get(e.executionId) === waits) return;
        lastWaits.set(e.executionId, waits);
        note(command, `${who} suspended: waiting on ${waits}`);
        return;
      }
      case "completed":
        lastWaits.delete(e.executionId);
        note(command, `${who} completed: ${shown(JSON.stringify(e.output) ?? "null")}`);
        return;
      case "failed":
        lastWaits.delete(e.executionId);
        note(command, `${who} failed: ${shown(errorText(e.error))}${e.errorAt ? ` at ${e.errorAt}` : ""}`);
        return;
    }
  };
}

function shown(text: string): string {
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
}

function errorText(error: unknown): string {
  if (error !== null && typeof error === "object") {
    const { name, message } = error as { name?: unknown; message?: unknown };
    if (typeof message === "string") return typeof name === "string" ? `${name}: ${message}` : message;
  }
  return JSON.stringify(error) ?? String(error);
}
