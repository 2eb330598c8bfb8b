// Postgres failures by kind, from their SQLSTATE (and the driver's socket codes): "the database
// could not be reached or went away" (the same work may be tried again once it is back), "the
// server is there but cannot do this now" (transient), and the conflicts a transaction retries.

const CONNECTION_CODES = new Set([
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

/** Conflicts between concurrent transactions: the same transaction, run again, goes through. */
const CONFLICT_CODES = new Set([
  "40001", // serialization_failure
  "40P01", // deadlock_detected
]);

const TRANSIENT_CODES = new Set([
  "57014", // query_canceled: statement_timeout, or pg_cancel_backend
  "55P03", // lock_not_available: lock_timeout
  ...CONFLICT_CODES, // when the store's own retries ran out
]);

function codeOf(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "";
}

export function isConnectionError(e: unknown): boolean {
  const code = codeOf(e);
  if (code.startsWith("08") || CONNECTION_CODES.has(code)) return true;
  // pg reports a socket closed under it, or a connect that timed out ("timeout expired"), with no code
  const message = (e as { message?: unknown } | null)?.message;
  return (
    typeof message === "string" &&
    /Connection terminated|connection timeout|timeout expired|Client has encountered a connection error/i.test(message)
  );
}

/**
 * SQLSTATE class 22 (data exception: a value out of a column's range, say) or 54 (program limit
 * exceeded): the database refuses the data itself, and would refuse the same write again.
 */
export function isDataError(e: unknown): boolean {
  const code = codeOf(e);
  return code.startsWith("22") || code.startsWith("54");
}

/** A serialization failure or a deadlock: the transaction may simply be run again. */
export function isConflict(e: unknown): boolean {
  return CONFLICT_CODES.has(codeOf(e));
}

/**
 * A connection error, or a statement the server could not complete for now: SQLSTATE class 53
 * (insufficient resources: disk full 53100, out of memory 53200, too many connections 53300), a
 * statement or lock timeout, a serialization failure or deadlock. Never class 22/54 (the data
 * itself is refused, and would be refused again) nor a constraint violation.
 */
export function isTransientError(e: unknown): boolean {
  if (isConnectionError(e)) return true;
  const code = codeOf(e);
  return code.startsWith("53") || TRANSIENT_CODES.has(code);
}

/**
 * Why a connection could not be opened, when the server or the network said so: the database
 * does not exist (3D000), the server refused the user (class 28), or nothing usable answered.
 * Null for anything else (a statement's own failure, a bug).
 */
export type ConnectFailure =
  | { kind: "database-not-found" }
  | { kind: "auth"; reason: "password" | "refused" }
  | { kind: "unreachable"; reason: "refused" | "dns" | "timeout" | "no-route" | "starting" | "closed" };

export function connectFailure(e: unknown): ConnectFailure | null {
  const code = codeOf(e);
  if (code === "3D000") return { kind: "database-not-found" }; // invalid_catalog_name
  if (code === "28P01") return { kind: "auth", reason: "password" }; // invalid_password
  if (code.startsWith("28")) return { kind: "auth", reason: "refused" }; // no such role, no pg_hba.conf entry
  if (code === "ECONNREFUSED") return { kind: "unreachable", reason: "refused" };
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return { kind: "unreachable", reason: "dns" };
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH") return { kind: "unreachable", reason: "no-route" };
  if (code === "57P03") return { kind: "unreachable", reason: "starting" }; // cannot_connect_now
  const message = (e as { message?: unknown } | null)?.message;
  if (code === "ETIMEDOUT" || (typeof message === "string" && /connection timeout|timeout expired/i.test(message)))
    return { kind: "unreachable", reason: "timeout" };
  if (isConnectionError(e)) return { kind: "unreachable", reason: "closed" };
  return null;
}
