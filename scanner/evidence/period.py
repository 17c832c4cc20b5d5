"""A period of stored runs rolled up per control: the SOC 2 Type II view.

Input is plain data the CLI read from the history store (the evidence layer may not import it):
the runs that started in the period, complete or not, each with its findings. Only complete runs
are judged; incomplete ones (a shard never reported) are listed as such and count for nothing.

Per control and complete run, the status a point-in-time bundle of that run would give it
(`scanner.compliance.rollup.control_state`, the same function): a failing finding makes it
`not_satisfied`; then an unknown or error finding `incomplete`; then, for a control with a manual
part, the attestation current on the run's date (the day it finished, UTC; as a point-in-time
export of its report judges it) makes it `attested`, none `incomplete`; then a passing finding
`satisfied`; findings that are all suppressed leave it `incomplete`; no finding at all is
`not_applicable` (no resource in scope). A partial control is therefore never `satisfied` on its
automated part alone.

A run *meets* the control when it is `satisfied` or `attested`; `satisfied_runs` and the share
count those. The share counts only the runs that had something to judge: a run with no resource
in scope (`not_applicable`) neither meets nor fails the control (no share at all when no run had
one).

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
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from scanner.compliance.attestations import Attestation, best_attestation
from scanner.compliance.catalog import Catalog, Control
from scanner.compliance.rollup import ControlState, control_state
from scanner.core.model import ControlRef, Status
from scanner.core.registry import Registry
from scanner.evidence.errors import EvidenceError
from scanner.evidence.model import AttestationEvidenceItem, CopiedFile
from scanner.evidence.system import (
    SystemDescription,
    check_not_applicable,
    export_scope,
    not_applicable_reason,
)

if TYPE_CHECKING:
    from scanner.evidence.period_acceptances import PeriodResponse, PeriodWaiver
    from scanner.evidence.period_population import PeriodResource

GRACE = 0.10
# Run statuses that meet a control: the share of satisfied runs counts these.
MEETS = (ControlState.SATISFIED.value, ControlState.ATTESTED.value)
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
    # What it scanned: the paths given, the accounts and regions (AWS), and how many resources
    # its population holds (None: not read, an incomplete run).
    targets: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    resources: int | None = None


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
    statuses: tuple[str, ...]  # one per complete run, in run order (a ControlState value)
    runs: int
    satisfied_runs: int  # runs that met the control: `satisfied` or `attested`
    exceptions: tuple[ExceptionEpisode, ...]
    # Marked not applicable in `system:` (justification, approver): every run says so.
    not_applicable: str | None = None
    # The attestations of the control current on the date of at least one run (or, when none
    # was, the latest that lapsed or was not yet current), for the reader.
    attestations: tuple[Attestation, ...] = ()

    @property
    def attested_runs(self) -> int:
        return self.statuses.count(ControlState.ATTESTED.value)

    @property
    def judged_runs(self) -> int:
        """Runs that had something to judge: not those with no resource in scope
        (`not_applicable`), none for controls marked not applicable."""
        if self.not_applicable is not None:
            return 0
        return sum(1 for status in self.statuses if status != ControlState.NOT_APPLICABLE.value)

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
    # Set by scanner.evidence.period_acceptances.with_acceptances:
    waivers: tuple[PeriodWaiver, ...] = ()  # in force on some run's date
    responses: tuple[PeriodResponse, ...] = ()  # judged on the period's last day
    remediations: Mapping[str, str] = field(default_factory=dict)  # check id -> text
    population: tuple[PeriodResource, ...] = ()  # every resource the runs scanned
    # The attestations file as carried into the bundle, and what became of each evidence file
    # its attestations name ((source, reference) -> item), for the OSCAL observations.
    attestations_file: CopiedFile | None = None
    attestation_items: Mapping[tuple[str, str], AttestationEvidenceItem] = field(
        default_factory=dict
    )

    @property
    def tool_name(self) -> str:
        return "comply"


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


def run_date(run: PeriodRun) -> date:
    """The day a run is judged on (attestations, waivers, responses): the day it finished (UTC),
    as a point-in-time export of its report is judged on its `finished_at`."""
    return (run.finished_at or run.started_at).astimezone(UTC).date()


def _run_state(
    control: Control,
    rows: Mapping[tuple[str, str], Mapping[str, Any]],
    checks: set[str],
    attestations: Sequence[Attestation],
    day: date,
) -> tuple[str, Attestation | None]:
    counts: Counter[Status] = Counter(
        Status(str(f["status"])) for (check, _), f in rows.items() if check in checks
    )
    attestation = best_attestation(attestations, day)
    state, _ = control_state(control, counts, attestation, day)
    return state.value, attestation


def _shown_attestations(
    used: Sequence[Attestation | None], candidates: Sequence[Attestation], end: date
) -> tuple[Attestation, ...]:
    """The attestations current on some run's date; else the one the end of the period picks."""
    current = {a for a in used if a is not None}
    if not current and candidates:
        best = best_attestation(candidates, end)
        current = {best} if best is not None else set()
    return tuple(sorted(current, key=lambda a: (a.date, a.expires, a.source)))


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
    attestations: Mapping[ControlRef, Sequence[Attestation]] | None = None,
) -> PeriodModel:
    """The period's runs per control; `system` scopes the controls (SOC 2 categories) and marks
    those not applicable, as the point-in-time export does; `attestations` judge manual parts
    on each run's date."""
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
        candidates = list((attestations or {}).get(control.ref, ()))
        statuses, used = [], []
        for run in complete:
            status, attestation = _run_state(
                control, rows[run.run_id], checks, candidates, run_date(run)
            )
            statuses.append(status)
            used.append(attestation if status == ControlState.ATTESTED.value else None)
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
                satisfied_runs=sum(1 for status in statuses if status in MEETS),
                exceptions=exceptions,
                not_applicable=decided,
                attestations=_shown_attestations(used, candidates, (end - timedelta(1)).date()),
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
