"""A client: start workflows, queue tasks, signal, read and wait — through the protocol's functions."""

from __future__ import annotations

import json
import select
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Optional, Union

import psycopg
from psycopg import sql

from .errors import (
    DatabaseError,
    ExecutionFinishedError,
    ExecutionNotFoundError,
    InvalidArgumentError,
    SchemaNotReadyError,
    UnknownSignalError,
    WaitTimeoutError,
    WorkflowNotDeployedError,
)
from .options import Duration, Retries, duration_ms, retry_policy
from .protocol import channel_of, check_schema
from .config import database_url as resolve_database_url

FINAL = ("completed", "failed", "cancelled")


@dataclass(frozen=True)
class Execution:
    id: str
    kind: str
    name: str
    status: str
    queue: str
    inputs: Any
    output: Any
    error: Any
    attempt: int
    parent_id: Optional[str]
    created_at: datetime
    started_at: Optional[datetime]
    finished_at: Optional[datetime]

    @property
    def finished(self) -> bool:
        return self.status in FINAL


def _run_at(value: Union[datetime, str, int, float, None]) -> Optional[str]:
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise InvalidArgumentError("run_at: give a timezone-aware datetime")
        return value.isoformat()
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).isoformat()
        except ValueError as e:
            raise InvalidArgumentError(f"run_at: not an ISO time: {value!r}") from e
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value).astimezone().isoformat()
    raise InvalidArgumentError(f"run_at: give a datetime, an ISO string or epoch seconds, not {value!r}")


