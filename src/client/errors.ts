// Every public error is a RhythmError with a stable `code`, so callers can branch on it.

import { closestName } from "../lang/suggest.js";
import { connectFailure } from "../shared/postgres-errors.js";
import { InvalidArgumentError, RhythmError } from "../shared/rhythm-error.js";

export { InvalidArgumentError, RhythmError };

export class WorkflowNotFoundError extends RhythmError {
  constructor(readonly workflow: string) {
    super(
      "WORKFLOW_NOT_FOUND",
      `no workflow named "${workflow}" is stored: deploy it (rhythm deploy) or start a worker that loads it`,
    );
  }
}

export class ExecutionNotFoundError extends RhythmError {
  constructor(readonly executionId: string) {
    super("EXECUTION_NOT_FOUND", `no execution with id "${executionId}"`);
  }
}

export class ExecutionFinishedError extends RhythmError {
  constructor(
    readonly executionId: string,
    readonly status: string,
  ) {
    super("EXECUTION_FINISHED", `execution ${executionId} has already finished (${status})`);
  }
}

export class NotAWorkflowError extends RhythmError {
  constructor(
    readonly executionId: string,
    why = "only workflows take signals",
  ) {
    super("NOT_A_WORKFLOW", `execution ${executionId} is a task; ${why}`);
  }
}

/** A workflow with no saved state to read: not run yet, or finished (its state is kept while it is paused). */
export class NothingToInspectError extends RhythmError {
  constructor(
    readonly executionId: string,
    reason: string,
  ) {
    super("NOTHING_TO_INSPECT", `execution ${executionId} cannot be inspected: ${reason}`);
  }
}

/**
 * A signal whose name the workflow's version never waits on (every wait names its signal
 * literally, and none of them this one): refused, naming those it does wait on.
 */
export class UnknownSignalError extends RhythmError {
  constructor(
    readonly executionId: string,
    readonly workflow: string,
    readonly signal: string,
    /** The names the workflow's version waits on. */
    readonly names: string[],
  ) {
    const near = closestName(signal, names);
    const waits = names.length === 0 ? "it waits on no signal" : `it waits on ${names.map((n) => `"${n}"`).join(", ")}`;
    super(
      "UNKNOWN_SIGNAL",
      `workflow ${workflow} (${executionId}) never waits on a signal named "${signal}": ${waits}` +
        (near ? ` — did you mean "${near}"?` : "") +
        " (to send it anyway: force: true, rhythm signal --force)",
    );
  }
}

/** retryTask of an execution that is not a failed task no workflow waits for (nothing was changed). */
export class RetryRefusedError extends RhythmError {
  constructor(
    readonly executionId: string,
    reason: string,
  ) {
    super("RETRY_REFUSED", `execution ${executionId} cannot be retried: ${reason}`);
  }
}

export class WaitTimeoutError extends RhythmError {
  constructor(
    readonly executionId: string,
    readonly timeoutMs: number,
  ) {
    super("WAIT_TIMEOUT", `execution ${executionId} did not finish within ${timeoutMs} ms`);
  }
}

export class DatabaseInUseError extends RhythmError {
  constructor(message: string) {
    super("DATABASE_IN_USE", message);
  }
}

export class DatabaseError extends RhythmError {
  constructor(message: string, cause: unknown) {
    super("DATABASE_ERROR", message, { cause });
  }
}

/**
 * Thrown by a task handler to fail the task at once, without retries.
 * `throw new NonRetryableError("card declined")`
 */
export class NonRetryableError extends Error {
  readonly nonRetryable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "NonRetryableError";
  }
}

/**
 * A task handler returned something that cannot be stored as its output (a BigInt, a cycle, a
 * value nested too deeply, a string Postgres refuses, or more bytes than the payload limit). The
 * attempt fails at once: running the handler again would return the same thing.
 */
export class InvalidTaskResultError extends NonRetryableError {
  readonly code = "INVALID_TASK_RESULT";
  constructor(
    readonly task: string,
    problem: string,
  ) {
    super(`task "${task}" returned a result that cannot be stored as JSON: ${problem}`);
    this.name = "InvalidTaskResultError";
  }
}

/** Where a connection went, for the messages of the errors below (never the password). */
export interface DatabaseTarget {
  host: string;
  port: number;
  database: string;
  user: string | null;
}

/**
 * Opening a connection failed for a reason the server or the network gave: the database does not
 * exist, the user was refused, or nothing usable answers. The message says what to do; `urlFrom`
 * names where the URL came from (`RHYTHM_DATABASE_URL`, the `databaseUrl` option, `--database-url`).
 */
export abstract class DatabaseConnectError extends RhythmError {
  constructor(
    code: string,
    problem: string,
    hint: string,
    readonly target: DatabaseTarget,
    readonly urlFrom: string,
    cause: unknown,
  ) {
    super(code, `${problem} — ${hint}`, { cause });
  }

