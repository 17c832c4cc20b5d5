"""The bundle's data files: findings.json, run/metadata.json, raw evidence and the OSCAL document.

JSON is written with sorted keys (the OSCAL document keeps its own order), redacted and scrubbed.
"""

from __future__ import annotations

import csv
import importlib
import inspect
import io
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from scanner.evidence.manifest import file_entries
from scanner.evidence.model import BundleModel, ControlRecord
from scanner.evidence.text_safety import dump_json, scrub


def _control_rollup(control: ControlRecord) -> dict[str, Any]:
    attestation = control.attestation
    return {
        "framework": control.framework,
        "id": control.id,
        "title": control.title,
        "status": control.status,
        "automation": control.automation,
        "counts": dict(control.counts),
        "checks": list(control.checks),
        "reason": control.reason,
        "evaluated": control.evaluated,
        "population": dict(control.population_by_source),
        "attestation": None
        if attestation is None
        else {
            "statement": attestation.statement,
            "owner": attestation.owner,
            "date": attestation.date,
            "expires": attestation.expires,
            "evidence": [item.reference for item in attestation.evidence],
            "current": attestation.current,
        },
        "page": control.html_path,
    }


def findings_document(model: BundleModel) -> dict[str, Any]:
    """The merged findings in the JSON report's contract shape, plus bundle links."""
    return {
        "schema_version": "1",
        "tool": {"name": model.tool_name, "version": model.tool_version},
        "framework": model.framework,
        "generated_at": model.generated_at,
        "reports": [
            {
                "name": r.name,
                "sha256": r.sha256,
                "source": r.source,
                "started_at": r.started_at,
                "finished_at": r.finished_at,
            }
            for r in model.reports
        ],
        "summary": model.finding_summary,
        "findings": [
            {**f.data, "report": f.report, "evidence": f.evidence_path} for f in model.findings
        ],
        "errors": [{**e, "report": r.name} for r in model.reports for e in r.errors],
        "warnings": [{**w, "report": r.name} for r in model.reports for w in r.warnings],
        "controls": [_control_rollup(c) for c in model.controls],
    }


def _collect(values: Sequence[Any]) -> list[Any]:
    """Unique values in first-seen order (dicts compared by their JSON)."""
    seen: dict[str, Any] = {}
    for value in values:
        seen.setdefault(json.dumps(value, sort_keys=True, default=str), value)
    return list(seen.values())


def metadata_document(model: BundleModel, export: Mapping[str, Any]) -> dict[str, Any]:
    contexts = [r.context for r in model.reports]
    accounts = [a for c in contexts for a in (c.get("accounts") or [])]
    callers = [c[k] for c in contexts for k in ("caller_identity", "caller") if c.get(k)]
    callers += [a["caller_arn"] for a in accounts if isinstance(a, dict) and a.get("caller_arn")]
    regions = [g for c in contexts for g in (c.get("regions") or [])]
    regions += [g for a in accounts if isinstance(a, dict) for g in (a.get("regions") or [])]
    return {
        "bundle": {
            "uuid": model.uuid,
            "format_version": model.format_version,
            "framework": model.framework,
            "framework_name": model.framework_name,
            "framework_version": model.framework_version,
            "generated_at": model.generated_at,
            "evaluated_on": model.evaluated_on.isoformat(),
        },
        "tool": {"name": model.tool_name, "version": model.tool_version},
        "policies": {
            "policies_sha256": model.policies_sha256,
            "catalog_sha256": model.catalog_sha256,
        },
        "export": dict(export),
        "sources": list(model.sources),
        "reports": [
            {
                "name": r.name,
                "sha256": r.sha256,
                "schema_version": r.schema_version,
                "tool": {"name": r.tool_name, "version": r.tool_version},
                "source": r.source,
                "targets": list(r.targets),
                "started_at": r.started_at,
                "finished_at": r.finished_at,
                "summary": dict(r.summary),
                "context": dict(r.context),
                "operator": dict(r.operator) if r.operator is not None else None,
                "errors": len(r.errors),
                "warnings": len(r.warnings),
            }
            for r in model.reports
        ],
        "repositories": _collect([c["repository"] for c in contexts if c.get("repository")]),
        "caller_identities": sorted({str(c) for c in callers}),
        "accounts": _collect(accounts),
        "regions": sorted({str(g) for g in regions}),
        "redaction_rules": list(model.redaction_rules),
    }


