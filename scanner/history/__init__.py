"""The scan history store: runs, their findings by fingerprint and their redacted population,
in SQLite (default) or PostgreSQL through SQLAlchemy Core, with Alembic migrations run on open.

Layer: imports scanner.core and scanner.compliance only (docs/architecture.md).
"""

from __future__ import annotations

from scanner.history.locations import StoreURLError, default_store_path, mask, parse_store_url
from scanner.history.store import HistoryStore, StoreError

__all__ = [
    "HistoryStore",
    "StoreError",
    "StoreURLError",
    "default_store_path",
    "mask",
    "parse_store_url",
]