  /** The same error with its hint naming another origin of the URL (the CLI's `--database-url`). */
  withUrlFrom(urlFrom: string): DatabaseConnectError {
    const Class = this.constructor as new (target: DatabaseTarget, urlFrom: string, cause: unknown) => DatabaseConnectError;
    return new Class(this.target, urlFrom, this.cause);
  }
}

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "::1"]);

function address(t: DatabaseTarget): string {
  return `${t.host.includes(":") ? `[${t.host}]` : t.host}:${t.port}`;
}

/** `database "x" does not exist on 127.0.0.1:5432 — create it (createdb x) or fix RHYTHM_DATABASE_URL` */
export class DatabaseNotFoundError extends DatabaseConnectError {
  constructor(target: DatabaseTarget, urlFrom: string, cause: unknown) {
    const flags = [
      ...(LOCAL_HOSTS.has(target.host) || target.host.startsWith("/") ? [] : [`-h ${target.host}`]),
      ...(target.port === 5432 ? [] : [`-p ${target.port}`]),
      ...(target.user && target.user !== "postgres" ? [`-U ${target.user}`] : []),
    ];
    super(
      "DATABASE_NOT_FOUND",
      `database "${target.database}" does not exist on ${address(target)}`,
      `create it (createdb ${[...flags, target.database].join(" ")}) or fix ${urlFrom}`,
      target,
      urlFrom,
      cause,
    );
  }
}

/** `nothing answers at 127.0.0.1:1 — is Postgres running there? …`, and the other ways of not getting through. */
export class DatabaseUnreachableError extends DatabaseConnectError {
  constructor(target: DatabaseTarget, urlFrom: string, cause: unknown) {
    const [problem, hint] = unreachable(target, urlFrom, cause);
    super("DATABASE_UNREACHABLE", problem, hint, target, urlFrom, cause);
  }
}

function unreachable(target: DatabaseTarget, urlFrom: string, cause: unknown): [problem: string, hint: string] {
  const at = address(target);
  const failure = connectFailure(cause);
  const fix =
    urlFrom === "RHYTHM_DATABASE_URL"
      ? "fix RHYTHM_DATABASE_URL, or unset it to use the embedded PGlite in ./.rhythm"
      : `fix ${urlFrom}`;
  switch (failure?.kind === "unreachable" ? failure.reason : "closed") {
    case "refused":
      return [`nothing answers at ${at}`, `is Postgres running there? Start it, or ${fix}`];
    case "dns":
      return [`the database host "${target.host}" is not known (${errorText(cause)})`, fix];
    case "timeout":
      return [`${at} did not answer in time`, `is the host up, with Postgres listening on port ${target.port}? Or ${fix}`];
    case "no-route":
      return [`no route to ${at} (${errorText(cause)})`, `check the network, or ${fix}`];
    case "starting":
      return [`the server at ${at} is starting up or recovering`, "try again in a moment"];
    default:
      return [`the connection to ${at} closed before it was ready (${errorText(cause)})`, `see the server's log, or ${fix}`];
  }
}

/** The server refused the user: a wrong password, no such role, no pg_hba.conf entry. */
export class DatabaseAuthError extends DatabaseConnectError {
  constructor(target: DatabaseTarget, urlFrom: string, cause: unknown) {
    const user = target.user ?? "(none)";
    const failure = connectFailure(cause);
    const [problem, hint] =
      failure?.kind === "auth" && failure.reason === "password"
        ? [`password authentication failed for user "${user}" on ${address(target)}`, `check the password in ${urlFrom}`]
        : [
            `${address(target)} refused user "${user}": ${errorText(cause)}`,
            `check the user in ${urlFrom} (and the server's pg_hba.conf)`,
          ];
    super("DATABASE_AUTH_FAILED", problem, hint, target, urlFrom, cause);
  }
}

/** The typed error for a failure to connect to `target`, or null when `e` is not one. */
export function connectError(e: unknown, target: DatabaseTarget, urlFrom: string): DatabaseConnectError | null {
  const failure = connectFailure(e);
  if (failure === null) return null;
  if (failure.kind === "database-not-found") return new DatabaseNotFoundError(target, urlFrom, e);
  if (failure.kind === "auth") return new DatabaseAuthError(target, urlFrom, e);
  return new DatabaseUnreachableError(target, urlFrom, e);
}

/** A driver error's own words; Node's AggregateError (a name with several addresses) has none. */
function errorText(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  if (e.message) return e.message;
  const inner = (e as { errors?: unknown[] }).errors?.find((x): x is Error => x instanceof Error && x.message !== "");
  return inner?.message ?? (e as { code?: string }).code ?? e.name;
}

/** An operation on a paused run (fork, set) that cannot be done now or at all (nothing was changed). */
export class OperationRefusedError extends RhythmError {
  constructor(
    code: "FORK_REFUSED" | "EDIT_REFUSED",
    readonly executionId: string,
    reason: string,
  ) {
    super(code, `execution ${executionId} cannot be ${code === "FORK_REFUSED" ? "forked" : "changed"}: ${reason}`);
  }
}
