// The base of every public error: a stable `code` callers can branch on. It lives in the leaf that
// every layer may import; the client re-exports it with the errors of the public API.

export class RhythmError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A value given to the API (or the CLI) that cannot be used: refused before anything is written. */
export class InvalidArgumentError extends RhythmError {
  constructor(message: string) {
    super("INVALID_ARGUMENT", message);
  }
}
