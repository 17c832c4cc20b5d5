"""A period of stored runs rolled up per control: the SOC 2 Type II view.

Input is plain data the CLI read from the history store (the evidence layer may not import it):
the runs that started in the period, complete or not, each with its findings. Only complete runs
are judged; incomplete ones (a shard never reported) are listed as such and count for nothing.

Per control and complete run, the status of its automated part: a failing finding makes it
`not_satisfied`; then an unknown or error finding `incomplete`; then a passing finding
`satisfied`; findings that are all suppressed leave it `incomplete`; no finding at all is
`not_applicable` (no resource in scope). Manual parts are judged by attestations, not by runs.
The share of satisfied runs counts only the runs that had something to judge: a run with no
resource in scope neither satisfies nor fails the control (no share at all when no run had one).

An *exception* is one unbroken streak of a (check, resource) pair failing or suppressed while
failing (`skipped` with original status `fail`: a waiver applies to failures only, an inline skip
may cover a pass) over the runs that evaluated it. It is resolved by the first later run in which
the pair passes (an inline skip of a pass included); a run that did not evaluate the pair neither
extends nor resolves it. Time to remediate is resolved minus first seen.

A gap is an interval with no complete run longer than the cadence (plus a 10% grace, so nightly
runs that start a few minutes late are not gaps): between consecutive runs, and from the start of
the period to the first run and from the last run to the end of the period.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

from scanner.compliance.catalog import Catalog
from scanner.core.registry import Registry
from scanner.evidence.errors import EvidenceError
from scanner.evidence.system import (
    SystemDescription,
    check_not_applicable,
    export_scope,
    not_applicable_reason,
)

GRACE = 0.10
_CADENCE = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_cadence(text: str) -> timedelta:
    """`1d`, `12h`, `1w`, `30m`."""
    match = _CADENCE.match(str(text))
    if not match or int(match.group(1)) == 0:
        raise EvidenceError(f"cadence {text!r}: expected a number and a unit, e.g. 1d, 12h, 1w")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def parse_instant(text: str) -> datetime:
    """An ISO 8601 time (UTC when no offset is given)."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise EvidenceError(f"not an ISO 8601 date or time: {text!r}") from exc
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class PeriodRun:
    """One stored run, as the CLI read it."""

    run_id: str
    scope: str
    source: str
    started_at: datetime
    finished_at: datetime | None
    complete: bool
    shards: str  # "2/4 shards reported"
    tool_version: str
    operator: Mapping[str, Any]
    findings: tuple[Mapping[str, Any], ...]  # check_id, resource_id, status, ...


@dataclass(frozen=True)
class Gap:
    start: str
    end: str
    hours: float


@dataclass(frozen=True)
class ExceptionEpisode:
    check_id: str
    resource_id: str
    severity: str
    title: str
    first_seen: str
    last_seen: str
    resolved: str | None  # None: still open at the end of the period
    days_to_remediate: float | None
    failing_runs: int
    waived_runs: int

    @property
    def state(self) -> str:
        return "resolved" if self.resolved else "open"


@dataclass(frozen=True)
class ControlPeriod:
    framework: str
    id: str
    title: str
    automation: str
    checks: tuple[str, ...]
    statuses: tuple[str, ...]  # one per complete run, in run order ("manual" without checks)
    runs: int
    satisfied_runs: int
    exceptions: tuple[ExceptionEpisode, ...]
    # Marked not applicable in `system:` (justification, approver): every run says so.
    not_applicable: str | None = None

    @property
    def judged_runs(self) -> int:
        """Runs in which the automated part had something to judge: not those with no resource in
        scope (`not_applicable`), none for manual controls or controls marked not applicable."""
        if not self.checks or self.not_applicable is not None:
            return 0
        return sum(1 for status in self.statuses if status != "not_applicable")

    @property
    def share_satisfied(self) -> float | None:
        judged = self.judged_runs
        return round(self.satisfied_runs / judged, 4) if judged else None


@dataclass(frozen=True)
class PeriodModel:
    framework: str
    framework_name: str
    start: str
    end: str
    cadence_hours: float
    runs: tuple[PeriodRun, ...]  # complete, oldest first
    incomplete_runs: tuple[PeriodRun, ...]
    controls: tuple[ControlPeriod, ...]
    gaps: tuple[Gap, ...]
    tool_version: str
    system: SystemDescription | None = None


def _run_status(statuses: Counter[str]) -> str:
    if statuses["fail"]:
        return "not_satisfied"
    if statuses["unknown"] or statuses["error"]:
        return "incomplete"
    if statuses["pass"]:
        return "satisfied"
    if statuses["skipped"]:
        return "incomplete"
    return "not_applicable"


