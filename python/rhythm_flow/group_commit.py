"""Completions written in batches: each batch is one call of complete_tasks_v1 (one transaction,
one wait for the disk), with at most two batches in flight — what the TypeScript worker's group
commit does. An attempt waits for its batch; a batch that fails for good fails each of them."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg import sql

from .protocol import Claim

if TYPE_CHECKING:
    from .worker import Worker

log = logging.getLogger("rhythm_flow.worker")

#: Completions in one batch at most.
BATCH = 500
#: Batches in flight at once.
IN_FLIGHT = 2


class GroupCommit:
    def __init__(self, worker: "Worker") -> None:
        self.worker = worker
        self._pending: list[tuple[Claim, str, asyncio.Future[bool]]] = []
        self._in_flight = 0

    def complete(self, claim: Claim, output_json: str) -> "asyncio.Future[bool]":
        """Resolves with whether the completion was written (false: the claim was no longer held)."""
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._pending.append((claim, output_json, done))
        self._flush()
        return done

    def _flush(self) -> None:
        while self._pending and self._in_flight < IN_FLIGHT:
            batch, self._pending = self._pending[:BATCH], self._pending[BATCH:]
            self._in_flight += 1
            asyncio.ensure_future(self._write(batch))

    async def _write(self, batch: list[tuple[Claim, str, "asyncio.Future[bool]"]]) -> None:
        # the outputs are JSON texts already: spliced as they are, their key order kept
        items = "[" + ",".join(
            f'{{"id":{json.dumps(c.id)},"token":{json.dumps(c.claim_token)},"output":{out}}}' for c, out, _ in batch
        ) + "]"
        fn = sql.SQL("select id, written from {}.{}(%s::json)").format(
            sql.Identifier(self.worker.protocol.schema), sql.Identifier("complete_tasks_v1")
        )

        async def call(conn: psycopg.AsyncConnection[Any]) -> dict[str, bool]:
            for attempt in range(5):
                try:
                    cur = await conn.execute(fn, (items,))
                    return {str(r[0]): bool(r[1]) for r in await cur.fetchall()}
                except psycopg.errors.DeadlockDetected:
                    # two batches waking the same workflows in another order: the loser runs again
                    if attempt == 4:
                        raise
                    await asyncio.sleep(0.01 * (attempt + 1))
            raise AssertionError("unreachable")

        try:
            written = await self.worker.call(call, retries=3)
            for c, _, done in batch:
                if not done.done():
                    done.set_result(written.get(c.id, False))
        except Exception as e:
            log.warning("a batch of %d completions was not written: %s", len(batch), e)
            for _, _, done in batch:
                if not done.done():
                    done.set_exception(e)
        finally:
            self._in_flight -= 1
            self._flush()
