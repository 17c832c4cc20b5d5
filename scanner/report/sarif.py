"""SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.

One rule per check that ran; results only for failures, and for suppressed failures (carrying
`suppressions`), so that code scanning shows what must be fixed and remembers what was accepted.
`partialFingerprints` hold the finding fingerprint (check id + resource id), which survives edits
that move lines.

File paths are relative to the scanned root under the `%SRCROOT%` base id. The log does not define
`%SRCROOT%` (no `originalUriBaseIds`) unless asked to: defining it means writing the absolute path
of the scanning machine (a home folder, a CI runner's workspace) into a file that is uploaded to
third parties, and consumers such as GitHub resolve relative paths against their own checkout.
"""

from __future__ import annotations

import json
from collections import defaultdict
from importlib.metadata import PackageNotFoundError, metadata
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from scanner.compliance.results import ScanReport
from scanner.core.model import ControlRef, Finding, Location, ScanError, Severity, Status
from scanner.core.registry import CheckSpec
from scanner.report.json_report import TOOL_NAME, utc_timestamp

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "comply/v1"

# GitHub maps security-severity to critical (>= 9.0), high (7.0-8.9), medium (4.0-6.9), low.
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}
LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}


def information_uri() -> str | None:
    """The project's home page from the installed package metadata, when it declares one."""
    try:
        meta = metadata(TOOL_NAME)
    except PackageNotFoundError:
        return None
    urls = [str(entry).partition(",")[2].strip() for entry in meta.get_all("Project-URL") or []]
    urls += [str(home).strip() for home in meta.get_all("Home-page") or []]
    return next((url for url in urls if url.startswith(("https://", "http://"))), None)


def rule_name(check_id: str) -> str:
    """`s3_bucket_encrypted_at_rest` -> `S3BucketEncryptedAtRest`."""
    return "".join(part[:1].upper() + part[1:] for part in check_id.split("_") if part)


def _is_reported(finding: Finding) -> bool:
    if finding.status is Status.FAIL:
        return True
    return finding.status is Status.SKIPPED and finding.original_status is Status.FAIL


def _control_tags(refs: list[ControlRef]) -> list[str]:
    return sorted({f"{ref.framework}:{ref.id}" for ref in refs})


def _rule(
    check_id: str, title: str, severity: Severity, spec: CheckSpec | None, refs: list[ControlRef]
) -> dict[str, Any]:
    rationale = spec.rationale if spec else ""
    remediation = spec.remediation if spec else ""
    text_parts = [rationale or title]
    markdown_parts = [rationale or title]
    if remediation:
        text_parts.append(f"Remediation: {remediation}")
        markdown_parts.append(f"**Remediation**\n\n{remediation}")
    return {
        "id": check_id,
        "name": rule_name(check_id),
        "shortDescription": {"text": title},
        "fullDescription": {"text": rationale or title},
        "help": {"text": "\n\n".join(text_parts), "markdown": "\n\n".join(markdown_parts)},
        "defaultConfiguration": {"level": LEVEL[severity]},
        "properties": {
            "security-severity": SECURITY_SEVERITY[severity],
            "tags": ["security", "compliance", *_control_tags(refs)],
        },
    }


def _rules(report: ScanReport) -> list[dict[str, Any]]:
    refs_by_check: dict[str, list[ControlRef]] = defaultdict(list)
    for finding in report.findings:
        refs_by_check[finding.check_id].extend(finding.controls)
    rules = [
        _rule(spec.id, spec.title, spec.severity, spec, refs_by_check[spec.id])
        for spec in sorted(report.checks.values(), key=lambda s: s.id)
    ]
    # A reported finding must point at a rule, even if its check is missing from report.checks.
    orphans: dict[str, Finding] = {}
    for finding in report.findings:
        if _is_reported(finding) and finding.check_id not in report.checks:
            orphans.setdefault(finding.check_id, finding)
    for check_id, finding in sorted(orphans.items()):
        rules.append(
            _rule(check_id, finding.title, finding.severity, None, refs_by_check[check_id])
        )
    return rules


def _root_path(root: str) -> PurePath:
    return PureWindowsPath(root) if PureWindowsPath(root).drive else PurePosixPath(root)


