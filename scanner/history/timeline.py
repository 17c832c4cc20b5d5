"""`comply history show`: the statuses of a resource, a check or a control's findings, run by run.

A run that did not evaluate a finding (the resource was not there, the shard never reported)
shows no status for it, never a pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from scanner.history import schema
from scanner.history.model import RunInfo
from scanner.history.runs import RunFilter, RunNotFoundError, list_runs
from scanner.history.timestamps import iso

_WEIGHT = {"fail": 5, "error": 4, "unknown": 3, "pass": 2, "skipped": 1}


@dataclass(frozen=True)
class Subject:
    """What to follow: exactly one of a resource id, a check id, a control id."""

    resource: str | None = None
    check: str | None = None
    control: str | None = None

    def describe(self) -> str:
        if self.resource is not None:
            return f"resource {self.resource}"
        if self.check is not None:
            return f"check {self.check}"
        return f"control {self.control}"


@dataclass
class TimelineEntry:
    check_id: str
    resource_id: str
    severity: str
    title: str
    statuses: dict[str, str] = field(default_factory=dict)  # run id -> status

    def periods(self, runs: list[RunInfo]) -> list[tuple[str, RunInfo, RunInfo, int]]:
        """Consecutive runs with one status: (status, first run, last run, how many)."""
        out: list[tuple[str, RunInfo, RunInfo, int]] = []
        for run in runs:
            status = self.statuses.get(run.run_id, "absent")
            if out and out[-1][0] == status:
                kept = out[-1]
                out[-1] = (status, kept[1], run, kept[3] + 1)
            else:
                out.append((status, run, run, 1))
        return out


@dataclass
class Timeline:
    subject: Subject
    runs: list[RunInfo]  # oldest first
    entries: list[TimelineEntry]


def build_timeline(
    connection: Connection, subject: Subject, *, scope: str | None = None, limit: int = 30
) -> Timeline:
    runs = list(reversed(list_runs(connection, RunFilter(scope=scope, limit=limit))))
    if not runs:
        raise RunNotFoundError("no runs in the history store" + (f" of {scope!r}" if scope else ""))
    table = schema.findings
    query = sa.select(
        table.c.run_id,
        table.c.check_id,
        table.c.resource_id,
        table.c.severity,
        table.c.title,
        table.c.status,
    ).where(table.c.run_id.in_([run.run_id for run in runs]))
    if subject.resource is not None:
        query = query.where(table.c.resource_id == subject.resource)
    elif subject.check is not None:
        query = query.where(table.c.check_id == subject.check)
    elif subject.control is not None:
        # Stored as ["hipaa:164.312(b)", ...]: match the id after a framework prefix, exactly.
        query = query.where(table.c.controls.contains(f':{subject.control}"', autoescape=True))
    entries: dict[tuple[str, str], TimelineEntry] = {}
    for row in connection.execute(query):
        key = (row.check_id, row.resource_id)
        entry = entries.setdefault(
            key, TimelineEntry(row.check_id, row.resource_id, row.severity, row.title)
        )
        kept = entry.statuses.get(row.run_id)
        if kept is None or _WEIGHT[row.status] > _WEIGHT[kept]:
            entry.statuses[row.run_id] = row.status
    return Timeline(subject, runs, [entries[k] for k in sorted(entries)])


def timeline_to_dict(timeline: Timeline) -> dict[str, Any]:
    subject = timeline.subject
    return {
        "subject": {
            "resource": subject.resource,
            "check": subject.check,
            "control": subject.control,
        },
        "runs": [
            {"run_id": r.run_id, "started_at": iso(r.started_at), "status": r.status}
            for r in timeline.runs
        ],
        "findings": [
            {
                "check_id": e.check_id,
                "resource_id": e.resource_id,
                "severity": e.severity,
                "title": e.title,
                "statuses": [
                    {"run_id": r.run_id, "status": e.statuses.get(r.run_id)} for r in timeline.runs
                ],
            }
            for e in timeline.entries
        ],
    }
