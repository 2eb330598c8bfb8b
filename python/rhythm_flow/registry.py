"""Task handlers registered at import: ``@task("name")`` on ``def handler(inputs, ctx)`` (sync or async)."""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from .errors import InvalidArgumentError
from .options import Duration, Retries, RetryPolicy, duration_ms, retry_policy

Handler = Callable[[Any, Any], Any]


@dataclass(frozen=True)
class Registration:
    name: str
    handler: Handler
    is_async: bool
    retries: Optional[RetryPolicy] = None
    timeout_ms: Optional[int] = None
    concurrency: Optional[int] = None


@dataclass
class TaskRegistry:
    """The tasks a worker can run, by name."""

    tasks: dict[str, Registration] = field(default_factory=dict)

    def register(
        self,
        name: str,
        handler: Handler,
        *,
        retries: Retries | None = None,
        timeout: Duration | None = None,
        concurrency: int | None = None,
    ) -> Registration:
        if not isinstance(name, str) or not name or len(name) > 200:
            raise InvalidArgumentError(f"task name must be a non-empty string of at most 200 characters, not {name!r}")
        if not callable(handler):
            raise InvalidArgumentError(f'task "{name}": the handler must be callable')
        if concurrency is not None and (isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1):
            raise InvalidArgumentError(f'task "{name}": concurrency must be a positive integer')
        reg = Registration(
            name=name,
            handler=handler,
            is_async=inspect.iscoroutinefunction(handler),
            retries=retry_policy(retries, f'task "{name}"'),
            timeout_ms=None if timeout is None else duration_ms(timeout, f'task "{name}": timeout'),
            concurrency=concurrency,
        )
        self.tasks[name] = reg
        return reg

    def get(self, name: str) -> Registration | None:
        return self.tasks.get(name)

    def names(self) -> list[str]:
        return list(self.tasks)


_default = TaskRegistry()
registry = _default
"""The registry ``@task`` writes to, and that ``python -m rhythm_flow worker`` runs."""


def task(
    name: str,
    *,
    retries: Retries | None = None,
    timeout: Duration | None = None,
    concurrency: int | None = None,
    registry: TaskRegistry | None = None,
) -> Callable[[Handler], Handler]:
    """Registers the decorated function as the handler of task ``name``.

    ``retries``: retries after the first attempt (default 3) or ``{"limit", "initial", "max",
    "factor"}``, used when the caller gave none. ``timeout``: the lease of each attempt (seconds or
    ``"30s"``); an attempt that overruns it fails with ``Timeout`` and is retried. ``concurrency``:
    at most this many attempts of this task at once in one worker.
    """
    target = registry if registry is not None else _default

    def decorate(handler: Handler) -> Handler:
        target.register(name, handler, retries=retries, timeout=timeout, concurrency=concurrency)
        return handler

    return decorate
