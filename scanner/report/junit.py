"""JUnit XML for CI test-report views (GitLab, Jenkins, Azure DevOps, GitHub test reporters).

One `<testsuite>` per check, one `<testcase>` per finding (named after the resource, with the
check id as classname): CI views list suites and cases as "what was tested" and "on what", which
reads as "check X on resource Y" and matches the SARIF rules. Grouping by file would put resources
without a file (live AWS) in a made-up suite and split one rule over many suites.

fail -> `<failure>`, error -> `<error>`, skipped (suppressed) and unknown -> `<skipped>`: an
unknown is never shown as a pass. Scan errors (files that could not be parsed, ...) get their own
suite, "scan-errors", with one `<error>` each, so CI shows that the scan was incomplete.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from typing import Any

from scanner.compliance.results import ScanReport
from scanner.core.model import Finding, ScanError, Status
from scanner.report.json_report import TOOL_NAME, utc_timestamp

SCAN_ERRORS_SUITE = "scan-errors"

# XML 1.0 cannot carry these at all, escaped or not; ElementTree would write them verbatim.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)


def _element(parent: ET.Element, tag: str, text: str | None = None, /, **attrs: Any) -> ET.Element:
    child = ET.SubElement(
        parent, tag, {k: _clean(str(v)) for k, v in attrs.items() if v is not None}
    )
    if text:
        child.text = _clean(text)
    return child


def _where(finding: Finding) -> str:
    location = finding.location
    if location.file:
        if location.start_line is None:
            return location.file
        return f"{location.file}:{location.start_line}"
    return "/".join(p for p in (location.account, location.region) if p) or finding.resource.source


def _details(finding: Finding) -> str:
    lines = [
        f"check: {finding.check_id} ({finding.title})",
        f"severity: {finding.severity.value}",
        f"resource: {finding.resource.id} ({finding.resource.type}, {finding.resource.source})",
        f"location: {_where(finding)}",
        f"message: {finding.message}",
    ]
    if finding.controls:
        lines.append("controls: " + ", ".join(f"{r.framework} {r.id}" for r in finding.controls))
    if finding.status is Status.SKIPPED:
        original = finding.original_status.value if finding.original_status else "unknown"
        lines.append(f"suppressed ({original}): {finding.suppression_reason or ''}")
    lines.append(f"fingerprint: {finding.fingerprint}")
    return "\n".join(lines) + "\n"


def _testcase(suite: ET.Element, finding: Finding) -> None:
    case = _element(
        suite,
        "testcase",
        name=finding.resource.id,
        classname=finding.check_id,
        file=finding.location.file,
        line=finding.location.start_line,
        time="0",
    )
    status = finding.status
    if status is Status.FAIL:
        _element(
            case, "failure", _details(finding), message=finding.message, type=finding.severity.value
        )
    elif status is Status.ERROR:
        _element(case, "error", _details(finding), message=finding.message, type="error")
    elif status is Status.UNKNOWN:
        _element(case, "skipped", _details(finding), message=f"unknown: {finding.message}")
    elif status is Status.SKIPPED:
        reason = finding.suppression_reason or "no reason given"
        _element(case, "skipped", _details(finding), message=f"suppressed: {reason}")


def _counts(findings: list[Finding]) -> dict[str, int]:
    return {
        "tests": len(findings),
        "failures": sum(f.status is Status.FAIL for f in findings),
        "errors": sum(f.status is Status.ERROR for f in findings),
        "skipped": sum(f.status in (Status.SKIPPED, Status.UNKNOWN) for f in findings),
    }


def _scan_errors_suite(
    root: ET.Element, errors: list[ScanError], warnings: list[ScanError], timestamp: str
) -> None:
    suite = _element(
        root,
        "testsuite",
        name=SCAN_ERRORS_SUITE,
        tests=len(errors),
        failures=0,
        errors=len(errors),
        skipped=0,
        time="0",
        timestamp=timestamp,
    )
    for error in errors:
        name = error.target if error.line is None else f"{error.target}:{error.line}"
        case = _element(suite, "testcase", name=name, classname=SCAN_ERRORS_SUITE, time="0")
        _element(
            case, "error", f"{name}: {error.message}\n", message=error.message, type="scan-error"
        )
    if warnings:
        text = "".join(
            f"warning: {w.target}{'' if w.line is None else f':{w.line}'}: {w.message}\n"
            for w in warnings
        )
        _element(suite, "system-err", text)


def render(report: ScanReport, *, color: bool = False) -> str:
    del color
    by_check: dict[str, list[Finding]] = defaultdict(list)
    for finding in report.findings:
        by_check[finding.check_id].append(finding)
    timestamp = utc_timestamp(report.started_at)
    duration = max((report.finished_at - report.started_at).total_seconds(), 0.0)
    totals = _counts(list(report.findings))
    totals["errors"] += len(report.errors)
    totals["tests"] += len(report.errors)
    root = ET.Element("testsuites", {"name": TOOL_NAME, "time": f"{duration:.3f}"})
    root.attrib.update({key: str(value) for key, value in totals.items()})
    for check_id in sorted(by_check):
        findings = by_check[check_id]
        spec = report.checks.get(check_id)
        suite = _element(
            root, "testsuite", name=check_id, time="0", timestamp=timestamp, **_counts(findings)
        )
        properties = _element(suite, "properties")
        _element(
            properties, "property", name="title", value=spec.title if spec else findings[0].title
        )
        _element(properties, "property", name="severity", value=findings[0].severity.value)
        for finding in findings:
            _testcase(suite, finding)
    if report.errors or report.warnings:
        _scan_errors_suite(root, list(report.errors), list(report.warnings), timestamp)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
