"""Inserting a run's many rows fast: the driver's own bulk path, one statement per table.

SQLAlchemy's executemany builds a parameter dict per row, which dominates a 100,000-finding
run; here rows are plain tuples in the table's column order. PostgreSQL gets COPY (psycopg 3),
SQLite a prepared INSERT run by `executemany`. Both inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection


def _sqlite_value(value: Any) -> Any:
    # SQLAlchemy's SQLite DateTime storage format (UTC, naive), which its reader parses back.
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def insert_rows(connection: Connection, table: sa.Table, rows: Sequence[Sequence[Any]]) -> None:
    """Insert `rows`, each a tuple in `table.columns` order."""
    if not rows:
        return
    names = [column.name for column in table.columns]
    if connection.dialect.name == "postgresql":
        quoted = ", ".join(f'"{name}"' for name in names)
        driver = connection.connection.driver_connection
        assert driver is not None
        with (
            driver.cursor() as cursor,
            cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    placeholders = ", ".join("?" for _ in names)
    columns = ", ".join(f'"{name}"' for name in names)
    # Table and column names come from schema.py, never from input.
    statement = f'INSERT INTO "{table.name}" ({columns}) VALUES ({placeholders})'  # noqa: S608
    moments = [i for i, column in enumerate(table.columns) if isinstance(column.type, sa.DateTime)]
    prepared: list[Sequence[Any]] = list(rows)
    if moments:
        prepared = []
        for row in rows:
            values = list(row)
            for index in moments:
                values[index] = _sqlite_value(values[index])
            prepared.append(values)
    connection.exec_driver_sql(statement, [tuple(row) for row in prepared])
