"""``python -m rhythm_flow worker``: runs a tasks file's handlers until SIGTERM, and refuses bad
arguments with a clear message."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from rhythm_flow import Client

from .conftest import ROOT, SERVER_URL


def run_cli(args: list[str], env: dict[str, str] | None = None, **kw: Any) -> subprocess.Popen[str]:
    e = {**os.environ, "PYTHONPATH": str(ROOT / "python"), **(env or {})}
    return subprocess.Popen([sys.executable, "-m", "rhythm_flow", *args], env=e, text=True, stderr=subprocess.PIPE, **kw)


def test_the_worker_command_runs_tasks_until_sigterm(client: Client, schema: str, tmp_path: Path) -> None:
    (tmp_path / "my_tasks.py").write_text(
        textwrap.dedent(
            """
            from rhythm_flow import task

            @task("greet")
            def greet(inputs, ctx):
                return f"hello {inputs['name']}"
            """
        )
    )
    p = run_cli(
        ["worker", "--tasks", str(tmp_path / "my_tasks.py"), "--queues", "py,other", "--concurrency", "2", "--schema", schema],
        env={"RHYTHM_DATABASE_URL": SERVER_URL},
    )
    try:
        id = client.queue_task("greet", {"name": "Ada"}, queue="py")
        assert client.wait(id, timeout=20).output == "hello Ada"
    finally:
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=20)
    assert p.returncode == 0, err
    assert "serving queues py,other" in err and "stopped" in err


def test_bad_arguments_exit_2_with_a_message(schema: str) -> None:
    env = {"RHYTHM_DATABASE_URL": ""}
    p = run_cli(["worker", "--tasks", "no_such_module_here"], env={**env, "RHYTHM_DATABASE_URL": SERVER_URL})
    _, err = p.communicate(timeout=20)
    assert p.returncode == 2 and "no_such_module_here" in err
    p = run_cli(["worker", "--tasks", "json"], env=env)
    _, err = p.communicate(timeout=20)
    assert p.returncode == 2 and "RHYTHM_DATABASE_URL" in err
