"""Opening the history store: the engine, the SQLite settings that make concurrent writers safe,
migrations on open, and write transactions that retry when another writer holds the lock.

SQLite: WAL journal (readers never block the writer), a busy timeout, and every transaction
started with BEGIN IMMEDIATE, so two writers serialise on the database lock instead of failing
midway on a lock upgrade; a writer that still times out is retried. PostgreSQL: a transaction per
write, migrations serialised by an advisory lock.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError

from scanner.history.locations import mask, parse_store_url

T = TypeVar("T")

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
POSTGRES_CONNECT_TIMEOUT_S = 10
# Writers that still find the database locked after the busy timeout try again this often.
WRITE_ATTEMPTS = 5
# pg_advisory_xact_lock key serialising migrations of one database ("comply" in ASCII).
MIGRATION_LOCK_KEY = 0x636F6D706C79
READ_ONLY = "comply_read_only"


class StoreError(Exception):
    """The store cannot be used: unreachable, refused, newer schema. Says which store (no
    password) and what to do."""


def _sqlite_engine(url: URL) -> Engine:
    database = Path(str(url.database))
    try:
        database.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            f"cannot create the folder of history store {database}: {exc.strerror}"
        ) from exc
    engine = sa.create_engine(
        url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, poolclass=sa.NullPool
    )

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the sqlite3 module so that BEGIN IMMEDIATE is ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        # A run's indexes outgrow the default 2 MB page cache; 64 MB keeps inserts in memory.
        cursor.execute("PRAGMA cache_size = -65536")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        # Writers take the write lock up front; readers (WAL) take none and never block a writer.
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def _postgres_engine(url: URL) -> Engine:
    try:
        import psycopg  # noqa: F401  (only to give a clear message when it is missing)
    except ImportError:
        raise StoreError(
            "PostgreSQL stores need psycopg 3: pip install 'comply[postgres]'"
        ) from None
    return sa.create_engine(
        url,
        connect_args={"connect_timeout": POSTGRES_CONNECT_TIMEOUT_S},
        pool_pre_ping=True,
        pool_size=2,
    )


def _alembic_config(connection: Connection) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def schema_head() -> str:
    """The newest schema revision this version of comply knows."""
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    return {script.revision for script in ScriptDirectory(str(MIGRATIONS)).walk_revisions()}


def _is_locked(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError) and "locked" in str(exc.orig).lower()


class HistoryStore:
    """An open store. `HistoryStore.open(url)` migrates it to the current schema first."""

    def __init__(self, engine: Engine, display_url: str) -> None:
        self.engine = engine
        self.display_url = display_url

    @classmethod
    def open(cls, value: str, *, create: bool = True) -> HistoryStore:
        """Open (and migrate) the store; `create=False` refuses a SQLite file that is missing."""
        from scanner.history.locations import StoreURLError

        try:
            url = parse_store_url(value)
        except StoreURLError as exc:
            raise StoreError(str(exc)) from None
        shown = mask(url.set(drivername=url.get_backend_name()))  # as the user wrote it
        if (
            not create
            and url.get_backend_name() == "sqlite"
            and not Path(str(url.database)).is_file()
        ):
            raise StoreError(f"no history store at {url.database} (a scan with --store creates it)")
        engine = (
            _sqlite_engine(url) if url.get_backend_name() == "sqlite" else _postgres_engine(url)
        )
        store = cls(engine, shown)
        store._migrate()
        return store

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _migrate(self) -> None:
        from alembic import command

        known = known_revisions()
        try:
            with self.engine.begin() as connection:
                if self.dialect == "postgresql":
                    connection.execute(
                        sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
                    )
                current = MigrationContext.configure(connection).get_current_heads()
                newer = [revision for revision in current if revision not in known]
                if newer:
                    raise StoreError(
                        f"history store {self.display_url} has schema revision "
                        f"{', '.join(newer)}, newer than this comply knows (latest "
                        f"{schema_head()}): upgrade comply, or use another store"
                    )
                if current != (schema_head(),):
                    command.upgrade(_alembic_config(connection), "head")
        except StoreError:
            self.close()
            raise
        except (SQLAlchemyError, OSError) as exc:
            self.close()
            raise StoreError(self.describe_failure(exc)) from None

    def describe_failure(self, exc: BaseException) -> str:
        """One line for a database failure: which store, what the driver said (no password)."""
        detail = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
        reason = " ".join(str(detail).split()) or type(detail).__name__
        return f"history store {self.display_url}: {reason}"

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as connection:
                connection.execution_options(**{READ_ONLY: True})
                yield connection
        except SQLAlchemyError as exc:
            raise StoreError(self.describe_failure(exc)) from None

    def write(self, work: Callable[[Connection], T]) -> T:
        """Run `work` in one transaction; retried from scratch while the database is locked."""
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                with self.engine.begin() as connection:
                    return work(connection)
            except OperationalError as exc:
                if not _is_locked(exc) or attempt == WRITE_ATTEMPTS:
                    raise StoreError(self.describe_failure(exc)) from None
                time.sleep(random.uniform(0.05, 0.25) * attempt)  # noqa: S311  (jitter, not crypto)
            except SQLAlchemyError as exc:
                raise StoreError(self.describe_failure(exc)) from None
        raise AssertionError("unreachable")