def raw_evidence_files(model: BundleModel) -> dict[str, bytes]:
    reports = {r.name: r for r in model.reports}
    files = {}
    for resource in model.resources:
        report = reports[resource.report]
        files[resource.evidence_path] = dump_json(
            {
                "resource": {"id": resource.id, "type": resource.type, "source": resource.source},
                "location": dict(resource.location),
                "collected": {
                    "report": report.name,
                    "report_sha256": report.sha256,
                    "source": report.source,
                    "targets": list(report.targets),
                    "started_at": report.started_at,
                    "finished_at": report.finished_at,
                    "arguments": report.context.get("arguments"),
                },
                "raw": resource.raw,
            }
        )
    return files


def oscal_file(model: BundleModel, files: Mapping[str, bytes]) -> dict[str, bytes]:
    """oscal/assessment-results.json when the OSCAL generator is installed; nothing otherwise."""
    try:
        module = importlib.import_module("scanner.evidence.oscal")
    except ModuleNotFoundError as exc:
        if exc.name == "scanner.evidence.oscal":
            return {}
        raise
    generate = module.assessment_results
    digests = {entry["path"]: entry for entry in file_entries(files)}
    takes_files = len(inspect.signature(generate).parameters) >= 2
    document = generate(model, digests) if takes_files else generate(model)
    return {"oscal/assessment-results.json": dump_json(document, sort_keys=False)}


# The columns every population.csv starts with (point-in-time and period bundles).
RESOURCE_COLUMNS = ("source", "type", "id", "file", "start_line", "account", "region")
POPULATION_COLUMNS = (*RESOURCE_COLUMNS, "report", "read_by_a_check")


class ScannedResource(Protocol):
    @property
    def source(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def id(self) -> str: ...
    @property
    def location(self) -> Mapping[str, Any]: ...


def resource_cells(resource: ScannedResource) -> list[Any]:
    """The RESOURCE_COLUMNS of one resource."""
    location = resource.location
    return [
        resource.source,
        resource.type,
        resource.id,
        location.get("file", ""),
        location.get("start_line", ""),
        location.get("account", ""),
        location.get("region", ""),
    ]


def population_table(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """population.csv: a header and one row per resource, scrubbed."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return scrub(out.getvalue()).encode("utf-8")


def scanned_counts(population: Sequence[ScannedResource]) -> dict[str, Any]:
    """How many resources, by source and by type, and the scanned files per source."""
    files: dict[str, set[str]] = {}
    for r in population:
        if r.location.get("file"):
            files.setdefault(r.source, set()).add(str(r.location["file"]))
    return {
        "resources": len(population),
        "by_source": dict(sorted(Counter(r.source for r in population).items())),
        "by_type": dict(sorted(Counter(r.type for r in population).items())),
        "files": {source: sorted(names) for source, names in sorted(files.items())},
    }


def population_files(model: BundleModel) -> dict[str, bytes]:
    """population.csv (every resource scanned, for sampling) and the scanned files, accounts and
    regions; resources no check of the framework reads are listed too."""
    read = {r.evidence_path for r in model.resources}
    rows = (
        [*resource_cells(r), r.report, "yes" if r.evidence_path in read else "no"]
        for r in model.population
    )
    metadata = metadata_document(model, {})
    scanned = {
        **scanned_counts(model.population),
        "targets": {r.name: list(r.targets) for r in model.reports},
        "accounts": metadata["accounts"],
        "regions": metadata["regions"],
    }
    return {
        "population.csv": population_table(POPULATION_COLUMNS, rows),
        "population/scanned.json": dump_json(scanned),
    }
