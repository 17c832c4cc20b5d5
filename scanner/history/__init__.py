"""The scan history store: runs, their findings by fingerprint and their redacted population,
in SQLite (default) or PostgreSQL through SQLAlchemy Core, with Alembic migrations run on open.

Layer: imports scanner.core and scanner.compliance only (docs/architecture.md).

The names below load on first use: every scan imports `scanner.history.operator` (who ran it),
which must not pull SQLAlchemy into a scan that stores nothing.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scanner.history.locations import (
        StoreURLError,
        default_store_path,
        mask,
        parse_store_url,
    )
    from scanner.history.store import HistoryStore, StoreError

_HOMES = {
    "HistoryStore": "scanner.history.store",
    "StoreError": "scanner.history.store",
    "StoreURLError": "scanner.history.locations",
    "default_store_path": "scanner.history.locations",
    "mask": "scanner.history.locations",
    "parse_store_url": "scanner.history.locations",
}

__all__ = [
    "HistoryStore",
    "StoreError",
    "StoreURLError",
    "default_store_path",
    "mask",
    "parse_store_url",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'scanner.history' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
