"""Durations and retry policies, read as the TypeScript client reads them (shared/retries.ts)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping, Union

from .errors import InvalidArgumentError

Duration = Union[int, float, str]
"""Seconds (``1.5``) or a string with a unit: ``"250ms"``, ``"10s"``, ``"5m"``, ``"2h"``, ``"1d"``."""

Retries = Union[int, Mapping[str, Any]]
"""Retries after the first attempt (default 3), or ``{"limit", "initial", "max", "factor"}``."""

_UNITS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$")


def duration_ms(value: Duration, what: str) -> int:
    """A duration in whole milliseconds; bad values raise InvalidArgumentError."""
    if isinstance(value, bool):
        raise InvalidArgumentError(f"{what}: give seconds or a string like \"10s\", not {value!r}")
    if isinstance(value, (int, float)):
        if value < 0 or value != value or value == float("inf"):
            raise InvalidArgumentError(f"{what}: must be a non-negative number of seconds")
        return round(value * 1000)
    if isinstance(value, str):
        m = _DURATION.match(value)
        if m:
            return round(float(m.group(1)) * _UNITS[m.group(2)])
    raise InvalidArgumentError(f"{what}: give seconds or a string like \"10s\", \"250ms\", \"5m\", not {value!r}")


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    backoff: dict[str, float]


DEFAULT_BACKOFF = {"initialMs": 1000, "maxMs": 300_000, "factor": 2}
DEFAULT_RETRIES = 3


def retry_policy(option: Retries | None, what: str) -> RetryPolicy | None:
    """The policy a ``retries`` option gives; None when there is none (the worker's registration decides)."""
    if option is None:
        return None
    if isinstance(option, bool) or not isinstance(option, (int, Mapping)):
        raise InvalidArgumentError(f"{what}: retries must be a non-negative integer or a mapping")
    if isinstance(option, int):
        if option < 0:
            raise InvalidArgumentError(f"{what}: retries must be a non-negative integer")
        return RetryPolicy(option + 1, dict(DEFAULT_BACKOFF))
    unknown = set(option) - {"limit", "initial", "max", "factor"}
    if unknown:
        raise InvalidArgumentError(f"{what}: retries has unknown keys {sorted(unknown)}")
    limit = option.get("limit", DEFAULT_RETRIES)
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise InvalidArgumentError(f"{what}: retries.limit must be a non-negative integer")
    factor = option.get("factor", DEFAULT_BACKOFF["factor"])
    if isinstance(factor, bool) or not isinstance(factor, (int, float)) or not factor >= 1:
        raise InvalidArgumentError(f"{what}: retries.factor must be >= 1")
    backoff = {
        "initialMs": duration_ms(option["initial"], f"{what}: retries.initial") if "initial" in option else DEFAULT_BACKOFF["initialMs"],
        "maxMs": duration_ms(option["max"], f"{what}: retries.max") if "max" in option else DEFAULT_BACKOFF["maxMs"],
        "factor": factor,
    }
    return RetryPolicy(limit + 1, backoff)
