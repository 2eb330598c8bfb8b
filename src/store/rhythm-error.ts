// The base of every public error: a stable `code` callers can branch on. It lives with the store,
// the lowest layer that raises one (DatabaseUnavailableError); the client re-exports it.

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
