"""``python -m rhythm_flow worker --tasks <module> [--queues a,b] [--concurrency N] [--database-url URL]``."""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import logging
import os
import sys
import threading
from typing import Optional, Sequence

from .errors import RhythmError
from .registry import registry
from .worker import Worker

log = logging.getLogger("rhythm_flow")


def load_tasks(spec: str) -> None:
    """Imports a module by name (``my_app.tasks``) or a file (``tasks.py``); its ``@task`` handlers register."""
    if spec.endswith(".py") or os.sep in spec:
        path = os.path.abspath(spec)
        if not os.path.isfile(path):
            raise RhythmError(f"--tasks: no such file {spec}", code="INVALID_ARGUMENT")
        name = os.path.splitext(os.path.basename(path))[0]
        sys.path.insert(0, os.path.dirname(path))
        module_spec = importlib.util.spec_from_file_location(name, path)
        assert module_spec is not None and module_spec.loader is not None
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[name] = module
        module_spec.loader.exec_module(module)
        return
    sys.path.insert(0, os.getcwd())
    importlib.import_module(spec)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m rhythm_flow", description="Python tasks for Rhythm workflows.")
    sub = p.add_subparsers(dest="command", required=True)
    w = sub.add_parser("worker", help="run the tasks of a module until SIGINT/SIGTERM")
    w.add_argument("--tasks", required=True, action="append", help="module (my_app.tasks) or file (tasks.py) with @task handlers; repeatable")
    w.add_argument("--queues", default="default", help="queues to serve, comma-separated (default: default)")
    w.add_argument("--concurrency", type=int, default=10, help="attempts run at once (default 10)")
    w.add_argument("--database-url", default=None, help="Postgres URL (default: RHYTHM_DATABASE_URL)")
    w.add_argument("--schema", default="rhythm", help="Rhythm's schema (default rhythm)")
    w.add_argument("--lease", type=float, default=30.0, help="seconds a claim lasts without a heartbeat (default 30)")
    w.add_argument("--shutdown-timeout", type=float, default=10.0, help="seconds running tasks get to finish at stop (default 10)")
    w.add_argument("--log-level", default=os.environ.get("RHYTHM_LOG_LEVEL", "INFO"), help="DEBUG, INFO, WARNING … (default INFO)")
    return p


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        for spec in args.tasks:
            load_tasks(spec)
        worker = Worker(
            args.database_url,
            queues=[q.strip() for q in args.queues.split(",") if q.strip()],
            concurrency=args.concurrency,
            registry=registry,
            schema=args.schema,
            lease=args.lease,
            shutdown_timeout=args.shutdown_timeout,
        )
        worker.run_sync()
    except RhythmError as e:
        print(f"rhythm_flow: {e} ({e.code})", file=sys.stderr)
        return 2
    except ModuleNotFoundError as e:
        print(f"rhythm_flow: --tasks: {e}", file=sys.stderr)
        return 2
    # a sync handler still running on a thread (it ignored ctx.cancelled) was handed back; it
    # would keep the interpreter from exiting
    if any(t.name.startswith("rhythm-task") and t.is_alive() for t in threading.enumerate()):
        log.warning("a task thread is still running after the stop; exiting without it")
        logging.shutdown()
        os._exit(0)
    return 0
