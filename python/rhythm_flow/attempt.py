"""One claimed task attempt: the handler runs (async on the worker's loop, sync on a thread), its
lease is kept, its timeout enforced, and its outcome recorded through the protocol."""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import threading
import time
from typing import TYPE_CHECKING, Any, Callable, Optional

from .context import TaskContext
from .errors import NonRetryableError, TaskCancelledError, error_data
from .protocol import Claim
from .registry import Registration

if TYPE_CHECKING:
    from .worker import Worker

log = logging.getLogger("rhythm_flow.worker")


class Attempt:
    def __init__(self, worker: "Worker", reg: Registration, claim: Claim, loop: asyncio.AbstractEventLoop) -> None:
        self.worker = worker
        self.reg = reg
        self.claim = claim
        self.loop = loop
        self.cancel_event = threading.Event()
        # what the call did not set, this worker's registration decides (as the TypeScript worker)
        self.timeout_ms: Optional[int] = claim.timeout_ms if claim.timeout_ms is not None else reg.timeout_ms
        self.renewed_at = time.monotonic()
        self.deadline: Optional[float] = None if self.timeout_ms is None else time.monotonic() + self.timeout_ms / 1000
        self.reason: Optional[str] = None
        self._aborted: asyncio.Future[None] = loop.create_future()
        self._logs: Optional[asyncio.Future[Any]] = None
        self.slot_freed = False
        #: Told once the handler has returned or raised (its slot is free then).
        self.on_handler_done: Callable[[], None] = lambda: None

    @property
    def lease_ms(self) -> int:
        return self.timeout_ms if self.timeout_ms is not None else self.worker.lease_ms

    def abort(self, reason: str) -> None:
        """Ends the attempt: "cancelled" (nothing is recorded) or "timeout" (it fails with Timeout)."""
        if self.reason is not None:
            return
        self.reason = reason
        self.cancel_event.set()
        if not self._aborted.done():
            self._aborted.set_result(None)

    async def heartbeat(self) -> None:
        held, cancelled = await self.worker.call_relaxed(lambda conn: self.worker.protocol.heartbeat(conn, self.claim, self.lease_ms))
        self.renewed_at = time.monotonic()
        if not held or cancelled:
            self.abort("cancelled")
            raise TaskCancelledError(f"task {self.claim.id} was cancelled (or its claim was lost)")
        if self.timeout_ms is not None:
            self.deadline = time.monotonic() + self.timeout_ms / 1000

    def log(self, message: str) -> None:
        """Lines are written one after another, so they keep their order."""

        async def write(previous: Optional[asyncio.Future[Any]]) -> None:
            if previous is not None:
                await asyncio.gather(previous, return_exceptions=True)
            try:
                await self.worker.call(lambda conn: self.worker.protocol.log(conn, self.claim, message))
            except Exception as e:  # a lost log line must not fail the attempt
                log.warning("task %s: a log line was not written: %s", self.claim.id, e)

        def schedule() -> None:
            # on the loop's thread: calls from a sync handler's thread arrive here in their order
            self._logs = asyncio.ensure_future(write(self._logs))

        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self.loop:
            schedule()
        else:
            self.loop.call_soon_threadsafe(schedule)

    async def run(self) -> None:
        claim, reg = self.claim, self.reg
        if claim.timeout_ms is None and reg.timeout_ms is not None:
            # the claim's lease used the worker's length: make it the registration's timeout at once
            try:
                await self.worker.call(lambda conn: self.worker.protocol.heartbeat(conn, claim, reg.timeout_ms or 0))
            except Exception as e:
                log.warning("task %s: lease not set to its timeout: %s", claim.id, e)
        ctx = TaskContext(self)
        if reg.is_async:
            handler: asyncio.Future[Any] = asyncio.ensure_future(reg.handler(claim.inputs, ctx))
        else:
            call = contextvars.copy_context().run
            handler = asyncio.ensure_future(self.loop.run_in_executor(self.worker.executor, call, reg.handler, claim.inputs, ctx))
        while True:
            timeout = None if self.deadline is None else max(0.0, self.deadline - time.monotonic())
            await asyncio.wait({handler, self._aborted}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            if self.reason is not None or handler.done():
                break
            if self.deadline is not None and time.monotonic() >= self.deadline:
                self.abort("timeout")
                break
        if self.reason is not None and not handler.done():
            handler.cancel()
        # the slot is free (a sync handler abandoned on timeout or cancellation may still run on
        # its thread: the pool has `concurrency` threads, so a later attempt waits for one)
        self.on_handler_done()
        if self._logs is not None:
            await asyncio.gather(self._logs, return_exceptions=True)
        await self.record(handler)

    async def record(self, handler: "asyncio.Future[Any]") -> None:
        claim, reg = self.claim, self.reg
        if self.reason == "cancelled":
            log.info("task %s (%s) attempt %d: cancelled, nothing recorded", claim.name, claim.id, claim.attempt)
            return
        retryable = True
        if self.reason == "timeout":
            ms = self.timeout_ms
            error: Optional[dict[str, Any]] = {
                "name": "Timeout",
                "type": "Timeout",
                "message": f"the attempt ran longer than its timeout of {ms} ms",
                "timeoutMs": ms,
            }
        elif handler.cancelled():
            error = {"name": "CancelledError", "message": "the handler was cancelled"}
        elif handler.exception() is not None:
            e = handler.exception()
            assert e is not None
            if isinstance(e, TaskCancelledError):
                log.info("task %s (%s) attempt %d: claim lost or cancelled, nothing recorded", claim.name, claim.id, claim.attempt)
                return
            error = error_data(e)
            retryable = not (isinstance(e, NonRetryableError) or getattr(e, "non_retryable", False))
        else:
            try:
                output = json.dumps(handler.result(), ensure_ascii=False, allow_nan=False)
                error = None
            except (TypeError, ValueError) as e:
                error = {
                    "name": "InvalidTaskResultError",
                    "message": f"the task's result cannot be written as JSON: {e}",
                    "nonRetryable": True,
                }
                retryable = False
        if error is None:
            ok = await self.worker.completions.complete(claim, output)
            if ok:
                log.debug("task %s (%s) attempt %d: completed", claim.name, claim.id, claim.attempt)
            else:
                log.warning("task %s (%s) attempt %d: its claim was lost; the result was not recorded", claim.name, claim.id, claim.attempt)
            return
        policy = reg.retries
        outcome = await self.worker.call(
            lambda conn: self.worker.protocol.fail(
                conn,
                claim,
                error,  # type: ignore[arg-type]
                retryable,
                None if policy is None else policy.max_attempts,
                None if policy is None else policy.backoff,
            ),
            retries=3,
        )
        log.info(
            "task %s (%s) attempt %d failed (%s: %s): %s",
            claim.name,
            claim.id,
            claim.attempt,
            error.get("name"),
            error.get("message"),
            outcome or "claim lost, not recorded",
        )
