// Errors that mean "the database could not be reached or went away", as opposed to a statement it
// refused: what failed this way may be tried again once the server is back. And the wider set of
// transient errors: the server is there but cannot do the work right now (disk full, a statement
// timeout); the same write, tried again later, succeeds.

import { RhythmError } from "./rhythm-error.js";

const CODES = new Set([
  "57P01", // admin_shutdown: pg_terminate_backend, a fast or immediate shutdown
  "57P02", // crash_shutdown: another backend crashed, every session is ended
  "57P03", // cannot_connect_now: the server is starting or in recovery
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN", // DNS did not answer in time
]);

export function isConnectionError(e: unknown): boolean {
  const err = e as { code?: unknown; message?: unknown } | null;
  const code = typeof err?.code === "string" ? err.code : "";
  if (code.startsWith("08") || CODES.has(code)) return true;
  // pg reports a socket closed under it, or a connect that timed out ("timeout expired"), with no code
  return (
    typeof err?.message === "string" &&
    /Connection terminated|connection timeout|timeout expired|Client has encountered a connection error/i.test(err.message)
  );
}

const TRANSIENT_CODES = new Set([
  "57014", // query_canceled: statement_timeout, or pg_cancel_backend
  "55P03", // lock_not_available: lock_timeout
  "40001", // serialization_failure, when the store's own retries ran out
  "40P01", // deadlock_detected, likewise
]);

/**
 * A connection error, or a statement the server could not complete for now: SQLSTATE class 53
 * (insufficient resources: disk full 53100, out of memory 53200, too many connections 53300), a
 * statement or lock timeout, a serialization failure or deadlock. Never class 22/54 (the data
 * itself is refused, and would be refused again) nor a constraint violation.
 */
export function isTransientError(e: unknown): boolean {
  if (isConnectionError(e)) return true;
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" && (code.startsWith("53") || TRANSIENT_CODES.has(code));
}

/** What a worker reports (onError) while it waits for a database it cannot use yet. */
export class DatabaseUnavailableError extends RhythmError {
  constructor(
    cause: unknown,
    /** When the next try is. */
    readonly retryInMs: number,
  ) {
    const reason = describe(cause);
    const what = isConnectionError(cause) ? "database unreachable" : "database unavailable";
    super("DATABASE_UNAVAILABLE", `${what} (${reason}), retrying in ${formatDelay(retryInMs)}`, { cause });
  }
}

/** Node reports a refused connection to a name with several addresses as an AggregateError with
 * no message of its own. */
function describe(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  if (e.message) return e.message;
  const first = (e as { errors?: unknown[] }).errors?.[0];
  if (first instanceof Error && first.message) return first.message;
  return (e as { code?: string }).code ?? e.name;
}

function formatDelay(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}