def _gaps(
    runs: Sequence[PeriodRun], start: datetime, end: datetime, cadence: timedelta
) -> list[Gap]:
    limit = cadence * (1 + GRACE)
    moments = [start, *(r.started_at for r in runs), end]
    return [
        Gap(iso(a), iso(b), round((b - a).total_seconds() / 3600, 2))
        for a, b in pairwise(moments)
        if b - a > limit
    ]


def _episodes(
    runs: Sequence[PeriodRun], rows: Mapping[str, Mapping[tuple[str, str], Mapping[str, Any]]]
) -> list[ExceptionEpisode]:
    keys = sorted({key for run in runs for key in rows[run.run_id]})
    out: list[ExceptionEpisode] = []
    for key in keys:
        streak: list[tuple[PeriodRun, str]] = []
        info: Mapping[str, Any] = {}
        for run in runs:
            row = rows[run.run_id].get(key)
            if row is None:  # not evaluated in this run: neither extends nor resolves
                continue
            info = row
            if _exceptional(row):
                streak.append((run, row["status"]))
            elif streak and _passing(row):
                out.append(_episode(key, info, streak, run))
                streak = []
        if streak:
            out.append(_episode(key, info, streak, None))
    return out


def _exceptional(row: Mapping[str, Any]) -> bool:
    """Failing, or suppressed while failing (a waiver, or an inline skip of a failure). A skipped
    finding whose original status is not known (stored before comply kept it) counts too: it may
    add an exception, never hide one. An inline skip of a passing finding does not."""
    if row["status"] == "fail":
        return True
    return row["status"] == "skipped" and row.get("original_status") in (None, "fail")


def _passing(row: Mapping[str, Any]) -> bool:
    return row["status"] == "pass" or (
        row["status"] == "skipped" and row.get("original_status") == "pass"
    )


def _episode(
    key: tuple[str, str],
    info: Mapping[str, Any],
    streak: Sequence[tuple[PeriodRun, str]],
    resolved_by: PeriodRun | None,
) -> ExceptionEpisode:
    first = streak[0][0].started_at
    days = None
    if resolved_by is not None:
        days = round((resolved_by.started_at - first).total_seconds() / 86400, 4)
    return ExceptionEpisode(
        check_id=key[0],
        resource_id=key[1],
        severity=str(info.get("severity", "")),
        title=str(info.get("title", "")),
        first_seen=iso(first),
        last_seen=iso(streak[-1][0].started_at),
        resolved=iso(resolved_by.started_at) if resolved_by is not None else None,
        days_to_remediate=days,
        failing_runs=sum(1 for _, status in streak if status == "fail"),
        waived_runs=sum(1 for _, status in streak if status == "skipped"),
    )


def build_period(
    *,
    framework: str,
    catalog: Catalog,
    registry: Registry,
    runs: Sequence[PeriodRun],
    start: datetime,
    end: datetime,
    cadence: timedelta,
    tool_version: str,
    system: SystemDescription | None = None,
) -> PeriodModel:
    """The period's runs per control; `system` scopes the controls (SOC 2 categories) and marks
    those not applicable, as the point-in-time export does."""
    if end <= start:
        raise EvidenceError(f"the period ends ({iso(end)}) before it starts ({iso(start)})")
    ordered = sorted(runs, key=lambda r: (r.started_at, r.run_id))
    complete = [r for r in ordered if r.complete]
    rows = {
        run.run_id: {(str(f["check_id"]), str(f["resource_id"])): f for f in run.findings}
        for run in complete
    }
    episodes = _episodes(complete, rows)
    check_not_applicable(system, catalog)
    controls = []
    for control in catalog.controls(export_scope(framework, system)):
        checks = {registry.resolve(c) or c for c in control.checks} | set(control.checks)
        statuses = []
        for run in complete:
            counts = Counter(
                str(f["status"]) for (check, _), f in rows[run.run_id].items() if check in checks
            )
            statuses.append(_run_status(counts) if control.checks else "manual")
        exceptions = tuple(e for e in episodes if e.check_id in checks)
        failing = f"{len(exceptions)} exception(s)" if exceptions else ""
        decided = not_applicable_reason(system, control.framework, control.id, failing)
        if decided is not None:
            statuses = ["not_applicable"] * len(statuses)
        controls.append(
            ControlPeriod(
                framework=control.framework,
                id=control.id,
                title=control.title,
                automation=control.automation,
                checks=tuple(control.checks),
                statuses=tuple(statuses),
                runs=len(complete),
                satisfied_runs=statuses.count("satisfied"),
                exceptions=exceptions,
                not_applicable=decided,
            )
        )
    return PeriodModel(
        framework=framework,
        framework_name=catalog.frameworks[framework].name,
        start=iso(start),
        end=iso(end),
        cadence_hours=round(cadence.total_seconds() / 3600, 4),
        runs=tuple(complete),
        incomplete_runs=tuple(r for r in ordered if not r.complete),
        controls=tuple(controls),
        gaps=tuple(_gaps(complete, start, end, cadence)),
        tool_version=tool_version,
        system=system,
    )
