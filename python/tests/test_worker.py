"""The Python worker against Postgres: handlers sync and async, outputs, retries, errors, timeouts,
heartbeats, cancellation, concurrency, graceful stop and hand-back."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import psycopg

from rhythm_flow import Client, NonRetryableError, TaskCancelledError, TaskRegistry

from .conftest import until


def row(db: psycopg.Connection[Any], schema: str, id: str) -> dict[str, Any]:
    cur = db.execute(
        f'select status, attempt, output, error, errors, claim_token, worker_id from "{schema}".executions where id = %s', (id,)
    )
    r = cur.fetchone()
    assert r is not None
    return dict(zip(["status", "attempt", "output", "error", "errors", "claim_token", "worker_id"], r))


def test_sync_and_async_handlers_complete_with_their_output_in_key_order(client: Client, tasks: TaskRegistry, start_worker: Any) -> None:
    seen: list[tuple[str, int, str]] = []

    def add(inputs: Any, ctx: Any) -> Any:
        seen.append((ctx.execution_id, ctx.attempt, threading.current_thread().name))
        return {"zulu": inputs["a"] + inputs["b"], "alpha": [1, {"y": 2, "x": 3}]}

    async def shout(inputs: Any, ctx: Any) -> Any:
        await asyncio.sleep(0)
        return inputs["word"].upper()

    tasks.register("sync-add", add)
    tasks.register("async-shout", shout)
    start_worker()
    a = client.queue_task("sync-add", {"a": 2, "b": 3})
    b = client.queue_task("async-shout", {"word": "hé"})
    done = client.wait(a, timeout=15)
    assert done.status == "completed"
    assert done.output == {"zulu": 5, "alpha": [1, {"y": 2, "x": 3}]}
    assert list(done.output) == ["zulu", "alpha"]
    assert list(done.output["alpha"][1]) == ["y", "x"]
    assert client.wait(b, timeout=15).output == "HÉ"
    # a sync handler runs on a thread of the worker's pool, told its execution and attempt
    assert seen[0][0] == a and seen[0][1] == 1 and seen[0][2].startswith("rhythm-task")


def test_a_failure_is_retried_per_the_retries_given_and_its_errors_kept(
    client: Client, tasks: TaskRegistry, start_worker: Any, db: psycopg.Connection[Any], schema: str
) -> None:
    class Flaky(Exception):
        def __init__(self, message: str, code: int) -> None:
            super().__init__(message)
            self.code = code

    def flaky(inputs: Any, ctx: Any) -> Any:
        if ctx.attempt < 3:
            raise Flaky(f"try {ctx.attempt}", code=7)
        return "third time"

    tasks.register("flaky", flaky)
    start_worker()
    id = client.queue_task("flaky", {}, retries={"limit": 2, "initial": "10ms"})
    done = client.wait(id, timeout=15)
    assert (done.status, done.output, done.attempt) == ("completed", "third time", 3)
    assert row(db, schema, id)["errors"] == [
        {"name": "Flaky", "message": "try 1", "code": 7, "attempt": 1},
        {"name": "Flaky", "message": "try 2", "code": 7, "attempt": 2},
    ]


def test_retries_used_up_fail_the_task_and_the_registration_decides_when_the_caller_did_not(
    client: Client, tasks: TaskRegistry, start_worker: Any
) -> None:
    def always(inputs: Any, ctx: Any) -> Any:
        raise ValueError(f"no {ctx.attempt}")

    tasks.register("always", always, retries={"limit": 1, "initial": "10ms"})
    start_worker()
    done = client.wait(client.queue_task("always", {}), timeout=15)
    assert done.status == "failed"
    assert done.attempt == 2
    assert done.error == {"name": "ValueError", "message": "no 2", "attempt": 2}


def test_non_retryable_error_fails_at_once(client: Client, tasks: TaskRegistry, start_worker: Any) -> None:
    def declined(inputs: Any, ctx: Any) -> Any:
        raise NonRetryableError("card declined")

    tasks.register("charge", declined)
    start_worker()
    done = client.wait(client.queue_task("charge", {}, retries=5), timeout=15)
    assert done.status == "failed"
    assert done.attempt == 1
    assert done.error == {"name": "NonRetryableError", "message": "card declined", "nonRetryable": True, "attempt": 1}


def test_a_result_json_cannot_write_fails_without_retries(client: Client, tasks: TaskRegistry, start_worker: Any) -> None:
    tasks.register("bad-result", lambda inputs, ctx: {"when": object()})
    start_worker()
    done = client.wait(client.queue_task("bad-result", {}), timeout=15)
    assert done.status == "failed" and done.attempt == 1
    assert done.error["name"] == "InvalidTaskResultError"


def test_an_attempt_over_its_timeout_fails_with_timeout_and_is_retried(client: Client, tasks: TaskRegistry, start_worker: Any) -> None:
    async def slow(inputs: Any, ctx: Any) -> Any:
        if ctx.attempt == 1:
            await asyncio.sleep(30)
        return "fast enough"

    tasks.register("slow", slow, timeout="500ms", retries={"limit": 1, "initial": "10ms"})
    start_worker()
    id = client.queue_task("slow", {})
    done = client.wait(id, timeout=15)
    assert (done.status, done.output, done.attempt) == ("completed", "fast enough", 2)


def test_heartbeat_keeps_a_long_attempt_alive_in_sync_and_async_handlers(
    client: Client, tasks: TaskRegistry, start_worker: Any
) -> None:
    def sync_long(inputs: Any, ctx: Any) -> Any:
        for _ in range(5):
            time.sleep(0.3)
            ctx.heartbeat()
        return "sync ok"

    async def async_long(inputs: Any, ctx: Any) -> Any:
        for _ in range(5):
            await asyncio.sleep(0.3)
            await ctx.heartbeat()
        return "async ok"

    # a timeout shorter than the work (1.5 s): only the heartbeats keep the attempts going
    tasks.register("sync-long", sync_long, timeout="1s", retries=0)
    tasks.register("async-long", async_long, timeout="1s", retries=0)
    start_worker()
    a = client.queue_task("sync-long", {})
    b = client.queue_task("async-long", {})
    assert client.wait(a, timeout=15).output == "sync ok"
    assert client.wait(b, timeout=15).output == "async ok"


def cancel(db: psycopg.Connection[Any], schema: str, id: str) -> None:
    """Cancels as the engine's Cancel does (rhythm cancel): the row, and NOTIFY c:<id>."""
    db.execute(
        f"""update "{schema}".executions set status = 'cancelled', finished_at = now(), cancel_requested = true,
            claim_token = null, lease_expires_at = null, error = '{{"name":"Cancelled","type":"Cancelled","message":"cancelled"}}'
            where id = %s""",
        (id,),
    )
    db.execute("select pg_notify(%s, %s)", (f"{schema}_events", f"c:{id}"))


