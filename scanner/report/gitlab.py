"""GitLab Code Quality report: a JSON array of issues for `artifacts:reports:codequality`.

GitLab shows the issues in the merge-request widget and diff, and compares them by `fingerprint`
with the target branch's report to tell new issues from resolved ones; the finding fingerprint
(check id + resource id) survives edits that move lines, and is unique per issue (a repeated one
would make GitLab drop the others).

Failures only (suppressed, passing, unknown and errored findings are not code-quality issues; the
JUnit report and the exit code carry unknowns and errors). Severity: info -> info, low -> minor,
medium -> major, high -> critical, critical -> blocker. Paths are relative to the repository, as
for SARIF: the scanned root's prefix joined with the finding's file. A finding without a file
(live AWS) is located at its resource id, line 1, so that it still appears in the widget.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from scanner.compliance.results import ScanReport
from scanner.core.model import Finding, Severity, Status
from scanner.report.github import controls_text, finding_rank, repository_path

SEVERITY = {
    Severity.INFO: "info",
    Severity.LOW: "minor",
    Severity.MEDIUM: "major",
    Severity.HIGH: "critical",
    Severity.CRITICAL: "blocker",
}


def _location(report: ScanReport, finding: Finding) -> dict[str, Any]:
    location = finding.location
    path = repository_path(location.file, report) if location.file else finding.resource.id
    begin = location.start_line if location.start_line and location.start_line >= 1 else 1
    lines: dict[str, int] = {"begin": begin}
    if location.end_line is not None and location.end_line >= begin:
        lines["end"] = location.end_line
    return {"path": path, "lines": lines}


def _description(report: ScanReport, finding: Finding) -> str:
    text = f"{finding.resource.id}: {finding.message}"
    notes = []
    if not report.is_blocking(finding):
        notes.append("not blocking")
    controls = controls_text(finding)
    if controls:
        notes.append(controls)
    return f"{text} ({'; '.join(notes)})" if notes else text


def _unique(fingerprint: str, seen: set[str]) -> str:
    candidate, counter = fingerprint, 1
    while candidate in seen:
        counter += 1
        candidate = hashlib.sha256(f"{fingerprint}\x00{counter}".encode()).hexdigest()[:32]
    seen.add(candidate)
    return candidate


def report_to_issues(report: ScanReport) -> list[dict[str, Any]]:
    failures = sorted(
        (f for f in report.findings if f.status is Status.FAIL),
        key=lambda f: finding_rank(report, f),
    )
    seen: set[str] = set()
    return [
        {
            "type": "issue",
            "check_name": finding.check_id,
            "description": _description(report, finding),
            "categories": ["Security"],
            "severity": SEVERITY[finding.severity],
            "fingerprint": _unique(finding.fingerprint, seen),
            "location": _location(report, finding),
        }
        for finding in failures
    ]


def render(report: ScanReport, *, color: bool = False) -> str:
    """The issues as indented JSON (UTF-8 text), ending in a newline; `[]` when none failed."""
    del color
    return json.dumps(report_to_issues(report), indent=2, ensure_ascii=False) + "\n"
