// Every public error is a RhythmError with a stable `code`, so callers can branch on it.

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
  constructor(readonly executionId: string) {
    super("NOT_A_WORKFLOW", `execution ${executionId} is a task; only workflows take signals`);
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