def relative_uri(file: str, root: str) -> tuple[str, bool]:
    """(uri, relative?) for a finding's file: relative to `root`, posix, percent-encoded.

    Findings already carry root-relative paths; an absolute path under the root is made relative,
    and one outside it becomes an absolute `file://` URI rather than a wrong relative one.
    """
    windows = PureWindowsPath(file)
    path: PurePath = windows if windows.drive or "\\" in file else PurePosixPath(file)
    if path.is_absolute():
        try:
            path = path.relative_to(_root_path(root))
        except ValueError:
            return path.as_uri(), False
    posix = PurePosixPath(*path.parts).as_posix()
    if posix.startswith("./"):
        posix = posix[2:]
    return quote(posix, safe="/"), True


def root_uri(root: str) -> str:
    uri = Path(root).resolve().as_uri()
    return uri if uri.endswith("/") else uri + "/"


def _location(finding: Finding, root: str, prefix: str) -> dict[str, Any]:
    location: Location = finding.location
    if location.file:
        uri, relative = relative_uri(location.file, root)
        if relative and prefix:
            uri = f"{quote(prefix.strip('/'), safe='/')}/{uri}"
        artifact: dict[str, Any] = {"uri": uri}
        if relative:
            artifact["uriBaseId"] = SRCROOT
        physical: dict[str, Any] = {"artifactLocation": artifact}
        if location.start_line is not None and location.start_line >= 1:
            region: dict[str, Any] = {"startLine": location.start_line}
            if location.end_line is not None and location.end_line >= location.start_line:
                region["endLine"] = location.end_line
            physical["region"] = region
        return {"physicalLocation": physical}
    where = "/".join(part for part in (location.account, location.region) if part)
    logical: dict[str, Any] = {
        "name": finding.resource.id,
        "fullyQualifiedName": finding.resource.id,
        "kind": "resource",
    }
    out: dict[str, Any] = {"logicalLocations": [logical]}
    if where:
        out["message"] = {"text": f"{finding.resource.type} in {where}"}
    return out


def _result(finding: Finding, rule_index: int, root: str, prefix: str) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.check_id,
        "ruleIndex": rule_index,
        "level": LEVEL[finding.severity],
        "message": {"text": f"{finding.resource.id}: {finding.message}"},
        "locations": [_location(finding, root, prefix)],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": {
            "severity": finding.severity.value,
            "resourceId": finding.resource.id,
            "resourceType": finding.resource.type,
            "tags": _control_tags(finding.controls),
        },
    }
    if finding.status is Status.SKIPPED:
        result["suppressions"] = [
            {
                # A waiver lives outside the code; an inline skip is in the source itself.
                "kind": "external" if finding.suppressed_by == "waiver" else "inSource",
                "justification": finding.suppression_reason or "",
            }
        ]
    return result


def _notification(problem: ScanError, level: str) -> dict[str, Any]:
    where = problem.target if problem.line is None else f"{problem.target}:{problem.line}"
    properties: dict[str, Any] = {"target": problem.target}
    if problem.line is not None:
        properties["line"] = problem.line
    return {
        "level": level,
        "message": {"text": f"{where}: {problem.message}"},
        "properties": properties,
    }


def report_to_sarif(report: ScanReport, *, define_root: bool = False) -> dict[str, Any]:
    rules = _rules(report)
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    results = [
        _result(finding, index[finding.check_id], report.root, report.sarif_prefix)
        for finding in report.findings
        if _is_reported(finding)
    ]
    driver: dict[str, Any] = {"name": TOOL_NAME, "version": report.tool_version}
    uri = information_uri()
    if uri:
        driver["informationUri"] = uri
    driver["rules"] = rules
    invocation: dict[str, Any] = {
        "executionSuccessful": not report.errors,
        "startTimeUtc": utc_timestamp(report.started_at),
        "endTimeUtc": utc_timestamp(report.finished_at),
    }
    notifications = [_notification(e, "error") for e in report.errors]
    notifications += [_notification(w, "warning") for w in report.warnings]
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    run: dict[str, Any] = {"tool": {"driver": driver}}
    if define_root:
        run["originalUriBaseIds"] = {SRCROOT: {"uri": root_uri(report.root)}}
    run["invocations"] = [invocation]
    run["results"] = results
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def render(report: ScanReport, *, color: bool = False, define_root: bool = False) -> str:
    """The SARIF log as indented JSON ending in a newline.

    `define_root=True` adds `originalUriBaseIds` with the absolute `file://` URI of the root, for
    consumers that cannot resolve `%SRCROOT%` themselves (it reveals the local path).
    """
    del color
    return (
        json.dumps(report_to_sarif(report, define_root=define_root), indent=2, ensure_ascii=False)
        + "\n"
    )
