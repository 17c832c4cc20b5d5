"""The change-management page's model: the `comply drift` reports of a bundle (docs/drift.md).

A drift report's `drift_comparison` resources carry the comparison as their raw data (state,
address, drifted attributes with declared and live values, the checks whose verdict the drift
changed); its `aws` resources carry the live side's raw API data. This module pairs each
comparison with its live resource and its drift findings, and keeps each report's counts
(`context.drift`). The bundle writes the raw evidence of both sides, so every row of the page
links to what it was judged on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from scanner.compliance.coverage import DRIFT_TYPE
from scanner.core.model import ControlRef
from scanner.evidence.model import (
    ChangeManagement,
    DriftRecord,
    DriftRun,
    FindingRecord,
    InputReport,
    ResourceRecord,
)

# The drift layer's names (scanner/drift/analysis.py), which this layer may not import.
DRIFT_SOURCE = "drift"


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list | tuple) else ()


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _run(report: InputReport) -> DriftRun:
    context = report.context.get("drift")
    counts = dict(context) if isinstance(context, Mapping) else {}
    states = counts.pop("states", None)
    snapshot = report.context.get("snapshot")
    return DriftRun(
        report=report.name,
        states=tuple(s for s in states or () if isinstance(s, Mapping)),
        counts=counts,
        snapshot=_text(snapshot),
    )


def _record(
    resource: ResourceRecord,
    live: Mapping[tuple[str, str], ResourceRecord],
    findings: Mapping[tuple[str, str], list[FindingRecord]],
) -> DriftRecord:
    raw = resource.raw if isinstance(resource.raw, Mapping) else {}
    live_id = _text(raw.get("live_id"))
    drifted = raw.get("drifted")
    return DriftRecord(
        resource=resource,
        state=str(raw.get("state", "")),
        resource_type=str(raw.get("resource_type", "")),
        address=_text(raw.get("address")),
        state_file=_text(raw.get("state_file")),
        declared_from=_text(raw.get("declared_from")),
        live_id=live_id,
        live=live.get((resource.report, live_id)) if live_id else None,
        drifted=tuple(d for d in drifted or () if isinstance(d, Mapping)),
        worsened_checks=_strings(raw.get("worsened_checks")),
        improved_checks=_strings(raw.get("improved_checks")),
        findings=tuple(findings.get((resource.report, resource.id), ())),
    )


def change_management(
    reports: Sequence[InputReport],
    resources: Sequence[ResourceRecord],
    findings: Sequence[FindingRecord],
    controls: Sequence[ControlRef],
) -> ChangeManagement | None:
    """The page's model, or None when no input report is a `comply drift` report or no control
    of the framework maps a drift check. `resources`: every resource of the bundle (the latest
    state of each); `controls`: the framework's controls the drift checks map to."""
    runs = tuple(_run(r) for r in reports if r.source == DRIFT_SOURCE)
    if not runs or not controls:
        return None
    in_runs = {run.report for run in runs}
    live = {
        (r.report, r.id): r for r in resources if r.source != DRIFT_SOURCE and r.report in in_runs
    }
    by_resource: dict[tuple[str, str], list[FindingRecord]] = {}
    for finding in findings:
        if finding.source == DRIFT_SOURCE:
            by_resource.setdefault((finding.report, finding.resource_id), []).append(finding)
    records = sorted(
        (
            _record(r, live, by_resource)
            for r in resources
            if r.type == DRIFT_TYPE and r.source == DRIFT_SOURCE and r.report in in_runs
        ),
        key=lambda d: (d.resource.report, d.address or "", d.live_id or "", d.resource.id),
    )
    return ChangeManagement(
        runs=runs,
        controls=tuple(controls),
        managed=tuple(d for d in records if d.state == "managed"),
        deleted=tuple(d for d in records if d.state == "deleted"),
        unmanaged=tuple(d for d in records if d.state == "unmanaged"),
    )


def evidence_resources(page: ChangeManagement | None) -> list[ResourceRecord]:
    """The resources whose raw evidence the page links to: both sides of every row."""
    if page is None:
        return []
    rows = [*page.managed, *page.deleted, *page.unmanaged]
    return [*(d.resource for d in rows), *(d.live for d in rows if d.live is not None)]
