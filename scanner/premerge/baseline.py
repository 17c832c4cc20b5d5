"""Baselines: accept today's failures so that only new ones block (adopting comply on a big repo).

Entries are keyed by fingerprint (check id + resource id), never by line, so editing a file does not
invalidate the baseline. A baseline is built from a JSON report (the stable contract) and compared
with a later scan: failures in it are known, failures not in it are new, entries that no longer
fail are reported as fixed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scanner.compliance.results import BaselineComparison, BaselineEntry
from scanner.core.model import Finding, Status, fingerprint

BASELINE_VERSION = 1


class BaselineError(Exception):
    """A baseline or report file is unreadable or not what it claims to be."""


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"{path}: cannot be read: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{path}: not valid JSON (line {exc.lineno}): {exc.msg}") from exc


def _failed(finding: Mapping[str, Any]) -> bool:
    """Failing now, or failing under a suppression (which may lapse)."""
    if finding.get("status") == "fail":
        return True
    suppression = finding.get("suppression") or {}
    return finding.get("status") == "skipped" and suppression.get("original_status") == "fail"


def baseline_from_report(report_path: Path, tool_version: str) -> dict[str, Any]:
    """The failing findings of a JSON report (schema_version 1) as a baseline document."""
    report = _read_json(report_path)
    if not isinstance(report, Mapping) or report.get("schema_version") != "1":
        raise BaselineError(f"{report_path}: not a comply JSON report (schema_version 1)")
    entries = {
        (f["check_id"], f["resource"]["id"])
        for f in report.get("findings", [])
        if f.get("status") == "fail"
        or (
            f.get("status") == "skipped"
            and f.get("suppression", {}).get("original_status") == "fail"
        )
    }
    return {
        "baseline_version": BASELINE_VERSION,
        "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "tool_version": tool_version,
        "source": report.get("scan", {}).get("source"),
        "failures": [
            {
                "check_id": check,
                "resource_id": resource,
                "fingerprint": fingerprint(check, resource),
            }
            for check, resource in sorted(entries)
        ],
    }


def load_baseline(path: Path) -> list[BaselineEntry]:
    document = _read_json(path)
    if not isinstance(document, Mapping) or document.get("baseline_version") != BASELINE_VERSION:
        raise BaselineError(
            f"{path}: not a comply baseline (baseline_version {BASELINE_VERSION}); "
            "create one with `comply baseline create REPORT.json`"
        )
    try:
        return [
            BaselineEntry(str(e["check_id"]), str(e["resource_id"]), str(e["fingerprint"]))
            for e in document["failures"]
        ]
    except (KeyError, TypeError) as exc:
        raise BaselineError(f"{path}: malformed failure entry ({exc})") from exc


def compare(
    path: Path, entries: Iterable[BaselineEntry], findings: Iterable[Finding]
) -> BaselineComparison:
    # A suppressed failure still fails underneath: it is neither new nor fixed.
    failing = {
        f.fingerprint
        for f in findings
        if f.status is Status.FAIL or f.original_status is Status.FAIL
    }
    entries = list(entries)
    return BaselineComparison(
        path=str(path),
        known=frozenset(e.fingerprint for e in entries if e.fingerprint in failing),
        fixed=[e for e in entries if e.fingerprint not in failing],
    )
