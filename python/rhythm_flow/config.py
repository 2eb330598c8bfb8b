"""Which database: the URL given, else RHYTHM_DATABASE_URL, else the `rhythm dev` running in this
folder (its embedded database, served on localhost and recorded in ./.rhythm/dev.json), as the
TypeScript CLI finds it."""

from __future__ import annotations

import json
import os
from typing import Optional

from .errors import InvalidArgumentError


def _dev_url(folder: str) -> Optional[str]:
    try:
        with open(os.path.join(folder, ".rhythm", "dev.json"), encoding="utf8") as f:
            dev = json.load(f)
        url, pid = dev.get("url"), dev.get("pid")
        if not isinstance(url, str) or not isinstance(pid, int):
            return None
        os.kill(pid, 0)  # a file left by a rhythm dev that stopped names nothing
        return url
    except (OSError, ValueError):
        return None


def database_url(url: Optional[str]) -> str:
    found = url or os.environ.get("RHYTHM_DATABASE_URL") or _dev_url(os.getcwd())
    if not found:
        raise InvalidArgumentError(
            "no database: pass database_url (or --database-url), set RHYTHM_DATABASE_URL, or run `rhythm dev` in this folder"
        )
    return found
