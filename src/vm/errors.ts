// The error values hosts hand to the machine when a task or a child workflow fails (SPEC §2.2),
// built in one place so the engine and the in-memory tester agree on their shape.

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

/** Normalizes whatever a task handler threw into plain error data. */
export function errorData(e: unknown): Record<string, unknown> {
  if (e instanceof Error) {
    const out: Record<string, unknown> = { name: e.name, message: e.message };
    for (const [k, v] of Object.entries(e)) if (k !== "stack") out[k] = v;
    return out;
  }
  if (isRecord(e)) return { name: "Error", message: String(e.message ?? JSON.stringify(e)), ...e };
  return { name: "Error", message: String(e), value: e as unknown };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
