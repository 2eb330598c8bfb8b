"""The SQL worker protocol (docs/protocol.md), version 1, as async calls on a psycopg connection.

Every function lives in Rhythm's schema; this module only names them and passes parameters.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Optional

import psycopg
from psycopg import sql

from .errors import InvalidArgumentError, SchemaNotReadyError

PROTOCOL_VERSION = 1
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def check_schema(schema: str) -> str:
    if not isinstance(schema, str) or not _SCHEMA_NAME.match(schema):
        raise InvalidArgumentError(
            f'invalid schema name "{schema}": use lower-case letters, digits and _ (at most 63), not starting with a digit'
        )
    return schema


def channel_of(schema: str) -> str:
    """The NOTIFY channel of a schema (protocol_channel())."""
    return f"{schema}_events"


@dataclass(frozen=True)
class Claim:
    """A claimed task attempt: every write about it gives ``id`` and ``claim_token``."""

    id: str
    name: str
    queue: str
    inputs: Any
    attempt: int
    max_attempts: Optional[int]
    backoff: Optional[dict[str, Any]]
    timeout_ms: Optional[int]
    parent_id: Optional[str]
    claim_token: str
    lease_ms: int


class Protocol:
    """The protocol's functions in one schema."""

    def __init__(self, schema: str = "rhythm") -> None:
        self.schema = check_schema(schema)
        self.channel = channel_of(schema)

    def _fn(self, name: str) -> sql.Composed:
        return sql.SQL("{}.{}").format(sql.Identifier(self.schema), sql.Identifier(name))

    async def check(self, conn: psycopg.AsyncConnection[Any]) -> None:
        """Fails with SchemaNotReadyError when the schema lacks this protocol version."""
        try:
            cur = await conn.execute(sql.SQL("select {}()").format(self._fn("protocol_version")))
            row = await cur.fetchone()
        except (psycopg.errors.UndefinedFunction, psycopg.errors.InvalidSchemaName) as e:
            raise SchemaNotReadyError(
                f'schema "{self.schema}" has no worker protocol: run `rhythm migrate` (or `rhythm dev`) on this database first'
            ) from e
        version = row[0] if row else 0
        if version < PROTOCOL_VERSION:
            raise SchemaNotReadyError(f'schema "{self.schema}" speaks protocol {version}; rhythm_flow needs {PROTOCOL_VERSION}')

    async def register(self, conn: psycopg.AsyncConnection[Any], worker_id: str, queues: list[str], tasks: list[str]) -> None:
        await conn.execute(sql.SQL("select {}(%s, %s, %s)").format(self._fn("register_worker_v1")), (worker_id, queues, tasks))

    async def unregister(self, conn: psycopg.AsyncConnection[Any], worker_id: str) -> None:
        await conn.execute(sql.SQL("select {}(%s)").format(self._fn("unregister_worker_v1")), (worker_id,))

    async def claim(
        self, conn: psycopg.AsyncConnection[Any], worker_id: str, queues: list[str], tasks: list[str], limit: int, lease_ms: int
    ) -> list[Claim]:
        cur = await conn.execute(
            sql.SQL("select * from {}(%s, %s, %s, %s, %s)").format(self._fn("claim_tasks_v1")),
            (worker_id, queues, tasks, limit, lease_ms),
        )
        return [
            Claim(
                id=str(r[0]),
                name=r[1],
                queue=r[2],
                inputs=r[3],
                attempt=r[4],
                max_attempts=r[5],
                backoff=r[6],
                timeout_ms=r[7],
                parent_id=None if r[8] is None else str(r[8]),
                claim_token=str(r[9]),
                lease_ms=r[10],
            )
            for r in await cur.fetchall()
        ]

    async def heartbeat(self, conn: psycopg.AsyncConnection[Any], claim: Claim, lease_ms: int) -> tuple[bool, bool]:
        """(held, cancelled): not held means nothing this attempt writes will count."""
        cur = await conn.execute(
            sql.SQL("select held, cancelled from {}(%s, %s, %s)").format(self._fn("heartbeat_v1")),
            (claim.id, claim.claim_token, lease_ms),
        )
        row = await cur.fetchone()
        return (bool(row[0]), bool(row[1])) if row else (False, False)

    async def complete(self, conn: psycopg.AsyncConnection[Any], claim: Claim, output_json: str) -> bool:
        cur = await conn.execute(
            sql.SQL("select {}(%s, %s, %s::json)").format(self._fn("complete_task_v1")), (claim.id, claim.claim_token, output_json)
        )
        row = await cur.fetchone()
        return bool(row and row[0])

    async def fail(
        self,
        conn: psycopg.AsyncConnection[Any],
        claim: Claim,
        error: dict[str, Any],
        retryable: bool,
        max_attempts: Optional[int],
        backoff: Optional[dict[str, Any]],
    ) -> Optional[str]:
        """'retried', 'failed', or None when the claim was no longer held."""
        cur = await conn.execute(
            sql.SQL("select {}(%s, %s, %s::json, %s, %s, %s::json)").format(self._fn("fail_task_v1")),
            (
                claim.id,
                claim.claim_token,
                json.dumps(error),
                retryable,
                max_attempts,
                None if backoff is None else json.dumps(backoff),
            ),
        )
        row = await cur.fetchone()
        return row[0] if row else None

    async def release(self, conn: psycopg.AsyncConnection[Any], claim: Claim) -> bool:
        cur = await conn.execute(sql.SQL("select {}(%s, %s)").format(self._fn("release_task_v1")), (claim.id, claim.claim_token))
        row = await cur.fetchone()
        return bool(row and row[0])

    async def expire_leases(self, conn: psycopg.AsyncConnection[Any], limit: int = 100) -> int:
        cur = await conn.execute(sql.SQL("select {}(%s)").format(self._fn("expire_leases_v1")), (limit,))
        row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def log(self, conn: psycopg.AsyncConnection[Any], claim: Claim, message: str) -> bool:
        cur = await conn.execute(sql.SQL("select {}(%s, %s, %s)").format(self._fn("task_log_v1")), (claim.id, claim.claim_token, message))
        row = await cur.fetchone()
        return bool(row and row[0])
