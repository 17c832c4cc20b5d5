"""JSON text for the store's structured columns: compact, key-sorted, and total (a value JSON
cannot hold, such as the Unknown marker, becomes a small tagged object or its text)."""

from __future__ import annotations

import json
from typing import Any

from scanner.core.model import Unknown


def _plain(value: Any) -> Any:
    if isinstance(value, Unknown):
        return {"unknown": value.reason}
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


def to_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True, default=_plain)


def from_json(text: str | None, default: Any = None) -> Any:
    if text is None or text == "":
        return default
    return json.loads(text)
