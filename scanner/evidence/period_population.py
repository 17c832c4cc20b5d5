"""The population of a period: every resource its complete runs scanned, for an auditor to sample.

One row per (scope, source, id), as the latest run saw it, with the first and last run that saw it
and how many runs did; a resource that only some runs saw (created or deleted in the period) says
so. `population.csv` has the columns of the point-in-time one (`scanner.evidence.data_files`, the
same writer), the run's scope instead of a report, and the runs; `population/scanned.json` the
counts, the files, and each run's targets, accounts and regions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from scanner.evidence.data_files import (
    RESOURCE_COLUMNS,
    population_table,
    resource_cells,
    scanned_counts,
)
from scanner.evidence.period import PeriodModel, iso
from scanner.evidence.text_safety import dump_json

PERIOD_POPULATION_COLUMNS = (
    *RESOURCE_COLUMNS,
    "scope",
    "first_run",
    "first_seen",
    "last_run",
    "last_seen",
    "runs",
    "read_by_a_check",
)


@dataclass(frozen=True)
class PeriodResource:
    """A resource the period's runs scanned, as last seen (the OSCAL inventory)."""

    id: str
    type: str
    source: str
    location: Mapping[str, Any]
    report: str  # the scope of the run it was last seen in
    first_run: str = ""  # run ids
    last_run: str = ""
    runs: int = 0  # how many complete runs saw it


def with_population(period: PeriodModel, rows: Iterable[Mapping[str, Any]]) -> PeriodModel:
    """`period` with its population: rows with resource_id, resource_type, source, location,
    scope, first_run, last_run and runs (`scanner.history.period.population_of_runs`)."""
    population = (
        PeriodResource(
            id=str(row["resource_id"]),
            type=str(row["resource_type"]),
            source=str(row["source"]),
            location=dict(row.get("location") or {}),
            report=str(row["scope"]),
            first_run=str(row.get("first_run") or ""),
            last_run=str(row.get("last_run") or ""),
            runs=int(row.get("runs") or 0),
        )
        for row in rows
    )
    return replace(
        period, population=tuple(sorted(population, key=lambda r: (r.report, r.source, r.id)))
    )


def _read_by_a_check(period: PeriodModel) -> set[tuple[str, str]]:
    """(scope, resource id) of the resources a check of the exported controls judged in a run."""
    checks = {check for control in period.controls for check in control.checks}
    return {
        (run.scope, str(row["resource_id"]))
        for run in period.runs
        for row in run.findings
        if row["check_id"] in checks
    }


def population_summary(period: PeriodModel) -> dict[str, int]:
    """For the index: how many resources, how many not every complete run saw, how many no
    check of the exported controls reads."""
    read = _read_by_a_check(period)
    return {
        "resources": len(period.population),
        "not_in_every_run": sum(1 for r in period.population if r.runs < len(period.runs)),
        "unread": sum(1 for r in period.population if (r.report, r.id) not in read),
    }


def period_population_files(period: PeriodModel) -> dict[str, bytes]:
    """population.csv and population/scanned.json of a period bundle."""
    started = {run.run_id: iso(run.started_at) for run in period.runs}
    read = _read_by_a_check(period)
    ordered = sorted(period.population, key=lambda r: (r.source, r.type, r.id, r.report))
    rows = (
        [
            *resource_cells(r),
            r.report,
            r.first_run,
            started.get(r.first_run, ""),
            r.last_run,
            started.get(r.last_run, ""),
            r.runs,
            "yes" if (r.report, r.id) in read else "no",
        ]
        for r in ordered
    )
    scanned = {
        **scanned_counts(ordered),
        "targets": {run.run_id: list(run.targets) for run in period.runs},
        "accounts": sorted({a for run in period.runs for a in run.accounts}),
        "regions": sorted({g for run in period.runs for g in run.regions}),
        "runs": len(period.runs),
    }
    return {
        "population.csv": population_table(PERIOD_POPULATION_COLUMNS, rows),
        "population/scanned.json": dump_json(scanned),
    }
