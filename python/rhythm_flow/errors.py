"""Typed errors of rhythm_flow: every error the package raises is a RhythmError with a code."""

from __future__ import annotations

from typing import Any


class RhythmError(Exception):
    """Base of the errors rhythm_flow raises; ``code`` names the kind (as in the TypeScript client)."""

    code = "RHYTHM_ERROR"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class InvalidArgumentError(RhythmError):
    code = "INVALID_ARGUMENT"


class DatabaseError(RhythmError):
    """The database refused or could not be reached."""

    code = "DATABASE_ERROR"


class SchemaNotReadyError(RhythmError):
    """The schema lacks the worker protocol: run ``rhythm migrate`` (or ``rhythm dev``) first."""

    code = "SCHEMA_NOT_READY"


class ExecutionNotFoundError(RhythmError):
    code = "EXECUTION_NOT_FOUND"


class WorkflowNotDeployedError(RhythmError):
    code = "WORKFLOW_NOT_DEPLOYED"


class ExecutionFinishedError(RhythmError):
    """A signal to a workflow that has finished, or to a task."""

    code = "EXECUTION_FINISHED"


class UnknownSignalError(RhythmError):
    """The workflow's version never waits on a signal of that name (send with ``force=True``)."""

    code = "UNKNOWN_SIGNAL"


class WaitTimeoutError(RhythmError):
    """``Client.wait`` gave up before the execution finished."""

    code = "WAIT_TIMEOUT"


class TaskCancelledError(RhythmError):
    """Raised in a handler by ``ctx.heartbeat()`` when its task was cancelled or its claim was lost.

    Nothing the attempt does after that is recorded.
    """

    code = "TASK_CANCELLED"


class NonRetryableError(Exception):
    """Raise it from a task handler to fail the task at once, without retries.

    ``raise NonRetryableError("card declined")``
    """

    non_retryable = True


def error_data(e: BaseException) -> dict[str, Any]:
    """A handler's exception as the protocol stores it: ``{name, message, ...its own fields}``.

    Own fields are the exception's public attributes that JSON can write (others are left out);
    a NonRetryableError carries ``nonRetryable: true``, as the TypeScript worker's does.
    """
    import json

    out: dict[str, Any] = {"name": type(e).__name__, "message": str(e)}
    for key, value in vars(e).items():
        if key.startswith("_") or key in ("name", "message"):
            continue
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            out[key] = f"[not stored: {type(value).__name__} is not JSON]"
            continue
        out[key] = value
    if getattr(e, "non_retryable", False):
        out["nonRetryable"] = True
    return out
