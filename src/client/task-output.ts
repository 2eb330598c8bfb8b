// What a task handler returns becomes its output as JSON.stringify would write it (SPEC §2.2:
// Dates become ISO strings, undefined and functions are left out, NaN becomes null). What cannot
// be written or stored fails the attempt with InvalidTaskResultError, which is not retried.

import { toJsonData } from "../shared/json-check.js";
import { InvalidTaskResultError } from "./errors.js";

/** The handler's result as plain JSON data, or InvalidTaskResultError. */
export function checkedResult(value: unknown, task: string, maxBytes: number): unknown {
  const r = toJsonData(value);
  if (!r.ok) throw new InvalidTaskResultError(task, r.problem);
  if (r.bytes > maxBytes) throw new InvalidTaskResultError(task, `it is ${r.bytes} bytes of JSON, over the limit of ${maxBytes}`);
  return r.data;
}
