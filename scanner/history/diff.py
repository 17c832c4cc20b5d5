"""What changed between two runs of one scope: new failures, regressions, resolved findings,
what is still failing (since when), and resources that appeared or disappeared.

Honesty rules: a failure is only *resolved* when the later run evaluated it and it passed, or its
resource is gone from the population. A failure the later run could not evaluate (unknown,
error, suppressed, or the check was not run) is listed as *not evaluated*, never as resolved.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from scanner.core.model import Severity
from scanner.history import schema
from scanner.history.json_values import from_json
from scanner.history.model import RunInfo
from scanner.history.runs import (
    RunNotFoundError,
    complete_runs_of_scope,
    previous_complete_run,
    resolve_run,
)
from scanner.history.timestamps import iso, utc

DIFF_SCHEMA_VERSION = "1"
_WEIGHT = {"fail": 5, "error": 4, "unknown": 3, "pass": 2, "skipped": 1}
CATEGORIES = ("new", "regressed", "resolved", "not_evaluated", "still_failing")


@dataclass(frozen=True)
class StoredFinding:
    fingerprint: str
    check_id: str
    title: str
    severity: str
    status: str
    resource_id: str
    resource_type: str
    message: str
    controls: list[str]
    location: dict[str, Any]
    failing_since: datetime | None


@dataclass(frozen=True)
class DiffItem:
    """One finding in a category: what it is now (`after`), what it was (`before`)."""

    finding: StoredFinding
    before: str | None  # status in the earlier run; None when it was not there
    after: str | None  # status in the later run; None when it is not there
    reason: str = ""
    failing_since: datetime | None = None
    age_days: int | None = None


@dataclass(frozen=True)
class ResourceRef:
    id: str
    type: str


@dataclass
class RunDiff:
    before: RunInfo | None  # None: the later run is the first of its scope
    after: RunInfo
    new: list[DiffItem] = field(default_factory=list)
    regressed: list[DiffItem] = field(default_factory=list)
    resolved: list[DiffItem] = field(default_factory=list)
    not_evaluated: list[DiffItem] = field(default_factory=list)
    still_failing: list[DiffItem] = field(default_factory=list)
    appeared: list[ResourceRef] = field(default_factory=list)
    disappeared: list[ResourceRef] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.new
            or self.regressed
            or self.resolved
            or self.not_evaluated
            or self.appeared
            or self.disappeared
        )

    def category(self, name: str) -> list[DiffItem]:
        items: list[DiffItem] = getattr(self, name)
        return items

    def severity_counts(self, name: str) -> dict[str, int]:
        counts = Counter(item.finding.severity for item in self.category(name))
        return {s.value: counts.get(s.value, 0) for s in reversed(Severity)}


# A findings row as loaded: (fingerprint, check_id, title, severity, status, resource_id,
# resource_type, message, controls JSON, location JSON, failing_since).
_Row = tuple[Any, ...]


def statuses_of(connection: Connection, run_id: str, fingerprints: Iterable[str]) -> dict[str, str]:
    """The status in `run_id` of each of `fingerprints` it has (shards merged: the worse wins).

    Bounded IN lists, one index seek each on (run_id, fingerprint): a diff asks only about the
    few findings whose status changed, never reads the passing majority of two large runs."""
    table = schema.findings
    wanted = list(fingerprints)
    out: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        query = sa.select(table.c.fingerprint, table.c.status).where(
            table.c.run_id == run_id, table.c.fingerprint.in_(wanted[start : start + 500])
        )
        for fingerprint, status in connection.execute(query).all():
            kept = out.get(fingerprint)
            if kept is None or _WEIGHT[status] > _WEIGHT[kept]:
                out[fingerprint] = status
    return out


def load_failures(connection: Connection, run_id: str) -> dict[str, _Row]:
    """The failing findings of a run, whole, by fingerprint (a failure in any shard is the
    merged status). Rows stay tuples: a diff turns only those it reports into StoredFindings."""
    table = schema.findings
    query = sa.select(
        table.c.fingerprint,
        table.c.check_id,
        table.c.title,
        table.c.severity,
        table.c.status,
        table.c.resource_id,
        table.c.resource_type,
        table.c.message,
        table.c.controls,
        table.c.location,
        table.c.failing_since,
    ).where(table.c.run_id == run_id, table.c.status == "fail")
    # fetchall: SQLAlchemy's per-row overhead of a streamed (yield_per) result dominates here.
    return {row[0]: tuple(row) for row in connection.execute(query).all()}


def _moment(value: datetime | str | None) -> datetime | None:
    if value is None:
        return None
    return utc(datetime.fromisoformat(value) if isinstance(value, str) else value)


class _Decoder:
    """Rows to StoredFindings; the few distinct control lists and locations decoded once."""

    def __init__(self) -> None:
        self._json: dict[str, Any] = {}

    def _decoded(self, text: str) -> Any:
        value = self._json.get(text)
        if value is None:
            value = self._json[text] = from_json(text, None)
        return value

    def __call__(self, row: _Row) -> StoredFinding:
        return StoredFinding(
            fingerprint=row[0],
            check_id=row[1],
            title=row[2],
            severity=row[3],
            status=row[4],
            resource_id=row[5],
            resource_type=row[6],
            message=row[7],
            controls=list(self._decoded(row[8]) or []),
            location=dict(self._decoded(row[9]) or {}),
            failing_since=_moment(row[10]),
        )


def load_population(connection: Connection, run_id: str) -> dict[str, str]:
    """resource id -> type, over every shard of the run."""
    table = schema.resources
    query = sa.select(table.c.resource_id, table.c.resource_type).where(table.c.run_id == run_id)
    return {row[0]: row[1] for row in connection.execute(query).all()}


def _failed_before(
    connection: Connection, scope: str, before: RunInfo, candidates: Iterable[str]
) -> set[str]:
    """Those of `candidates` that failed in a complete run of the scope earlier than `before`."""
    earlier = complete_runs_of_scope(connection, scope, before=before.started_at)
    earlier = [run_id for run_id in earlier if run_id != before.run_id]
    wanted = list(candidates)
    if not earlier or not wanted:
        return set()
    table = schema.findings
    found: set[str] = set()
    for start in range(0, len(wanted), 500):  # bounded IN lists: index seeks, not a scan
        query = (
            sa.select(table.c.fingerprint)
            .where(
                table.c.run_id.in_(earlier),
                table.c.fingerprint.in_(wanted[start : start + 500]),
                table.c.status == "fail",
            )
            .distinct()
        )
        found.update(connection.execute(query).scalars())
    return found


def _sort(items: list[DiffItem]) -> list[DiffItem]:
    rank = {s.value: s.rank for s in Severity}
    return sorted(
        items,
        key=lambda i: (-rank.get(i.finding.severity, 0), i.finding.check_id, i.finding.resource_id),
    )


def compute_diff(
    connection: Connection, before: RunInfo | None, after: RunInfo, warnings: Iterable[str] = ()
) -> RunDiff:
    diff = RunDiff(before=before, after=after, warnings=list(warnings))
    for run in (before, after):
        if run is not None and not run.complete:
            diff.warnings.append(
                f"run {run.run_id} is incomplete ({run.shards_reported}/{run.shard_total} "
                "shards reported): findings missing from it are unknown, not resolved"
            )
    new_failures = load_failures(connection, after.run_id)
    old_failures = load_failures(connection, before.run_id) if before else {}
    # What the failures of one run are in the other (pass, unknown ...; absent: not there).
    candidates = [key for key in new_failures if key not in old_failures]
    gone = [key for key in old_failures if key not in new_failures]
    old_statuses = statuses_of(connection, before.run_id, candidates) if before else {}
    new_statuses = statuses_of(connection, after.run_id, gone)
    new_population = load_population(connection, after.run_id)
    old_population = load_population(connection, before.run_id) if before else {}
    failed_earlier = (
        _failed_before(connection, after.scope, before, candidates) if before else set()
    )
    reference = after.started_at
    stored = _Decoder()

    for key, row in new_failures.items():
        now = stored(row)
        was_status = "fail" if key in old_failures else old_statuses.get(key)
        since = now.failing_since
        age = (reference - since).days if since else None
        if was_status == "fail":
            diff.still_failing.append(DiffItem(now, "fail", "fail", "", since, age))
        elif key in failed_earlier:
            diff.regressed.append(DiffItem(now, was_status, "fail", "failed before", since, age))
        else:
            diff.new.append(DiffItem(now, was_status, "fail", "", since, age))
    for key, old_row in old_failures.items():
        if key in new_failures:
            continue
        status = new_statuses.get(key)
        failed = stored(old_row)  # what failed; its status now is `status`
        if status == "pass":
            diff.resolved.append(DiffItem(failed, "fail", "pass", "passes now"))
        elif status is None and failed.resource_id not in new_population and after.complete:
            diff.resolved.append(DiffItem(failed, "fail", None, "resource no longer exists"))
        else:
            reason = f"now {status}" if status else "not evaluated in the later run"
            diff.not_evaluated.append(DiffItem(failed, "fail", status, reason))

    if before is not None:
        diff.appeared = sorted(
            (ResourceRef(i, t) for i, t in new_population.items() if i not in old_population),
            key=lambda r: (r.type, r.id),
        )
        diff.disappeared = sorted(
            (ResourceRef(i, t) for i, t in old_population.items() if i not in new_population),
            key=lambda r: (r.type, r.id),
        )
    for name in CATEGORIES:
        setattr(diff, name, _sort(diff.category(name)))
    return diff


def diff_runs(
    connection: Connection,
    before_id: str | None = None,
    after_id: str | None = None,
    *,
    scope: str | None = None,
) -> RunDiff:
    """`comply history diff [A] [B]`.

    Both given: A against B. One given: that run against the previous complete run of its scope.
    None: the last two complete runs of `scope` (default: the scope of the newest complete run).
    """
    if before_id is not None and after_id is not None:
        return compute_diff(
            connection, resolve_run(connection, before_id), resolve_run(connection, after_id)
        )
    if before_id is not None:
        after = resolve_run(connection, before_id)
    else:
        after = _newest_complete(connection, scope)
    previous = previous_complete_run(connection, after.scope, before_run=after.run_id)
    if previous is None:
        raise RunNotFoundError(
            f"run {after.run_id} is the first complete run of {after.scope!r}: "
            "nothing to compare it with yet"
        )
    return compute_diff(connection, resolve_run(connection, previous), after)


def _newest_complete(connection: Connection, scope: str | None) -> RunInfo:
    from scanner.history.runs import RunFilter, list_runs

    runs = list_runs(connection, RunFilter(scope=scope, complete_only=True, limit=1))
    if not runs:
        where = f" of {scope!r}" if scope else ""
        raise RunNotFoundError(f"no complete run{where} in the history store")
    return runs[0]


def first_run_diff(connection: Connection, after: RunInfo) -> RunDiff:
    """The diff a notification sends for the first run of a scope: every failure is new."""
    return compute_diff(connection, None, after)


def item_to_dict(item: DiffItem) -> dict[str, Any]:
    f = item.finding
    out: dict[str, Any] = {
        "fingerprint": f.fingerprint,
        "check_id": f.check_id,
        "title": f.title,
        "severity": f.severity,
        "resource": {"id": f.resource_id, "type": f.resource_type},
        "location": f.location,
        "controls": f.controls,
        "before": item.before,
        "after": item.after,
        "message": f.message,
    }
    if item.reason:
        out["reason"] = item.reason
    if item.failing_since is not None:
        out["failing_since"] = iso(item.failing_since)
        out["age_days"] = item.age_days
    return out


def diff_to_dict(diff: RunDiff) -> dict[str, Any]:
    """The JSON diff: `comply history diff -o json` and the generic webhook's body."""
    return {
        "schema_version": DIFF_SCHEMA_VERSION,
        "scope": diff.after.scope,
        "before": diff.before.to_dict() if diff.before else None,
        "after": diff.after.to_dict(),
        "counts": {name: len(diff.category(name)) for name in CATEGORIES}
        | {"appeared": len(diff.appeared), "disappeared": len(diff.disappeared)},
        "severity": {name: diff.severity_counts(name) for name in ("new", "resolved")},
        **{name: [item_to_dict(i) for i in diff.category(name)] for name in CATEGORIES},
        "resources": {
            "appeared": [{"id": r.id, "type": r.type} for r in diff.appeared],
            "disappeared": [{"id": r.id, "type": r.type} for r in diff.disappeared],
        },
        "warnings": diff.warnings,
    }
