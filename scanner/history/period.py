"""Reading the runs of a period and their findings, for `comply evidence export --from --to`.

The evidence layer may not import the store (docs/architecture.md): the CLI reads here and hands
plain dictionaries to `scanner.evidence.period`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from scanner.history import schema
from scanner.history.json_values import from_json
from scanner.history.model import RunInfo
from scanner.history.runs import RunFilter, list_runs

_WEIGHT = {"fail": 5, "error": 4, "unknown": 3, "pass": 2, "skipped": 1}


def runs_in_period(
    connection: Connection, start: datetime, end: datetime, *, scope: str | None = None
) -> list[RunInfo]:
    """Every run (complete or not) that started in [start, end), oldest first."""
    runs = list_runs(connection, RunFilter(scope=scope, since=start, until=end))
    return sorted(runs, key=lambda run: (run.started_at, run.run_id))


def findings_of_runs(
    connection: Connection, run_ids: Sequence[str]
) -> dict[str, list[dict[str, Any]]]:
    """run id -> one finding per (check, resource) (the worst when shards overlap), sorted."""
    out: dict[str, dict[tuple[str, str], dict[str, Any]]] = defaultdict(dict)
    table = schema.findings
    for chunk_start in range(0, len(run_ids), 500):
        chunk = list(run_ids[chunk_start : chunk_start + 500])
        query = sa.select(
            table.c.run_id,
            table.c.check_id,
            table.c.resource_id,
            table.c.resource_type,
            table.c.status,
            table.c.severity,
            table.c.title,
            table.c.message,
            table.c.controls,
            table.c.original_status,
        ).where(table.c.run_id.in_(chunk))
        for row in connection.execute(query):
            key = (row.check_id, row.resource_id)
            kept = out[row.run_id].get(key)
            if kept is not None and _WEIGHT[kept["status"]] >= _WEIGHT[row.status]:
                continue
            out[row.run_id][key] = {
                "check_id": row.check_id,
                "resource_id": row.resource_id,
                "resource_type": row.resource_type,
                "status": row.status,
                "severity": row.severity,
                "title": row.title,
                "message": row.message,
                "controls": from_json(row.controls, []),
                "original_status": row.original_status,
            }
    return {run_id: [rows[k] for k in sorted(rows)] for run_id, rows in out.items()}


@dataclass(frozen=True)
class PeriodPopulation:
    """What the period's runs scanned: one row per (scope, source, id) and each run's count."""

    # As the latest run saw it (scope, source, resource_id, resource_type, location), with the
    # first and last run that saw it (run ids) and how many runs did (`runs`).
    resources: list[dict[str, Any]]
    per_run: dict[str, int]  # run id -> resources it scanned


def population_of_runs(connection: Connection, runs: Sequence[RunInfo]) -> PeriodPopulation:
    """Every resource the runs scanned, once per (scope, source, id): as the latest run saw it,
    with the first and last run that saw it and how many did (a resource two shards of one run
    report counts once)."""
    scope_of = {run.run_id: run.scope for run in runs}
    order = {run.run_id: (run.started_at, run.run_id) for run in runs}
    latest: dict[tuple[str, str, str], dict[str, Any]] = {}
    first: dict[tuple[str, str, str], str] = {}
    counted: dict[tuple[str, str, str], str] = {}  # the last run that counted the resource
    per_run: Counter[str] = Counter()
    table = schema.resources
    run_ids = list(scope_of)
    for chunk_start in range(0, len(run_ids), 500):
        chunk = run_ids[chunk_start : chunk_start + 500]
        query = (
            sa.select(
                table.c.run_id,
                table.c.resource_id,
                table.c.resource_type,
                table.c.source,
                table.c.location,
            )
            .where(table.c.run_id.in_(chunk))
            .order_by(table.c.run_id, table.c.shard_index)  # a run's rows together, in order
        )
        for row in connection.execute(query):
            key = (scope_of[row.run_id], row.source, row.resource_id)
            if counted.get(key) != row.run_id:
                counted[key] = row.run_id
                per_run[row.run_id] += 1
                seen = latest.get(key)
                seen_runs = seen["runs"] + 1 if seen is not None else 1
                if key not in first or order[row.run_id] < order[first[key]]:
                    first[key] = row.run_id
                if seen is not None and order[seen["last_run"]] >= order[row.run_id]:
                    seen["runs"] = seen_runs
                    continue
                latest[key] = {
                    "scope": key[0],
                    "source": row.source,
                    "resource_id": row.resource_id,
                    "resource_type": row.resource_type,
                    "location": from_json(row.location, {}),
                    "last_run": row.run_id,
                    "runs": seen_runs,
                }
    resources = [{**latest[key], "first_run": first[key]} for key in sorted(latest)]
    return PeriodPopulation(resources, dict(per_run))