class Client:
    """``Client(url)`` (default ``RHYTHM_DATABASE_URL``); use as a context manager or ``close()``."""

    def __init__(self, database_url: Optional[str] = None, *, schema: str = "rhythm") -> None:
        self.schema = check_schema(schema)
        self.channel = channel_of(schema)
        self._url = resolve_database_url(database_url)
        try:
            self._conn = psycopg.connect(self._url, autocommit=True)
        except psycopg.OperationalError as e:
            raise DatabaseError(f"the database could not be reached: {e}") from e

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._conn.close()

    def _fn(self, name: str) -> sql.Composed:
        return sql.SQL("{}.{}").format(sql.Identifier(self.schema), sql.Identifier(name))

    def _call(self, query: sql.Composable, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        try:
            return self._conn.execute(query, params).fetchall()
        except (psycopg.errors.UndefinedFunction, psycopg.errors.InvalidSchemaName) as e:
            raise SchemaNotReadyError(
                f'schema "{self.schema}" has no worker protocol: run `rhythm migrate` (or `rhythm dev`) on this database first'
            ) from e
        except psycopg.Error as e:
            state = getattr(e, "sqlstate", None)
            message = (e.diag.message_primary if e.diag else None) or str(e)
            if state == "RH404":
                cls = WorkflowNotDeployedError if "deployed" in message else ExecutionNotFoundError
                raise cls(message) from e
            if state == "RH409":
                raise ExecutionFinishedError(message) from e
            if state == "RH400":
                raise (UnknownSignalError if "signal" in message else InvalidArgumentError)(message) from e
            if state == "22P02":
                raise InvalidArgumentError(message) from e
            if isinstance(e, psycopg.OperationalError):
                raise DatabaseError(f"the database could not be reached: {e}") from e
            raise

    def _enqueue(self, kind: str, name: str, inputs: Any, options: dict[str, Any]) -> str:
        if not isinstance(name, str) or not name:
            raise InvalidArgumentError(f"{kind} name must be a non-empty string")
        try:
            inputs_json = json.dumps(inputs, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError) as e:
            raise InvalidArgumentError(f'{kind} "{name}": inputs are not JSON: {e}') from e
        opts = {k: v for k, v in options.items() if v is not None}
        rows = self._call(
            sql.SQL("select id from {}(%s, %s, %s::json, %s::json)").format(self._fn("enqueue_v1")),
            (kind, name, inputs_json, json.dumps(opts)),
        )
        return str(rows[0][0])

    @staticmethod
    def _common(
        what: str, queue: Optional[str], priority: Optional[int], delay: Optional[Duration], run_at: Any, idempotency_key: Optional[str]
    ) -> dict[str, Any]:
        if queue is not None and (not isinstance(queue, str) or not queue):
            raise InvalidArgumentError(f"{what}: queue must be a non-empty string")
        if priority is not None and (isinstance(priority, bool) or not isinstance(priority, int)):
            raise InvalidArgumentError(f"{what}: priority must be an integer")
        if delay is not None and run_at is not None:
            raise InvalidArgumentError(f"{what}: give delay or run_at, not both")
        return {
            "queue": queue,
            "priority": priority,
            "delayMs": None if delay is None else duration_ms(delay, f"{what}: delay"),
            "runAt": _run_at(run_at),
            "idempotencyKey": idempotency_key,
        }

    def start_workflow(
        self,
        name: str,
        inputs: Any = None,
        *,
        queue: Optional[str] = None,
        priority: Optional[int] = None,
        delay: Optional[Duration] = None,
        run_at: Any = None,
        idempotency_key: Optional[str] = None,
    ) -> str:
        """Starts the newest deployed version of workflow ``name``; returns its execution id."""
        what = f'workflow "{name}"'
        return self._enqueue(
            "workflow", name, {} if inputs is None else inputs, self._common(what, queue, priority, delay, run_at, idempotency_key)
        )

    def queue_task(
        self,
        name: str,
        inputs: Any = None,
        *,
        queue: Optional[str] = None,
        priority: Optional[int] = None,
        delay: Optional[Duration] = None,
        run_at: Any = None,
        idempotency_key: Optional[str] = None,
        retries: Optional[Retries] = None,
        timeout: Optional[Duration] = None,
        concurrency: Optional[dict[str, Any]] = None,
        rate_limit: Optional[dict[str, Any]] = None,
    ) -> str:
        """Queues task ``name`` (run by any worker that registers it, in any language).

        ``concurrency={"key": k, "limit": n}`` (limit 1 by default) and ``rate_limit={"key": k,
        "limit": n, "per": duration}`` are enforced by the database for every worker, in any
        language (docs/flow-control.md)."""
        what = f'task "{name}"'
        options = self._common(what, queue, priority, delay, run_at, idempotency_key)
        if concurrency is not None:
            if not isinstance(concurrency, dict) or not isinstance(concurrency.get("key"), str):
                raise InvalidArgumentError(f'{what}: concurrency must be {{"key": str, "limit": int}}')
            options["concurrency"] = {"key": concurrency["key"], "limit": concurrency.get("limit", 1)}
        if rate_limit is not None:
            if not isinstance(rate_limit, dict) or not isinstance(rate_limit.get("key"), str) or "per" not in rate_limit:
                raise InvalidArgumentError(f'{what}: rate_limit must be {{"key": str, "limit": int, "per": duration}}')
            options["rateLimit"] = {
                "key": rate_limit["key"],
                "limit": rate_limit.get("limit"),
                "perMs": duration_ms(rate_limit["per"], f"{what}: rate_limit.per"),
            }
        policy = retry_policy(retries, what)
        if policy is not None:
            options["maxAttempts"] = policy.max_attempts
            options["backoff"] = policy.backoff
        if timeout is not None:
            options["timeoutMs"] = duration_ms(timeout, f"{what}: timeout")
        return self._enqueue("task", name, inputs, options)

    def signal(self, execution_id: str, name: str, payload: Any = None, *, force: bool = False) -> None:
        """Sends signal ``name`` to a running workflow (given to its oldest wait, or buffered)."""
        try:
            payload_json = json.dumps(payload, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError) as e:
            raise InvalidArgumentError(f'signal "{name}": payload is not JSON: {e}') from e
        self._call(
            sql.SQL("select {}(%s::uuid, %s, %s::json, %s)").format(self._fn("signal_v1")), (execution_id, name, payload_json, force)
        )

    def get(self, execution_id: str) -> Optional[Execution]:
        rows = self._call(sql.SQL("select * from {}(%s::uuid)").format(self._fn("get_v1")), (execution_id,))
        if not rows:
            return None
        r = rows[0]
        return Execution(
            id=str(r[0]),
            kind=r[1],
            name=r[2],
            status=r[3],
            queue=r[4],
            inputs=r[5],
            output=r[6],
            error=r[7],
            attempt=r[8],
            parent_id=None if r[9] is None else str(r[9]),
            created_at=r[10],
            started_at=r[11],
            finished_at=r[12],
        )

    def wait(self, execution_id: str, timeout: Optional[Duration] = None, poll_interval: float = 1.0) -> Execution:
        """The execution once it has finished (completed, failed or cancelled); woken by NOTIFY."""
        deadline = None if timeout is None else time.monotonic() + duration_ms(timeout, "wait: timeout") / 1000
        listener = psycopg.connect(self._url, autocommit=True)
        try:
            listener.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
            while True:
                e = self.get(execution_id)
                if e is None:
                    raise ExecutionNotFoundError(f"no execution {execution_id}")
                if e.finished:
                    return e
                left = poll_interval if deadline is None else min(poll_interval, deadline - time.monotonic())
                if left <= 0:
                    raise WaitTimeoutError(f"execution {execution_id} had not finished in time (status {e.status})")
                # a notification ends the sleep early (then it is read, and the execution read again)
                readable, _, _ = select.select([listener.fileno()], [], [], left)
                if readable:
                    listener.execute("select 1")
        finally:
            listener.close()
