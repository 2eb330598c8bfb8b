// Errors that mean "the database could not be reached or went away", as opposed to a statement it
// refused: what failed this way may be tried again once the server is back.

const CODES = new Set(["57P01", "57P02", "57P03", "ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "ENOTFOUND"]);

export function isConnectionError(e: unknown): boolean {
  const err = e as { code?: unknown; message?: unknown } | null;
  const code = typeof err?.code === "string" ? err.code : "";
  if (code.startsWith("08") || CODES.has(code)) return true;
  // pg reports a socket closed under it with no code
  return (
    typeof err?.message === "string" &&
    /Connection terminated|connection timeout|Client has encountered a connection error/i.test(err.message)
  );
}
