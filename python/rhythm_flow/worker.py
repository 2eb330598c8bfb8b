"""A worker that runs this process's task handlers through the SQL worker protocol: it claims
tasks on its queues (up to ``concurrency`` at once), keeps their leases, records their outcomes,
wakes on NOTIFY, and stops gracefully (running attempts finish within ``shutdown_timeout``; the
rest are handed back)."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Awaitable, Callable, Iterable, Optional, TypeVar

import psycopg
from psycopg import sql

from .attempt import Attempt
from .config import database_url as resolve_database_url
from .connections import Connections, is_transient
from .group_commit import GroupCommit
from .errors import DatabaseError, InvalidArgumentError, TaskCancelledError
from .options import Duration, duration_ms
from .protocol import Claim, Protocol
from .registry import TaskRegistry
from .registry import registry as default_registry

T = TypeVar("T")
log = logging.getLogger("rhythm_flow.worker")

#: How often the worker writes its row (the workers table; get/list say why work waits).
BEAT_SECONDS = 10.0
#: How often expired leases are resolved (a dead worker's tasks retried), as the TypeScript worker.
LEASE_CHECK_SECONDS = 5.0


class Worker:
    """Runs registered tasks. ``await worker.run()`` until ``worker.stop()``; or ``worker.run_sync()``,
    which also stops on SIGINT/SIGTERM (a second signal skips the grace period)."""

    def __init__(
        self,
        database_url: Optional[str] = None,
        *,
        queues: Optional[Iterable[str]] = None,
        concurrency: int = 10,
        registry: Optional[TaskRegistry] = None,
        schema: str = "rhythm",
        lease: Duration = 30,
        poll_interval: float = 1.0,
        shutdown_timeout: float = 10.0,
        worker_id: Optional[str] = None,
    ) -> None:
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
            raise InvalidArgumentError("concurrency must be a positive integer")
        self.url = resolve_database_url(database_url)
        self.queues = list(queues) if queues is not None else ["default"]
        if not self.queues or not all(isinstance(q, str) and q for q in self.queues):
            raise InvalidArgumentError("queues must be non-empty names")
        self.concurrency = concurrency
        self.registry = registry if registry is not None else default_registry
        self.protocol = Protocol(schema)
        self.lease_ms = duration_ms(lease, "lease")
        if self.lease_ms < 100:
            raise InvalidArgumentError("lease must be at least 100 ms")
        self.poll_interval = poll_interval
        self.shutdown_timeout = shutdown_timeout
        self.id = worker_id or f"py-{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.executor = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="rhythm-task")
        self.running: dict[str, tuple[Attempt, asyncio.Task[None]]] = {}
        self._per_task: dict[str, int] = {}
        #: Slots held: an attempt's slot is free once its handler returns, not when its outcome is
        #: committed (the next claim need not wait for the group commit), as in the TypeScript worker.
        self._occupied = 0
        self._stopping: Optional[asyncio.Event] = None
        self._wake: Optional[asyncio.Event] = None
        self._due_at: Optional[float] = None
        self._more = False
        self._grace = True
        self._conns: Optional[Connections] = None
        self._relaxed: Optional[Connections] = None
        self.completions = GroupCommit(self)
        self._listening: Optional[asyncio.Event] = None
        #: Set once the worker listens for notifications and claims (for tests and embedding).
        self.ready = threading.Event()
        self.loop: Optional[asyncio.AbstractEventLoop] = None

    # ── calls ──────────────────────────────────────────────────────────────────────────────

    async def call(self, fn: Callable[[psycopg.AsyncConnection[Any]], Awaitable[T]], retries: int = 0) -> T:
        assert self._conns is not None, "the worker is not running"
        return await self._conns.run(fn, retries)

    async def call_relaxed(self, fn: Callable[[psycopg.AsyncConnection[Any]], Awaitable[T]], retries: int = 0) -> T:
        """On a connection whose commits do not wait for the disk: claims and lease renewals, which
        a crash may lose harmlessly (the task is claimed again), as the TypeScript worker's."""
        assert self._relaxed is not None, "the worker is not running"
        return await self._relaxed.run(fn, retries)

    # ── running ────────────────────────────────────────────────────────────────────────────

    def stop(self, grace: bool = True) -> None:
        """Stops claiming; running attempts get ``shutdown_timeout`` to finish (none when ``grace`` is false)."""
        if not grace:
            self._grace = False
        if self._stopping is not None and self.loop is not None:
            self.loop.call_soon_threadsafe(self._stopping.set)
            self.loop.call_soon_threadsafe(self._poke)

    def run_sync(self) -> None:
        asyncio.run(self.run(install_signal_handlers=True))

    async def run(self, install_signal_handlers: bool = False) -> None:
        self.loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        self._wake = asyncio.Event()
        names = self.registry.names()
        if not names:
            raise InvalidArgumentError("no task is registered: import a module with @task handlers (--tasks)")
        self._conns = Connections(self.url, size=min(self.concurrency, 4) + 1)
        self._relaxed = Connections(self.url, size=2, relaxed=True)
        if install_signal_handlers:
            for sig in (signal.SIGINT, signal.SIGTERM):
                self.loop.add_signal_handler(sig, self._on_signal)
        # a database that cannot be reached yet is waited for, as by the TypeScript worker
        failures = 0
        while True:
            try:
                await self.call(self.protocol.check)
                break
            except DatabaseError as e:
                wait = min(30.0, 2.0**failures)
                failures += 1
                log.warning("database unreachable (%s), retrying in %.0f s", str(e).splitlines()[0], wait)
                try:
                    await asyncio.wait_for(self._stopping.wait(), timeout=wait)
                except asyncio.TimeoutError:
                    continue
                await self._conns.close()
                await self._relaxed.close()
                return
        await self.call(lambda c: self.protocol.register(c, self.id, self.queues, names))
        log.info(
            "worker %s serving queues %s with tasks %s (concurrency %d)", self.id, ",".join(self.queues), ",".join(names), self.concurrency
        )
        self._listening = asyncio.Event()
        helpers = [asyncio.ensure_future(f()) for f in (self._listen, self._renew_leases, self._maintain)]
        try:
            # claims start once notifications are heard: work queued after this is not missed
            await asyncio.wait([asyncio.ensure_future(self._listening.wait())], timeout=10)
            self.ready.set()
            await self._claim_loop()
        finally:
            await self._shutdown(helpers)

    def _on_signal(self) -> None:
        if self._stopping is not None and self._stopping.is_set():
            log.info("second signal: handing back what is still running")
            self.stop(grace=False)
        else:
            log.info("stopping: running tasks get %.0f s to finish", self.shutdown_timeout)
            self.stop()

    def _poke(self) -> None:
        if self._wake is not None:
            self._wake.set()

    async def _claim_loop(self) -> None:
        assert self._stopping is not None and self._wake is not None
        failures = 0
        while not self._stopping.is_set():
            try:
                await self._claim_round()
                failures = 0
            except Exception as e:
                if not (is_transient(e) or isinstance(e, DatabaseError)):
                    raise
                failures += 1
                wait = min(30.0, 2.0**failures / 2)
                log.warning("claim failed (%s); the database may be away, trying again in %.1f s", e, wait)
                await self._sleep(wait)
                continue
            if self._more and self.concurrency - self._occupied > 0:
                continue
            timeout = self.poll_interval
            if self._due_at is not None:
                timeout = max(0.0, min(timeout, self._due_at - time.monotonic()))
            await self._sleep(timeout)

    async def _sleep(self, seconds: float) -> None:
        assert self._wake is not None
        try:
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)
        except asyncio.TimeoutError:
            pass
        self._wake.clear()
        if self._due_at is not None and time.monotonic() >= self._due_at:
            self._due_at = None

    async def _claim_round(self) -> None:
        free = self.concurrency - self._occupied
        self._more = False
        if free <= 0:
            return
        # tasks at their own `concurrency` limit in this worker are left out of the claim
        names = [
            n for n, r in self.registry.tasks.items() if r.concurrency is None or self._per_task.get(n, 0) < r.concurrency
        ]
        if not names:
            return
        claims = await self.call_relaxed(lambda c: self.protocol.claim(c, self.id, self.queues, names, free, self.lease_ms))
        for claim in claims:
            reg = self.registry.get(claim.name)
            if reg is None or (reg.concurrency is not None and self._per_task.get(claim.name, 0) >= reg.concurrency):
                # one claim can return more attempts of a task than its limit: the rest go back
                await self.call(lambda c, claim=claim: self.protocol.release(c, claim), retries=2)
                self._more = True
                continue
            self._start(claim)
        self._more = self._more or len(claims) == free

    def _start(self, claim: Claim) -> None:
        assert self.loop is not None
        reg = self.registry.get(claim.name)
        assert reg is not None
        attempt = Attempt(self, reg, claim, self.loop)
        log.debug("task %s (%s) attempt %d started", claim.name, claim.id, claim.attempt)
        self._per_task[claim.name] = self._per_task.get(claim.name, 0) + 1
        self._occupied += 1
        attempt.on_handler_done = lambda: self._free_slot(attempt)
        task = asyncio.ensure_future(self._run_attempt(attempt))
        self.running[claim.id] = (attempt, task)

    async def _run_attempt(self, attempt: Attempt) -> None:
        try:
            await attempt.run()
        except Exception:
            log.exception("task %s (%s): its outcome could not be recorded", attempt.claim.name, attempt.claim.id)
        finally:
            self._free_slot(attempt)
            self.running.pop(attempt.claim.id, None)

    def _free_slot(self, attempt: Attempt) -> None:
        if attempt.slot_freed:
            return
        attempt.slot_freed = True
        self._occupied -= 1
        self._per_task[attempt.claim.name] -= 1
        self._more = True
        self._poke()

    # ── notifications, leases, the workers table ───────────────────────────────────────────

    def _on_notify(self, payload: str) -> None:
        if payload.startswith("c:"):
            entry = self.running.get(payload[2:])
            if entry is not None:
                log.info("task %s (%s) cancelled", entry[0].claim.name, entry[0].claim.id)
                entry[0].abort("cancelled")
            return
        if payload.startswith("r:"):
            # "r:<ms>:<queue>": work on that queue comes due in <ms> (queue names may hold ":")
            colon = payload.find(":", 2)
            if colon < 0 or payload[colon + 1 :] not in self.queues:
                return
            try:
                at = time.monotonic() + int(payload[2:colon]) / 1000
            except ValueError:
                return
            self._due_at = at if self._due_at is None else min(self._due_at, at)
            self._poke()
            return
        if payload == "q:*" or (payload.startswith("q:") and payload[2:] in self.queues):
            self._more = True
            self._poke()

    async def _listen(self) -> None:
        assert self._stopping is not None
        failures = 0
        while not self._stopping.is_set():
            try:
                conn = await psycopg.AsyncConnection.connect(self.url, autocommit=True)
                try:
                    await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.protocol.channel)))
                    failures = 0
                    assert self._listening is not None
                    self._listening.set()
                    # what was sent while no one listened is found by a claim
                    self._more = True
                    self._poke()
                    async for n in conn.notifies():
                        self._on_notify(n.payload)
                finally:
                    await conn.close()
            except asyncio.CancelledError:
                raise
            except Exception as e:
                failures += 1
                wait = min(30.0, 2.0**failures / 2)
                log.warning("LISTEN connection lost (%s); reconnecting in %.1f s", e, wait)
                await asyncio.sleep(wait)

    async def _renew_leases(self) -> None:
        """Renews the leases of attempts without a timeout, from one loop: 1/3 to 1/2 of a lease after the last."""
        period = self.lease_ms / 6000
        while True:
            await asyncio.sleep(period)
            now = time.monotonic()
            for attempt, _ in list(self.running.values()):
                if attempt.timeout_ms is not None or attempt.reason is not None:
                    continue
                if now - attempt.renewed_at < self.lease_ms / 3000:
                    continue
                try:
                    await attempt.heartbeat()
                except TaskCancelledError:
                    log.info("task %s (%s): cancelled or claim lost", attempt.claim.name, attempt.claim.id)
                except Exception as e:
                    log.warning("lease renewal failed: %s", e)

    async def _maintain(self) -> None:
        last_beat = time.monotonic()
        while True:
            await asyncio.sleep(LEASE_CHECK_SECONDS)
            try:
                expired = await self.call(self.protocol.expire_leases)
                if expired:
                    log.info("%d expired lease(s) resolved", expired)
                if time.monotonic() - last_beat >= BEAT_SECONDS:
                    last_beat = time.monotonic()
                    await self.call(lambda c: self.protocol.register(c, self.id, self.queues, self.registry.names()))
            except Exception as e:
                log.warning("upkeep failed: %s", e)

    async def _shutdown(self, helpers: list["asyncio.Future[Any]"]) -> None:
        running = [t for _, t in self.running.values()]
        if running and self._grace:
            await asyncio.wait(running, timeout=self.shutdown_timeout)
        # what is still running is handed back: it runs again elsewhere, its attempt not counted
        for attempt, task in list(self.running.values()):
            attempt.abort("cancelled")
            try:
                await self.call(lambda c, a=attempt: self.protocol.release(c, a.claim), retries=1)
                log.info("task %s (%s) handed back", attempt.claim.name, attempt.claim.id)
            except Exception as e:
                log.warning("task %s (%s) not handed back (%s): it runs again after its lease", attempt.claim.name, attempt.claim.id, e)
        if self.running:
            await asyncio.wait([t for _, t in self.running.values()], timeout=1.0)
        for h in helpers:
            h.cancel()
        await asyncio.gather(*helpers, return_exceptions=True)
        try:
            await self.call(lambda c: self.protocol.unregister(c, self.id))
        except Exception as e:
            log.warning("worker row not removed: %s", e)
        assert self._conns is not None and self._relaxed is not None
        await self._conns.close()
        await self._relaxed.close()
        self.executor.shutdown(wait=False, cancel_futures=True)
        log.info("worker %s stopped", self.id)
