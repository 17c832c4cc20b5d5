"""Records of the input reports: each report as read, its resources and its findings.

Context, problems, raw data and findings are redacted as they are read; every id is a
`stable_uuid`, so the same reports give the same records.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from scanner.core.model import ControlRef
from scanner.core.redaction import redact
from scanner.evidence.filenames import safe_file_name, safe_name
from scanner.evidence.model import (
    FindingRecord,
    InputReport,
    ReportDocument,
    ResourceRecord,
    stable_uuid,
)


def input_report(doc: ReportDocument) -> InputReport:
    d = doc.document
    scan = d.get("scan") or {}
    tool = d.get("tool") or {}
    evaluated = frozenset(
        ControlRef(str(c.get("framework")), str(c.get("id"))) for c in d.get("controls") or []
    )
    return InputReport(
        name=doc.name,
        sha256=doc.sha256,
        schema_version=str(d.get("schema_version")),
        tool_name=str(tool.get("name", "")),
        tool_version=str(tool.get("version", "")),
        source=str(scan.get("source", "")),
        targets=tuple(str(t) for t in scan.get("targets") or ()),
        started_at=str(scan.get("started_at", "")),
        finished_at=str(scan.get("finished_at", "")),
        summary=dict(d.get("summary") or {}),
        context=redact(dict(d.get("context") or {})),
        errors=tuple(redact(e) for e in d.get("errors") or ()),
        warnings=tuple(redact(w) for w in d.get("warnings") or ()),
        evaluated_controls=evaluated,
    )


def resource_records(
    reports: Sequence[ReportDocument],
) -> dict[tuple[str, str, str], ResourceRecord]:
    """Every resource of every report, keyed by (report, source, id), with unique evidence paths."""
    seen_paths: set[str] = set()
    out: dict[tuple[str, str, str], ResourceRecord] = {}
    for doc in reports:
        for item in doc.document.get("resources") or ():
            source, rid = str(item.get("source", "")), str(item.get("id", ""))
            path = f"evidence/raw/{safe_name(source)}/{safe_file_name(rid, '.json')}"
            if path in seen_paths:  # same id in two reports of one source: keep both
                path = path[: -len(".json")] + f"--{safe_name(doc.name)}.json"
            seen_paths.add(path)
            out[(doc.name, source, rid)] = ResourceRecord(
                uuid=stable_uuid("resource", doc.name, source, rid),
                id=rid,
                type=str(item.get("type", "")),
                source=source,
                location=redact(dict(item.get("location") or {})),
                raw=redact(item.get("raw")),
                report=doc.name,
                evidence_path=path,
            )
    return out


def finding_record(
    doc: ReportDocument, item: Mapping[str, Any], resources: Mapping[tuple[str, str, str], Any]
) -> FindingRecord:
    data = redact(dict(item))
    resource = data.get("resource") or {}
    rid, source = str(resource.get("id", "")), str(resource.get("source", ""))
    record = resources.get((doc.name, source, rid))
    return FindingRecord(
        uuid=stable_uuid("finding", doc.name, str(data.get("fingerprint", "")), str(rid)),
        check_id=str(data.get("check_id", "")),
        title=str(data.get("title", "")),
        severity=str(data.get("severity", "")),
        status=str(data.get("status", "")),
        message=str(data.get("message", "")),
        resource_id=rid,
        resource_type=str(resource.get("type", "")),
        source=source,
        location=dict(data.get("location") or {}),
        controls=tuple(
            ControlRef(str(c.get("framework")), str(c.get("id")))
            for c in data.get("controls") or ()
        ),
        fingerprint=str(data.get("fingerprint", "")),
        suppression=data.get("suppression"),
        report=doc.name,
        evidence_path=record.evidence_path if record is not None else None,
        data=data,
    )


def report_sort_key(doc: ReportDocument) -> tuple[str, str, str, str]:
    scan = doc.document.get("scan") or {}
    return (str(scan.get("source", "")), str(scan.get("started_at", "")), doc.sha256, doc.name)


# ---------------------------------------------------------------------------------------------
# Several reports of one scope are a sequence in time, not a union


def report_scope(doc: ReportDocument) -> tuple[str, ...]:
    """What a report scanned: its source and targets. Two reports of one scope describe the same
    resources at two moments; reports of different scopes describe different resources."""
    scan = doc.document.get("scan") or {}
    return (str(scan.get("source", "")), *sorted(str(t) for t in scan.get("targets") or ()))


def _report_time(doc: ReportDocument) -> tuple[str, str, str, str]:
    scan = doc.document.get("scan") or {}
    return (str(scan.get("finished_at", "")), str(scan.get("started_at", "")), doc.sha256, doc.name)


def resource_key(doc: ReportDocument, source: str, rid: str) -> tuple[tuple[str, ...], str, str]:
    return (report_scope(doc), source, rid)


def finding_resource_key(
    doc: ReportDocument, item: Mapping[str, Any]
) -> tuple[tuple[str, ...], str, str]:
    resource = item.get("resource") or {}
    return resource_key(doc, str(resource.get("source", "")), str(resource.get("id", "")))


def latest_report_per_resource(
    docs: Sequence[ReportDocument],
) -> dict[tuple[tuple[str, ...], str, str], str]:
    """(scope, source, resource id) -> the name of the latest report that saw the resource.

    The latest state of a resource decides: a failure fixed in a later re-run of the same scope
    is gone, and a resource seen by two reports of one scope is counted once. A resource only an
    earlier report saw keeps that report's state (it was not evaluated since: never a pass).
    """
    latest: dict[tuple[tuple[str, ...], str, str], tuple[tuple[str, str, str, str], str]] = {}
    for doc in docs:
        when = _report_time(doc)
        keys = {
            resource_key(doc, str(r.get("source", "")), str(r.get("id", "")))
            for r in doc.document.get("resources") or ()
        }
        keys |= {finding_resource_key(doc, f) for f in doc.document.get("findings") or ()}
        for key in keys:
            kept = latest.get(key)
            if kept is None or when > kept[0]:
                latest[key] = (when, doc.name)
    return {key: name for key, (_, name) in latest.items()}
