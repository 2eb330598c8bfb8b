// Task mocks of SPEC §5 (`mocks.json`): `{ returns }`, `{ fails }`, `{ echo: true }`, or a list of
// those used one per call (the last repeats). Tests may also give a plain function.

import { errorData } from "../vm/errors.js";
import { toJsonData } from "../shared/json-check.js";

export type MockEntry = { returns: unknown } | { fails: { message: string; [k: string]: unknown } } | { echo: true };

export interface MockContext {
  executionId: string;
  attempt: number;
  parentId: string | null;
}

export type TaskHandlerMock = (inputs: unknown, ctx: MockContext) => unknown;

export type TaskMock = MockEntry | MockEntry[] | TaskHandlerMock;

export type TaskOutcome = { ok: true; value: unknown } | { ok: false; error: Record<string, unknown> };

/** Checks a parsed mocks.json; returns a message for the first problem, or null. */
export function mocksProblem(data: unknown): string | null {
  if (typeof data !== "object" || data === null || Array.isArray(data))
    return "the mocks file must hold a JSON object of task name → mock";
  for (const [name, mock] of Object.entries(data)) {
    const entries = Array.isArray(mock) ? mock : [mock];
    if (entries.length === 0) return `mock for task "${name}" is an empty list`;
    for (const e of entries) {
      const ok =
        typeof e === "object" &&
        e !== null &&
        Object.keys(e).length === 1 &&
        ("returns" in e ||
          ("echo" in e && e.echo === true) ||
          ("fails" in e && typeof e.fails === "object" && e.fails !== null && typeof e.fails.message === "string"));
      if (!ok)
        return `mock for task "${name}" must be { "returns": value }, { "fails": { "message": "…" } }, { "echo": true } or a list of those`;
    }
  }
  return null;
}

/** The outcome of the `count`-th call (0-based) of a task. */
export async function mockOutcome(
  mock: TaskMock | undefined,
  name: string,
  inputs: unknown,
  count: number,
  ctx: MockContext,
): Promise<TaskOutcome> {
  if (mock === undefined) {
    return { ok: false, error: { name: "Error", message: `no mock for task "${name}" (add one to the mocks file)` } };
  }
  if (typeof mock === "function") {
    let value: unknown;
    try {
      value = await mock(inputs, ctx);
    } catch (e) {
      return { ok: false, error: errorData(e) };
    }
    // as the engine stores a handler's result: written as JSON, or the attempt fails at once
    const r = toJsonData(value);
    if (r.ok) return { ok: true, value: r.data };
    const message = `task "${name}" returned a result that cannot be stored as JSON: ${r.problem}`;
    return { ok: false, error: { name: "InvalidTaskResultError", message, code: "INVALID_TASK_RESULT", nonRetryable: true } };
  }
  const entry = Array.isArray(mock) ? mock[Math.min(count, mock.length - 1)] : mock;
  if ("returns" in entry) return { ok: true, value: entry.returns };
  if ("echo" in entry) return { ok: true, value: inputs };
  return { ok: false, error: { name: "Error", ...entry.fails } };
}
