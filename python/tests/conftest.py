"""Each test gets its own Rhythm schema on the Postgres server (RHYTHM_TEST_DATABASE_URL, else the
local default), made with the engine's own migrations and dropped afterwards."""

from __future__ import annotations

import asyncio
import os
import pathlib
import sys
import threading
import uuid
import time
from typing import Any, Callable, Iterator

import psycopg
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python"))

from rhythm_flow import Client, TaskRegistry, Worker  # noqa: E402

SERVER_URL = os.environ.get("RHYTHM_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
MIGRATIONS = sorted((ROOT / "src" / "store" / "migrations").glob("[0-9][0-9][0-9]_*.sql"))


@pytest.fixture
def schema() -> Iterator[str]:
    name = f"rhythm_py_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(SERVER_URL, autocommit=True) as conn:
        conn.execute(f'create schema "{name}"')
        try:
            with conn.transaction():
                for m in MIGRATIONS:
                    conn.execute(m.read_text().replace(":SCHEMA", f'"{name}"'))
            yield name
        finally:
            conn.execute(f'drop schema "{name}" cascade')


@pytest.fixture
def db(schema: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(SERVER_URL, autocommit=True) as conn:
        yield conn


@pytest.fixture
def client(schema: str) -> Iterator[Client]:
    with Client(SERVER_URL, schema=schema) as c:
        yield c


@pytest.fixture
def tasks() -> TaskRegistry:
    return TaskRegistry()


class RunningWorker:
    """A worker on a thread of its own (its own event loop), as a process would run it."""

    def __init__(self, worker: Worker) -> None:
        self.worker = worker
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            asyncio.run(self.worker.run())
        except BaseException as e:
            self.error = e

    def stop(self, grace: bool = True, timeout: float = 30) -> None:
        self.worker.stop(grace)
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "the worker did not stop"
        if self.error is not None:
            raise self.error


@pytest.fixture
def start_worker(schema: str, tasks: TaskRegistry) -> Iterator[Callable[..., RunningWorker]]:
    """Starts workers; those still running at the end are stopped."""
    started: list[RunningWorker] = []

    def start(**options: Any) -> RunningWorker:
        options.setdefault("poll_interval", 0.2)
        r = RunningWorker(Worker(SERVER_URL, registry=tasks, schema=schema, **options))
        started.append(r)
        assert r.worker.ready.wait(15) or r.error, "the worker did not start"
        if r.error is not None:
            raise r.error
        return r

    yield start
    for r in started:
        if r.thread.is_alive():
            r.worker.stop(False)
            r.thread.join(30)


def until(what: str, probe: Callable[[], Any], timeout: float = 15.0) -> Any:
    """Polls ``probe`` until it returns something truthy; fails after ``timeout`` seconds."""
    end = time.monotonic() + timeout
    while True:
        v = probe()
        if v:
            return v
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what} (last: {v!r})")
        time.sleep(0.02)
