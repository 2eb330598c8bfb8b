"""The ``ctx`` a task handler gets: which attempt it is, a heartbeat, a log, and cancellation."""

from __future__ import annotations

import asyncio
import threading
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    from .attempt import Attempt


class TaskContext:
    """What a handler knows about its attempt.

    ``heartbeat()`` extends the lease (by the task's timeout, else the worker's lease) and raises
    TaskCancelledError when the task was cancelled or its claim was lost. In a sync handler it
    blocks until done; in an async handler it returns an awaitable: ``await ctx.heartbeat()``.
    ``cancelled`` turns true when the task is cancelled, its claim is lost or it overran its
    timeout; a sync handler should check it (or wait on ``cancel_event``) in long loops, since a
    thread cannot be stopped from outside. An async handler is also cancelled (CancelledError).
    """

    def __init__(self, attempt: "Attempt") -> None:
        self._attempt = attempt
        self.execution_id: str = attempt.claim.id
        self.attempt: int = attempt.claim.attempt
        self.parent_id: Optional[str] = attempt.claim.parent_id
        self.task: str = attempt.claim.name
        self.cancel_event: threading.Event = attempt.cancel_event

    @property
    def cancelled(self) -> bool:
        return self.cancel_event.is_set()

    def heartbeat(self) -> Any:
        loop = self._attempt.loop
        try:
            running: Optional[asyncio.AbstractEventLoop] = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            return self._attempt.heartbeat()
        # a sync handler, on a thread of its own: wait for the worker's loop to do it
        asyncio.run_coroutine_threadsafe(self._attempt.heartbeat(), loop).result()
        return None

    def log(self, message: str) -> None:
        """A line in the execution's log (written before the attempt's outcome)."""
        self._attempt.log(str(message))

    def __repr__(self) -> str:
        return f"TaskContext(task={self.task!r}, execution_id={self.execution_id!r}, attempt={self.attempt})"

