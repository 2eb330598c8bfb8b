"""The client: queue_task and start_workflow options, idempotency keys, get, wait, signal, and
the typed errors of bad calls."""

from __future__ import annotations

import json
from typing import Any

import psycopg
import pytest

from rhythm_flow import (
    Client,
    ExecutionFinishedError,
    ExecutionNotFoundError,
    InvalidArgumentError,
    SchemaNotReadyError,
    UnknownSignalError,
    WaitTimeoutError,
    WorkflowNotDeployedError,
)

from .conftest import SERVER_URL


def stored(db: psycopg.Connection[Any], schema: str, id: str) -> dict[str, Any]:
    cur = db.execute(
        f"""select kind, name, version, queue, priority, inputs, max_attempts, backoff, timeout_ms, idempotency_key,
                   run_at > now() as later from "{schema}".executions where id = %s""",
        (id,),
    )
    r = cur.fetchone()
    assert r is not None
    names = ["kind", "name", "version", "queue", "priority", "inputs", "max_attempts", "backoff", "timeout_ms", "key", "later"]
    return dict(zip(names, r))


def test_queue_task_stores_its_options_as_the_typescript_client_does(client: Client, db: psycopg.Connection[Any], schema: str) -> None:
    id = client.queue_task(
        "resize",
        {"b": 1, "a": 2},
        queue="images",
        priority=4,
        delay="1m",
        retries={"limit": 2, "initial": "250ms", "max": 10},
        timeout=30,
        idempotency_key="img-1",
    )
    s = stored(db, schema, id)
    assert list(s["inputs"]) == ["b", "a"]
    assert s == {
        "kind": "task",
        "name": "resize",
        "version": None,
        "queue": "images",
        "priority": 4,
        "inputs": {"b": 1, "a": 2},
        "max_attempts": 3,
        "backoff": {"initialMs": 250, "maxMs": 10000, "factor": 2},
        "timeout_ms": 30000,
        "key": "img-1",
        "later": True,
    }
    # the same key again starts nothing: the first execution's id comes back
    assert client.queue_task("resize", {}, idempotency_key="img-1") == id
    assert db.execute(f'select count(*) from "{schema}".executions').fetchone() == (1,)


def test_start_workflow_runs_the_newest_deployed_version(client: Client, db: psycopg.Connection[Any], schema: str) -> None:
    with pytest.raises(WorkflowNotDeployedError) as e:
        client.start_workflow("checkout", {"cart": 1})
    assert e.value.code == "WORKFLOW_NOT_DEPLOYED"
    for version, at in (("v1", "2026-01-01"), ("v2", "2026-02-01")):
        db.execute(
            f"""insert into "{schema}".workflow_versions (name, version, source, program, deployed_at)
                values ('checkout', %s, '', %s, %s)""",
            (version, json.dumps({"signals": {"names": ["paid"], "computed": False}}), at),
        )
    id = client.start_workflow("checkout", {"cart": 1}, queue="shop")
    s = stored(db, schema, id)
    assert (s["kind"], s["version"], s["queue"], s["inputs"]) == ("workflow", "v2", "shop", {"cart": 1})
    e2 = client.get(id)
    assert e2 is not None and e2.status == "queued" and not e2.finished

    # a signal its version waits on is buffered until a wait takes it; another name is refused
    client.signal(id, "paid", {"amount": 5})
    assert db.execute(f'select name, payload from "{schema}".signals').fetchall() == [("paid", {"amount": 5})]
    with pytest.raises(UnknownSignalError):
        client.signal(id, "refunded")
    client.signal(id, "refunded", force=True)


def test_reads_and_waits(client: Client, db: psycopg.Connection[Any], schema: str) -> None:
    assert client.get("00000000-0000-0000-0000-000000000000") is None
    id = client.queue_task("never-run", {})
    with pytest.raises(WaitTimeoutError):
        client.wait(id, timeout=0.2)
    with pytest.raises(ExecutionNotFoundError):
        client.wait("00000000-0000-0000-0000-000000000000", timeout=1)
    with pytest.raises(ExecutionFinishedError):
        client.signal(id, "go")
    with pytest.raises(ExecutionNotFoundError):
        client.signal("00000000-0000-0000-0000-000000000000", "go")


def test_bad_arguments_are_typed_errors_and_write_nothing(client: Client, db: psycopg.Connection[Any], schema: str) -> None:
    for call in (
        lambda: client.queue_task("", {}),
        lambda: client.queue_task("t", {"x": object()}),
        lambda: client.queue_task("t", {}, retries=-1),
        lambda: client.queue_task("t", {}, retries={"limit": 1, "jitter": True}),
        lambda: client.queue_task("t", {}, delay="soon"),
        lambda: client.queue_task("t", {}, delay=1, run_at="2030-01-01T00:00:00Z"),
        lambda: client.queue_task("t", {}, queue=""),
        lambda: client.queue_task("t", {}, priority=1.5),  # type: ignore[arg-type]
        lambda: client.get("not-a-uuid"),
    ):
        with pytest.raises(InvalidArgumentError):
            call()
    assert db.execute(f'select count(*) from "{schema}".executions').fetchone() == (0,)


def test_a_schema_without_the_protocol_is_a_clear_error(db: psycopg.Connection[Any]) -> None:
    with Client(SERVER_URL, schema="rhythm_py_missing") as c:
        with pytest.raises(SchemaNotReadyError) as e:
            c.queue_task("t", {})
        assert e.value.code == "SCHEMA_NOT_READY" and "rhythm migrate" in str(e.value)


def test_queue_task_stores_concurrency_and_rate_limit_and_refuses_bad_ones(
    client: Client, db: psycopg.Connection[Any], schema: str
) -> None:
    id = client.queue_task(
        "send", {}, concurrency={"key": "user-1"}, rate_limit={"key": "smtp", "limit": 10, "per": "1s"}
    )
    row = db.execute(
        f'select concurrency_key, concurrency_limit, rate_key, rate_limit, rate_per_ms from "{schema}".executions where id = %s',
        (id,),
    ).fetchone()
    assert row == ("user-1", 1, "smtp", 10, 1000)
    with pytest.raises(InvalidArgumentError):
        client.queue_task("send", {}, concurrency={"key": "k", "limit": 0})
    with pytest.raises(InvalidArgumentError):
        client.queue_task("send", {}, rate_limit={"key": "k", "limit": 1})
    assert db.execute(f'select count(*) from "{schema}".executions').fetchone() == (1,)
