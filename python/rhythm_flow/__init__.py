"""rhythm_flow: Python tasks for Rhythm workflows, through Rhythm's SQL worker protocol.

    from rhythm_flow import task

    @task("resize-image")
    def resize(inputs, ctx):
        return {"url": make_thumbnail(inputs["url"])}

Run them with ``python -m rhythm_flow worker --tasks my_tasks``.
"""

from .client import Client, Execution
from .context import TaskContext
from .errors import (
    DatabaseError,
    ExecutionFinishedError,
    ExecutionNotFoundError,
    InvalidArgumentError,
    NonRetryableError,
    RhythmError,
    SchemaNotReadyError,
    TaskCancelledError,
    UnknownSignalError,
    WaitTimeoutError,
    WorkflowNotDeployedError,
)
from .protocol import PROTOCOL_VERSION
from .registry import Registration, TaskRegistry, registry, task
from .worker import Worker

__version__ = "0.1.0"

__all__ = [
    "Client",
    "DatabaseError",
    "Execution",
    "ExecutionFinishedError",
    "ExecutionNotFoundError",
    "InvalidArgumentError",
    "NonRetryableError",
    "PROTOCOL_VERSION",
    "Registration",
    "RhythmError",
    "SchemaNotReadyError",
    "TaskCancelledError",
    "TaskContext",
    "TaskRegistry",
    "UnknownSignalError",
    "WaitTimeoutError",
    "Worker",
    "WorkflowNotDeployedError",
    "registry",
    "task",
]
