"""A few autocommit connections shared by a worker's calls (the protocol's functions are each one
statement committed on its own, so no transaction spans calls)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, Optional, TypeVar

import psycopg

from .errors import DatabaseError

T = TypeVar("T")
log = logging.getLogger("rhythm_flow.worker")


def is_transient(e: BaseException) -> bool:
    """The connection broke or the server is going away: the call can be tried again."""
    return isinstance(e, (psycopg.OperationalError, psycopg.errors.AdminShutdown, psycopg.errors.CannotConnectNow))


class Connections:
    def __init__(self, url: str, size: int, relaxed: bool = False) -> None:
        self.url = url
        self.relaxed = relaxed
        self.size = max(1, size)
        self._free: list[psycopg.AsyncConnection[Any]] = []
        self._open = 0
        self._available = asyncio.Condition()
        self._closed = False

    async def _acquire(self) -> psycopg.AsyncConnection[Any]:
        async with self._available:
            while not self._free and self._open >= self.size:
                await self._available.wait()
            if self._free:
                return self._free.pop()
            self._open += 1
        try:
            conn = await psycopg.AsyncConnection.connect(self.url, autocommit=True)
            if self.relaxed:
                await conn.execute("set synchronous_commit = off")
            return conn
        except BaseException:
            async with self._available:
                self._open -= 1
                self._available.notify()
            raise

    async def _give_back(self, conn: psycopg.AsyncConnection[Any], broken: bool) -> None:
        if broken or self._closed or conn.closed:
            try:
                await conn.close()
            finally:
                async with self._available:
                    self._open -= 1
                    self._available.notify()
            return
        async with self._available:
            self._free.append(conn)
            self._available.notify()

    async def run(self, fn: Callable[[psycopg.AsyncConnection[Any]], Awaitable[T]], retries: int = 0) -> T:
        """Runs ``fn`` on a connection; a transient failure is tried again up to ``retries`` times."""
        attempt = 0
        while True:
            conn: Optional[psycopg.AsyncConnection[Any]] = None
            try:
                conn = await self._acquire()
                result = await fn(conn)
                await self._give_back(conn, False)
                return result
            except BaseException as e:
                if conn is not None:
                    await self._give_back(conn, is_transient(e) or not isinstance(e, Exception))
                if isinstance(e, Exception) and is_transient(e) and attempt < retries:
                    attempt += 1
                    wait = min(5.0, 0.2 * 2**attempt)
                    log.warning("database call failed (%s); trying again in %.1f s", e, wait)
                    await asyncio.sleep(wait)
                    continue
                if isinstance(e, psycopg.OperationalError):
                    raise DatabaseError(f"the database could not be reached: {e}") from e
                raise

    async def close(self) -> None:
        self._closed = True
        async with self._available:
            free, self._free = self._free, []
            self._open -= len(free)
        for conn in free:
            await conn.close()