def test_cancellation_reaches_the_handler_and_nothing_is_recorded(
    client: Client, tasks: TaskRegistry, start_worker: Any, db: psycopg.Connection[Any], schema: str
) -> None:
    started = threading.Event()
    outcome: dict[str, Any] = {}

    def patient(inputs: Any, ctx: Any) -> Any:
        started.set()
        outcome["woke"] = ctx.cancel_event.wait(15)
        try:
            ctx.heartbeat()
        except TaskCancelledError as e:
            outcome["heartbeat"] = e.code
        return "too late"

    tasks.register("patient", patient)
    start_worker()
    id = client.queue_task("patient", {})
    assert started.wait(15)
    cancel(db, schema, id)
    until("the handler to hear of it", lambda: "heartbeat" in outcome)
    assert outcome == {"woke": True, "heartbeat": "TASK_CANCELLED"}
    time.sleep(0.2)
    r = row(db, schema, id)
    assert r["status"] == "cancelled" and r["output"] is None


def test_concurrency_bounds_attempts_at_once_and_per_task_limits_hold(client: Client, tasks: TaskRegistry, start_worker: Any) -> None:
    lock = threading.Lock()
    now = {"all": 0, "capped": 0}
    most = {"all": 0, "capped": 0}

    def work(kind: str) -> Any:
        def handler(inputs: Any, ctx: Any) -> Any:
            with lock:
                now["all"] += 1
                now[kind] = now.get(kind, 0) + 1
                most["all"] = max(most["all"], now["all"])
                most[kind] = max(most.get(kind, 0), now[kind])
            time.sleep(0.05)
            with lock:
                now["all"] -= 1
                now[kind] -= 1
            return None

        return handler

    tasks.register("free", work("free"))
    tasks.register("capped", work("capped"), concurrency=1)
    start_worker(concurrency=3)
    ids = [client.queue_task("free", {}) for _ in range(8)] + [client.queue_task("capped", {}) for _ in range(4)]
    for id in ids:
        assert client.wait(id, timeout=30).status == "completed"
    assert most["all"] <= 3
    assert most["capped"] == 1


