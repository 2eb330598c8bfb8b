// What a worker reports while the database cannot be used; which failures count as that is
// decided by their SQLSTATE in src/shared/postgres-errors.ts (re-exported here for the store).

import { RhythmError } from "../shared/rhythm-error.js";
import { isConnectionError, isTransientError } from "../shared/postgres-errors.js";

export { isConnectionError, isTransientError };

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
