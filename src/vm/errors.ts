// The error values hosts hand to the machine when a task or a child workflow fails (SPEC §2.2),
// built in one place so the engine and the in-memory tester agree on their shape.

import { printable, toJsonData } from "../shared/json-check.js";

/** `await` of a failed task throws this: its message is the task's own error message. */
export function taskErrorJson(task: string, attempts: number, cause: unknown): Record<string, unknown> {
  const message = isRecord(cause) && typeof cause.message === "string" ? cause.message : String(cause);
  return { name: "TaskError", type: "TaskError", message, task, attempts, cause };
}

/** `await` of a failed child workflow throws this, wrapping the child's error. */
export function workflowErrorJson(workflow: string, childId: string | null, cause: unknown): Record<string, unknown> {
  const inner = isRecord(cause) && typeof cause.message === "string" ? cause.message : String(cause);
  return {
    name: "WorkflowError",
    type: "WorkflowError",
    message: `workflow "${workflow}" failed: ${inner}`,
    workflow,
    executionId: childId,
    cause,
  };
}

/** Longest error message kept, in characters; and the most bytes of JSON kept for any other field. */
const MAX_MESSAGE_CHARS = 64 * 1024;
const MAX_FIELD_BYTES = 64 * 1024;

/**
 * Normalizes whatever a task handler threw into plain error data that can always be stored:
 * `{ name, message, ...its own fields }`. A thrown non-error value gives `{ name: "Error",
 * message: String(value), value }`. A field that is not JSON (a cycle, a BigInt, a socket) or is
 * very large is replaced by a note saying so, so the attempt's failure is always recorded.
 */
export function errorData(e: unknown): Record<string, unknown> {
  let fields: [string, unknown][];
  try {
    fields = rawFields(e);
  } catch (x) {
    fields = [
      ["name", "Error"],
      ["message", `the task threw a value that could not be read (${describe(x)})`],
    ];
  }
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of fields) {
    if (k === "message") {
      const text = printable(typeof v === "string" ? v : describe(v));
      out.message =
        text.length > MAX_MESSAGE_CHARS
          ? `${text.slice(0, MAX_MESSAGE_CHARS)}… (${text.length - MAX_MESSAGE_CHARS} more characters)`
          : text;
      continue;
    }
    const r = toJsonData(v);
    if (!r.ok) out[k] = `[not stored: ${r.problem}]`;
    else if (r.bytes > MAX_FIELD_BYTES) out[k] = `[not stored: ${r.bytes} bytes of JSON]`;
    else out[k] = r.data;
  }
  out.name = typeof out.name === "string" ? printable(out.name) : "Error";
  return { ...out };
}

function rawFields(e: unknown): [string, unknown][] {
  if (e instanceof Error) {
    const own = Object.entries(e).filter(([k]) => k !== "stack" && k !== "name" && k !== "message");
    return [["name", e.name], ["message", e.message], ...own];
  }
  if (isRecord(e)) {
    const own = Object.entries(e).filter(([k]) => k !== "name" && k !== "message");
    return [["name", typeof e.name === "string" ? e.name : "Error"], ["message", e.message ?? describeObject(e)], ...own];
  }
  return [
    ["name", "Error"],
    ["message", describe(e)],
    ["value", e],
  ];
}

/** String(value), or what JavaScript would print when the value's own toString fails. */
function describe(v: unknown): string {
  try {
    return String(v);
  } catch {
    return typeof v === "object" && v !== null ? "[object Object]" : typeof v;
  }
}

function describeObject(v: object): string {
  try {
    return JSON.stringify(v) ?? describe(v);
  } catch {
    return describe(v);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
