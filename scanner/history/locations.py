"""Store URLs: the default SQLite file, plain paths, PostgreSQL through psycopg 3, and how a URL
is shown to people (never with its password)."""

from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_FILE_NAME = "history.db"
# `--store` given without a value means this.
DEFAULT_STORE = "default"


class StoreURLError(ValueError):
    """The store URL is not one comply can use; the message says why (without the password)."""


def default_store_path() -> Path:
    """$XDG_DATA_HOME/comply/history.db, i.e. ~/.local/share/comply/history.db by default."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "comply" / DEFAULT_FILE_NAME


def parse_store_url(value: str) -> URL:
    """A SQLAlchemy URL for `value`: `default`, a path, `sqlite:///...` or `postgresql://...`."""
    text = value.strip()
    if not text or text == DEFAULT_STORE:
        return sa.URL.create("sqlite", database=str(default_store_path()))
    if "://" not in text:  # a plain file path
        return sa.URL.create("sqlite", database=str(Path(text).expanduser()))
    try:
        url = make_url(text)
    except ArgumentError:
        raise StoreURLError(f"not a database URL: {mask(text)}") from None
    backend = url.get_backend_name()
    if backend == "sqlite":
        if url.database in (None, "", ":memory:"):
            raise StoreURLError(
                f"{mask(text)}: the history store needs a file (sqlite:///path/history.db)"
            )
        return url.set(drivername="sqlite")
    if backend in ("postgresql", "postgres"):
        # psycopg 3 is comply's PostgreSQL driver (pip install 'comply[postgres]').
        return url.set(drivername="postgresql+psycopg")
    raise StoreURLError(
        f"{mask(text)}: unsupported database {backend!r}; use sqlite:///PATH or postgresql://..."
    )


def mask(value: str | URL) -> str:
    """The URL as it may be printed or stored: the password replaced by ***."""
    if isinstance(value, URL):
        return value.render_as_string(hide_password=True)
    try:
        return make_url(value).render_as_string(hide_password=True)
    except ArgumentError:
        return value if "@" not in value else "<a database URL>"
