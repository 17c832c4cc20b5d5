"""Reading runs: one run's state from its shards, listing with filters, finding the run before."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from scanner.history import schema
from scanner.history.json_values import from_json
from scanner.history.model import COMPLETE, INCOMPLETE, Operator, RunInfo, ShardInfo
from scanner.history.store import StoreError
from scanner.history.timestamps import utc


class RunNotFoundError(StoreError):
    """No run has that id (or the prefix is ambiguous), or there is no run to compare with."""


@dataclass(frozen=True)
class RunFilter:
    source: str | None = None
    target: str | None = None  # a substring of one of the run's targets or of its scope
    scope: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    complete_only: bool = False
    limit: int | None = None


def _shards(connection: Connection, run_ids: Sequence[str]) -> dict[str, list[ShardInfo]]:
    out: dict[str, list[ShardInfo]] = {run_id: [] for run_id in run_ids}
    if not run_ids:
        return out
    table = schema.run_shards
    query = sa.select(table).where(table.c.run_id.in_(list(run_ids))).order_by(table.c.shard_index)
    for row in connection.execute(query).mappings():
        out[row["run_id"]].append(
            ShardInfo(
                index=row["shard_index"],
                status=row["status"],
                started_at=utc(row["started_at"]),
                finished_at=utc(row["finished_at"]) if row["finished_at"] else None,
                targets=from_json(row["targets"], []),
                accounts=from_json(row["accounts"], []),
                regions=from_json(row["regions"], []),
                summary=from_json(row["summary"], {}),
                errors=from_json(row["errors"], []),
            )
        )
    return out


def _first_shard_rows(connection: Connection, run_ids: Sequence[str]) -> dict[str, Any]:
    """The metadata every shard shares, taken from the lowest shard that reported at all."""
    table = schema.run_shards
    rows: dict[str, Any] = {}
    if not run_ids:
        return rows
    query = sa.select(table).where(table.c.run_id.in_(list(run_ids))).order_by(table.c.shard_index)
    for row in connection.execute(query).mappings():
        rows.setdefault(row["run_id"], row)
    return rows


def _build(run: Any, shards: list[ShardInfo], first: Any) -> RunInfo:
    reported = [s for s in shards if s.status == COMPLETE]
    complete = len(reported) == run.shard_total
    summary: Counter[str] = Counter()
    for shard in reported:
        summary.update(shard.summary)
    started = min((s.started_at for s in shards), default=utc(run.created_at))
    finished = max((s.finished_at for s in reported if s.finished_at), default=None)
    return RunInfo(
        run_id=run.run_id,
        scope=run.scope,
        source=run.source,
        status=COMPLETE if complete else INCOMPLETE,
        started_at=started,
        finished_at=finished if complete else None,
        shard_total=run.shard_total,
        shards_reported=len(reported),
        tool_version=first["tool_version"] if first is not None else "",
        arguments=from_json(first["arguments"], []) if first is not None else [],
        targets=sorted({t for s in shards for t in s.targets}),
        accounts=sorted({a for s in shards for a in s.accounts}),
        regions=sorted({r for s in shards for r in s.regions}),
        commit=first["commit"] if first is not None else None,
        operator=Operator(first["operator_user"], first["operator_host"], first["ci_run_url"])
        if first is not None
        else Operator(),
        summary=dict(summary),
        error_count=sum(len(s.errors) for s in reported),
    )


def _infos(connection: Connection, run_rows: Sequence[Any]) -> list[RunInfo]:
    ids = [row.run_id for row in run_rows]
    shards = _shards(connection, ids)
    firsts = _first_shard_rows(connection, ids)
    return [_build(row, shards[row.run_id], firsts.get(row.run_id)) for row in run_rows]


def run_info(connection: Connection, run_id: str) -> RunInfo:
    row = connection.execute(
        sa.select(schema.runs).where(schema.runs.c.run_id == run_id)
    ).one_or_none()
    if row is None:
        raise RunNotFoundError(f"no run {run_id!r} in the history store")
    return _infos(connection, [row])[0]


def resolve_run(connection: Connection, given: str) -> RunInfo:
    """The run whose id is `given`, or the only one that starts with it."""
    table = schema.runs
    exact = connection.execute(sa.select(table).where(table.c.run_id == given)).one_or_none()
    if exact is not None:
        return _infos(connection, [exact])[0]
    matches = connection.execute(
        sa.select(table).where(table.c.run_id.startswith(given, autoescape=True)).limit(3)
    ).all()
    if not matches:
        raise RunNotFoundError(
            f"no run {given!r} in the history store (comply history runs lists them)"
        )
    if len(matches) > 1:
        raise RunNotFoundError(
            f"run id {given!r} is ambiguous: "
            f"{', '.join(m.run_id for m in matches[:2])}, ...; give more of it"
        )
    return _infos(connection, matches)[0]


def list_runs(connection: Connection, where: RunFilter) -> list[RunInfo]:
    """Newest first."""
    table = schema.runs
    query = sa.select(table).order_by(table.c.created_at.desc(), table.c.run_id.desc())
    if where.source:
        query = query.where(table.c.source == where.source)
    if where.scope:
        query = query.where(table.c.scope == where.scope)
    if where.since:
        query = query.where(table.c.created_at >= where.since)
    if where.until:
        query = query.where(table.c.created_at < where.until)
    infos = _infos(connection, connection.execute(query).all())
    if where.target:
        infos = [
            run
            for run in infos
            if where.target in run.scope or any(where.target in t for t in run.targets)
        ]
    if where.complete_only:
        infos = [run for run in infos if run.complete]
    return infos[: where.limit] if where.limit else infos


def complete_runs_of_scope(
    connection: Connection, scope: str, *, before: datetime | None = None
) -> list[str]:
    """Ids of the complete runs of `scope`, newest first (started before `before`)."""
    runs, shards = schema.runs, schema.run_shards
    reported = sa.func.sum(sa.case((shards.c.status == COMPLETE, 1), else_=0))
    query = (
        sa.select(runs.c.run_id)
        .join(shards, shards.c.run_id == runs.c.run_id)
        .where(runs.c.scope == scope)
        .group_by(runs.c.run_id, runs.c.created_at, runs.c.shard_total)
        .having(reported == runs.c.shard_total)
        .order_by(runs.c.created_at.desc(), runs.c.run_id.desc())
    )
    if before is not None:
        query = query.where(runs.c.created_at < before)
    return list(connection.execute(query).scalars())


def previous_complete_run(connection: Connection, scope: str, *, before_run: str) -> str | None:
    """The newest complete run of `scope` that started before `before_run`."""
    created = connection.execute(
        sa.select(schema.runs.c.created_at).where(schema.runs.c.run_id == before_run)
    ).scalar_one_or_none()
    if created is None:
        raise RunNotFoundError(f"no run {before_run!r} in the history store")
    earlier = complete_runs_of_scope(connection, scope, before=created)
    return earlier[0] if earlier else None