def test_stop_lets_running_attempts_finish_and_hands_back_the_rest(
    client: Client, tasks: TaskRegistry, start_worker: Any, db: psycopg.Connection[Any], schema: str
) -> None:
    quick_started = threading.Event()
    slow_started = threading.Event()

    def quick(inputs: Any, ctx: Any) -> Any:
        quick_started.set()
        time.sleep(0.3)
        return "finished in the grace period"

    async def stuck(inputs: Any, ctx: Any) -> Any:
        slow_started.set()
        await asyncio.sleep(60)

    tasks.register("quick", quick)
    tasks.register("stuck", stuck)
    w = start_worker(shutdown_timeout=3.0)
    a = client.queue_task("quick", {})
    b = client.queue_task("stuck", {})
    assert quick_started.wait(15) and slow_started.wait(15)
    w.stop()
    assert client.get(a).output == "finished in the grace period"  # type: ignore[union-attr]
    handed_back = row(db, schema, b)
    assert (handed_back["status"], handed_back["attempt"], handed_back["claim_token"]) == ("queued", 0, None)
    # the worker's row is gone: get/list no longer count it
    assert db.execute(f'select count(*) from "{schema}".workers').fetchone() == (0,)


def test_a_worker_registers_its_queues_and_tasks_and_serves_only_its_queues(
    client: Client, tasks: TaskRegistry, start_worker: Any, db: psycopg.Connection[Any], schema: str
) -> None:
    tasks.register("echo", lambda inputs, ctx: inputs)
    w = start_worker(queues=["py-a", "py-b"])
    until("its row", lambda: db.execute(f'select queues, tasks from "{schema}".workers').fetchall())
    assert db.execute(f'select queues, tasks from "{schema}".workers').fetchall() == [(["py-a", "py-b"], ["echo"])]
    served = client.queue_task("echo", {"q": "b"}, queue="py-b")
    other = client.queue_task("echo", {"q": "c"}, queue="py-c")
    assert client.wait(served, timeout=15).output == {"q": "b"}
    w.stop()
    assert client.get(other).status == "queued"  # type: ignore[union-attr]


def test_a_task_due_later_runs_when_due(client: Client, tasks: TaskRegistry, start_worker: Any) -> None:
    tasks.register("later", lambda inputs, ctx: "ran")
    start_worker(poll_interval=30)
    # the r:<ms>:<queue> notification wakes the worker then, not its 30 s poll
    id = client.queue_task("later", {}, delay="300ms")
    assert client.get(id).status == "queued"  # type: ignore[union-attr]
    assert client.wait(id, timeout=10).output == "ran"


def test_ctx_log_writes_the_executions_log_before_its_outcome(
    client: Client, tasks: TaskRegistry, start_worker: Any, db: psycopg.Connection[Any], schema: str
) -> None:
    def logs(inputs: Any, ctx: Any) -> Any:
        for n in range(3):
            ctx.log(f"line {n}")
        return None

    tasks.register("logs", logs)
    start_worker()
    id = client.queue_task("logs", {})
    client.wait(id, timeout=15)
    lines = db.execute(f'select level, message, source from "{schema}".logs where execution_id = %s order by seq', (id,)).fetchall()
    assert lines == [("log", "line 0", "task"), ("log", "line 1", "task"), ("log", "line 2", "task")]


def test_a_worker_waits_for_a_database_it_cannot_reach_and_stops_when_asked(tasks: TaskRegistry) -> None:
    from rhythm_flow import Worker

    from .conftest import RunningWorker

    tasks.register("never", lambda inputs, ctx: None)
    r = RunningWorker(Worker("postgres://postgres@127.0.0.1:1/postgres", registry=tasks))
    time.sleep(0.5)
    assert r.thread.is_alive() and not r.worker.ready.is_set()
    r.stop()


def test_a_concurrency_key_holds_across_two_python_workers(
    client: Client, tasks: TaskRegistry, start_worker: Any, db: psycopg.Connection[Any], schema: str
) -> None:
    # the key is enforced in the database (migrations 008, 018): two workers, each free to run
    # four at once, never run two tasks of a key of limit 1 together
    lock = threading.Lock()
    now = {"n": 0, "most": 0}

    def handler(inputs: Any, ctx: Any) -> Any:
        with lock:
            now["n"] += 1
            now["most"] = max(now["most"], now["n"])
        time.sleep(0.03)
        with lock:
            now["n"] -= 1
        return inputs["i"]

    tasks.register("keyed", handler)
    ids = [client.queue_task("keyed", {"i": i}, concurrency={"key": "one-at-a-time", "limit": 1}) for i in range(6)]
    start_worker(concurrency=4)
    start_worker(concurrency=4)
    for i, id in enumerate(ids):
        done = client.wait(id, timeout=30)
        assert done.status == "completed"
        assert done.output == i
    assert now["most"] == 1
    holders = db.execute(f'select count(*) from "{schema}".executions where holds_slot').fetchone()
    assert holders is not None and holders[0] == 0
