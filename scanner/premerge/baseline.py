"""Baselines: accept today's failures so that only new ones block (adopting comply on a big repo).

Entries are keyed by fingerprint (check id + resource id), never by line, so editing a file does not
invalidate the baseline. A baseline is built from a JSON report (the stable contract) and compared
with a later scan: failures in it are known, failures not in it are new, entries that no longer
fail are reported as fixed.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scanner.compliance.results import BaselineComparison, BaselineEntry
from scanner.core.json_files import JsonFileError, load_json_file
from scanner.core.model import Finding, Status, fingerprint, split_root_label
from scanner.core.wording import plural

BASELINE_VERSION = 1


class BaselineError(Exception):
    """A baseline or report file is unreadable or not what it claims to be."""


# docs/security.md, "Input caps": a JSON report or baseline read back.
MAX_REPORT_BYTES = 512 * 1024 * 1024


def _read_json(path: Path) -> Any:
    try:
        return load_json_file(path, MAX_REPORT_BYTES)
    except JsonFileError as exc:
        raise BaselineError(str(exc)) from exc


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
    try:
        return _baseline_of(report, tool_version)
    except (KeyError, TypeError, AttributeError) as exc:
        raise BaselineError(
            f"{report_path}: malformed report ({type(exc).__name__}: {exc}); a finding is not "
            "what comply writes"
        ) from exc


def _baseline_of(report: Mapping[str, Any], tool_version: str) -> dict[str, Any]:
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
    except (KeyError, TypeError, AttributeError) as exc:
        raise BaselineError(f"{path}: malformed failure entry ({exc})") from exc


def _labels_compatible(one: str, other: str) -> bool:
    """Two root-module labels may name the same folder seen from different scan roots when one
    is a path suffix of the other (`infra` and `envs/prod/infra`; "" is the scanned folder)."""
    a, b = one.split("/") if one else [], other.split("/") if other else []
    shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
    return not shorter or longer[len(longer) - len(shorter) :] == shorter


def entry_engine(check_id: str) -> str:
    """The engine of a check id: a second engine's are prefixed (`checkov.CKV_AWS_20`)."""
    return check_id.split(".", 1)[0] if "." in check_id else "comply"


def compare(
    path: Path,
    entries: Iterable[BaselineEntry],
    findings: Iterable[Finding],
    engines_run: Collection[str] | None = None,
) -> BaselineComparison:
    """Which baseline entries still fail (their findings are known, not new) and which are fixed.

    An entry matches by fingerprint. A Terraform entry written from a scan that started in another
    folder (an older comply, or no repository to anchor ids) still matches when exactly one
    failing finding of the same check has the same address under a compatible root-module label:
    never two, since accepting a failure the baseline did not see would hide a new problem.
    """
    # A suppressed failure still fails underneath: it is neither new nor fixed.
    failing = [f for f in findings if f.status is Status.FAIL or f.original_status is Status.FAIL]
    by_fingerprint = {f.fingerprint for f in failing}
    entries = list(entries)
    known: set[str] = set()
    unmatched: list[BaselineEntry] = []
    not_compared: dict[str, int] = {}
    for entry in entries:
        engine = entry_engine(entry.check_id)
        if engines_run is not None and engine not in engines_run:
            # Nothing ran to judge it: calling it fixed would be a false pass.
            not_compared[engine] = not_compared.get(engine, 0) + 1
        elif entry.fingerprint in by_fingerprint:
            known.add(entry.fingerprint)
        else:
            unmatched.append(entry)
    fixed: list[BaselineEntry] = []
    relocated = 0
    for entry in unmatched:
        match = _relocated_match(entry, failing, known)
        if match is None:
            fixed.append(entry)
        else:
            known.add(match.fingerprint)
            relocated += 1
    return BaselineComparison(
        path=str(path),
        known=frozenset(known),
        fixed=fixed,
        entries=len(entries),
        relocated=relocated,
        not_compared=not_compared,
    )


def _relocated_match(
    entry: BaselineEntry, failing: list[Finding], taken: set[str]
) -> Finding | None:
    label, address = split_root_label(entry.resource_id)
    candidates = []
    for finding in failing:
        if finding.check_id != entry.check_id or finding.fingerprint in taken:
            continue
        if finding.resource.source != "terraform":
            continue
        other_label, other_address = split_root_label(finding.resource.id)
        if other_address == address and _labels_compatible(label, other_label):
            candidates.append(finding)
    unique = {f.fingerprint for f in candidates}
    return candidates[0] if len(unique) == 1 else None


def baseline_warnings(comparison: BaselineComparison, findings: Iterable[Finding]) -> list[str]:
    """What the user must hear about the baseline: one that matched nothing gates nothing."""
    failing = sum(1 for f in findings if f.status is Status.FAIL)
    out = [
        f"{plural(count, 'entry')} of {engine} not compared: {engine} did not run in this scan "
        f"(--engine {engine}, or engines: in .comply.yaml); neither fixed nor still failing"
        for engine, count in sorted(comparison.not_compared.items())
    ]
    compared = comparison.entries - sum(comparison.not_compared.values())
    if compared and not comparison.known and failing:
        return [
            *out,
            f"the baseline matched none of its {plural(comparison.entries, 'entry')} while "
            f"{plural(failing, 'finding')} {'fails' if failing == 1 else 'fail'}: was it "
            "created from another source, or from ids of an older comply? Recreate it with "
            "`comply baseline create` from a JSON report of this scan",
        ]
    return out
