"""Moments in the store are UTC. SQLite hands them back naive; PostgreSQL aware."""

from __future__ import annotations

from datetime import UTC, datetime


def utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def iso(moment: datetime) -> str:
    """`2026-12-02T03:00:00Z`: to the second, as the JSON report writes times."""
    return utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")
