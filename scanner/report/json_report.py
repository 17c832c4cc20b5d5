"""The JSON report: the stable public contract of design.md, `schema_version` "1".

Fields are only ever added within a schema version. Only what the scan concluded is written —
messages, ids, locations, control references — never a resource's raw attributes, which may hold
secrets.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from scanner.model import Finding, ScanError, Status
from scanner.redaction import redact
from scanner.results import ScanReport

SCHEMA_VERSION = "1"
TOOL_NAME = "comply"


def utc_timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with a `Z`, to the second: `2026-11-26T03:00:00Z`.

    A naive datetime is taken to be UTC already (the scanner records `datetime.now(UTC)`).
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def finding_to_dict(finding: Finding, report: ScanReport | None = None) -> dict[str, Any]:
    resource = finding.resource
    out: dict[str, Any] = {
        "check_id": finding.check_id,
        "title": finding.title,
        "severity": finding.severity.value,
        "status": finding.status.value,
        "message": finding.message,
        "resource": {"id": resource.id, "type": resource.type, "source": resource.source},
        "location": finding.location.to_dict(),
        "controls": [ref.to_dict() for ref in finding.controls],
        "fingerprint": finding.fingerprint,
    }
    if report is not None:
        # Whether this finding gates the merge (threshold, baseline and --changed-since applied).
        out["blocking"] = report.is_blocking(finding)
    if finding.status is Status.SKIPPED:
        suppression: dict[str, Any] = {"reason": finding.suppression_reason or ""}
        if finding.original_status is not None:
            suppression["original_status"] = finding.original_status.value
        if finding.suppressed_by is not None:
            suppression["by"] = finding.suppressed_by
        out["suppression"] = suppression
    return out


def _baseline(report: ScanReport) -> dict[str, Any] | None:
    if report.baseline is None:
        return None
    return {
        "path": report.baseline.path,
        "known_failures": len(report.baseline.known),
        "fixed": [
            {"check_id": e.check_id, "resource_id": e.resource_id, "fingerprint": e.fingerprint}
            for e in report.baseline.fixed
        ],
    }


def _problems(problems: list[ScanError]) -> list[dict[str, Any]]:
    return [problem.to_dict() for problem in problems]


def report_to_dict(report: ScanReport) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": report.tool_version},
        "scan": {
            "started_at": utc_timestamp(report.started_at),
            "finished_at": utc_timestamp(report.finished_at),
            "source": report.source,
            "targets": list(report.targets),
        },
        "summary": report.summary(),
        "findings": [finding_to_dict(finding, report) for finding in report.findings],
        "errors": _problems(list(report.errors)),
        "warnings": _problems(list(report.warnings)),
        "controls": [status.to_dict() for status in report.controls],
        "baseline": _baseline(report),
        "changed_since": report.changed_since,
        "resources": _resources(report),
        "context": report.context,
    }


def _resources(report: ScanReport) -> list[dict[str, Any]]:
    """The population that was scanned, with the raw data each result was judged on (redacted):
    what an evidence bundle shows an auditor."""
    seen: dict[str, dict[str, Any]] = {}
    for resource in report.inventory:
        seen.setdefault(
            resource.id,
            {
                "id": resource.id,
                "type": resource.type,
                "source": resource.source,
                "location": resource.location.to_dict(),
                "raw": redact(resource.raw),
            },
        )
    return [seen[key] for key in sorted(seen)]


def render(report: ScanReport, *, color: bool = False) -> str:
    """The JSON report, indented, UTF-8 text (not \\u escapes), ending in a newline."""
    del color  # JSON has no colour
    # default=str: raw data from any source stays serialisable (dates, markers) rather than crash.
    text = json.dumps(report_to_dict(report), indent=2, ensure_ascii=False, default=str)
    return text + "\n"
