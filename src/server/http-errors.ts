// Errors as the HTTP API answers them, at one boundary (app.onError): `{ error: { code, message } }`
// with the RhythmError's code and a status that fits it, the errors of the HTTP layer itself
// (auth, cross-site requests, content type, body size, bad JSON), and 503 while the database
// cannot be reached.

import { RhythmError } from "../client/errors.js";
import { isConnectionError, isTransientError } from "../store/connection-errors.js";

/** An error of the HTTP layer, with its status. */
export class ApiError extends RhythmError {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 503,
    code: string,
    message: string,
  ) {
    super(code, message);
  }
}

/** Statuses of RhythmError codes that the naming rule below would not give. */
const STATUS_OF_CODE: Record<string, number> = {
  INVALID_ARGUMENT: 400,
  // a name the workflow's version never waits on: the request does not fit its target
  UNKNOWN_SIGNAL: 400,
  EXECUTION_FINISHED: 409,
  NOT_A_WORKFLOW: 409,
  RETRY_REFUSED: 409,
  WAIT_TIMEOUT: 408,
  DATABASE_UNAVAILABLE: 503,
  DATABASE_ERROR: 503,
  DATABASE_IN_USE: 503,
};

export interface ErrorBody {
  error: { code: string; message: string };
}

/** The status and body of anything thrown by a route; `report` hears of the unexpected ones. */
export function errorResponse(e: unknown, report: (e: unknown) => void): { status: number; body: ErrorBody } {
  if (e instanceof ApiError) return { status: e.status, body: { error: { code: e.code, message: e.message } } };
  if (e instanceof RhythmError) {
    const status = STATUS_OF_CODE[e.code] ?? (e.code.endsWith("_NOT_FOUND") ? 404 : e.code.startsWith("INVALID_") ? 400 : 409);
    return { status, body: { error: { code: e.code, message: e.message } } };
  }
  if (isConnectionError(e) || isTransientError(e))
    return {
      status: 503,
      body: { error: { code: "DATABASE_UNAVAILABLE", message: "the database cannot be reached; try again" } },
    };
  report(e);
  // the details go to the server's log, not to whoever asked
  return { status: 500, body: { error: { code: "INTERNAL", message: "internal error (the server's log has the details)" } } };
}
