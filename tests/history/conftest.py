"""History-store fixtures: every store test runs against SQLite and a real PostgreSQL server.

PostgreSQL comes from COMPLY_TEST_POSTGRES_URL (.ci/postgres.sh starts a cluster on loopback and
exports it; CI always does). Each test gets a database of its own, dropped afterwards.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

POSTGRES_ENV = "COMPLY_TEST_POSTGRES_URL"
NO_POSTGRES = (
    f"{POSTGRES_ENV} is not set: start a server with `source .ci/postgres.sh` (CI always does)"
)


def _admin_engine(url: str) -> sa.Engine:
    admin = sa.make_url(url).set(drivername="postgresql+psycopg")
    return sa.create_engine(admin, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database on the test server."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        if os.environ.get("CI"):  # CI starts a server: a skip there would hide a broken setup
            pytest.fail(NO_POSTGRES)
        pytest.skip(NO_POSTGRES)
    name = f"comply_test_{secrets.token_hex(6)}"
    engine = _admin_engine(base)
    with engine.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield sa.make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """The same test against an SQLite file and a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'history.db'}"
    return str(request.getfixturevalue("postgres_url"))


from tests.http_hook import hook  # noqa: E402  (the webhook server for the CLI notify tests)

__all__ = ["hook"]
