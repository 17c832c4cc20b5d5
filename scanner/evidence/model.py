"""The evidence bundle as plain data: what every page, file and OSCAL document is rendered from.

Built from the JSON reports of one or more scans, the framework catalog, the registry (which
resource types each check reads), attestations and waivers. Nothing here reads the clock: the
bundle's time is the latest `finished_at` of its input reports, and the date attestations are
judged on is that time's date — so the same inputs always give the same model.

The roll-up of the union of all reports' findings reuses `scanner.rollup.control_state`; the only
addition is that a control none of the input reports evaluated (scanned with another
`--framework`) is `incomplete`, never `not_applicable`.

Field names here are a contract for the renderers and `scanner.evidence.oscal`: add, never rename.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from scanner.attestations import Attestation, attestations_by_control, best_attestation
from scanner.controls import Catalog, Control, Scope
from scanner.coverage import SOURCES, coverage_rows
from scanner.evidence.filenames import safe_file_name, safe_name
from scanner.model import ControlRef, Status
from scanner.redaction import redact, redaction_rules
from scanner.registry import Registry
from scanner.rollup import ControlState, control_state
from scanner.waivers import Waiver

BUNDLE_FORMAT_VERSION = "1"
# UUIDv5 namespace of every id in a bundle: a constant, so ids are reproducible.
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://comply.invalid/evidence-bundle/v1")
COVERAGE_COLUMNS = ("framework", "id", "title", "category", "automation", "checks", *SOURCES)


def stable_uuid(*parts: str) -> str:
    """A UUIDv5 from the bundle namespace and `parts` (kind first: "control", "finding", ...)."""
    return str(uuid.uuid5(NAMESPACE, "\x1f".join(parts)))


@dataclass(frozen=True)
class InputReport:
    """One JSON report given to `evidence export`, as read (context and problems redacted)."""

    name: str  # unique label in the bundle: the file's base name (`tf.json`, `tf-2.json`)
    sha256: str  # of the report file's bytes
    schema_version: str
    tool_name: str
    tool_version: str
    source: str  # terraform | kubernetes | aws | snapshot
    targets: tuple[str, ...]
    started_at: str  # ISO 8601 UTC, `Z`
    finished_at: str
    summary: Mapping[str, int]
    context: Mapping[str, Any]  # arguments, repository, caller/accounts/regions for AWS
    errors: tuple[Mapping[str, Any], ...]
    warnings: tuple[Mapping[str, Any], ...]
    evaluated_controls: frozenset[ControlRef]  # controls in the report's own roll-up


@dataclass(frozen=True)
class ResourceRecord:
    """One scanned resource with the raw data it was judged on (redacted)."""

    uuid: str
    id: str
    type: str
    source: str
    location: Mapping[str, Any]  # file, start_line, end_line (or API location)
    raw: Any
    report: str  # InputReport.name
    evidence_path: str  # `evidence/raw/<source>/<safe id>.json`


@dataclass(frozen=True)
class FindingRecord:
    uuid: str
    check_id: str
    title: str
    severity: str
    status: str  # pass | fail | unknown | error | skipped
    message: str
    resource_id: str
    resource_type: str
    source: str
    location: Mapping[str, Any]
    controls: tuple[ControlRef, ...]
    fingerprint: str
    suppression: Mapping[str, Any] | None  # reason, original_status, by (inline | waiver)
    report: str  # InputReport.name
    evidence_path: str | None  # the raw evidence file of its resource, when the report had it
    data: Mapping[str, Any]  # the finding in the JSON contract shape (redacted)


@dataclass(frozen=True)
class CheckResult:
    """One check of a control: what it read and what it concluded, per resource."""

    check_id: str
    title: str
    severity: str
    resource_types: tuple[str, ...]
    counts: Mapping[str, int]  # every Status value
    findings: tuple[FindingRecord, ...]


@dataclass(frozen=True)
class WaiverRecord:
    uuid: str
    check: str
    resource: str
    reason: str
    approver: str
    ticket: str
    expires: str  # YYYY-MM-DD
    active: bool  # on the bundle's evaluation date
    source: str  # "waivers.yaml entry 2"
    covered: tuple[FindingRecord, ...]  # findings of this framework it turned into `skipped`


@dataclass(frozen=True)
class ExceptionRecord:
    """A finding that was not judged: skipped inline or waived, with the reason given."""

    finding: FindingRecord
    kind: str  # inline | waiver | other
    reason: str
    original_status: str | None
    waiver: WaiverRecord | None


@dataclass(frozen=True)
class AttestationEvidenceItem:
    reference: str  # as written in the attestations file
    kind: str  # file | url
    state: str  # copied | missing | link | withheld (looked like it holds a credential)
    bundle_path: str | None  # `attestations/files/<safe name>` when copied
    sha256: str | None  # of the copied bytes


@dataclass(frozen=True)
class AttestationRecord:
    uuid: str
    control: ControlRef
    statement: str
    owner: str
    date: str  # YYYY-MM-DD
    expires: str
    current: bool  # on the bundle's evaluation date
    status: str  # "current until 2027-03-01" | "expired on ..." | "dated ..., in the future"
    source: str  # "attestations.yaml entry 3 (hipaa:164.308(a)(1)(i))"
    evidence: tuple[AttestationEvidenceItem, ...]


@dataclass(frozen=True)
class ControlRecord:
    uuid: str
    framework: str
    id: str
    title: str
    requirement: str
    automation: str  # automated | partial | manual
    specification: str | None
    category: str | None
    standard: str | None
    manual_evidence: tuple[str, ...]
    checks: tuple[str, ...]
    status: str  # ControlState value
    reason: str
    counts: Mapping[str, int]  # merged finding counts over every input report
    evaluated: bool  # some input report evaluated this control
    resource_types: tuple[str, ...]  # what its checks read
    population: tuple[ResourceRecord, ...]  # resources in scope, sorted by (source, id)
    population_by_source: Mapping[str, int]
    results: tuple[CheckResult, ...]
    exceptions: tuple[ExceptionRecord, ...]
    attestation: AttestationRecord | None  # the one the status was judged on
    html_path: str  # `controls/<framework>/<safe id>.html`
    md_path: str

    @property
    def ref(self) -> ControlRef:
        return ControlRef(self.framework, self.id)


@dataclass(frozen=True)
class CopiedFile:
    """A user file carried into the bundle (the attestations file, the waivers file)."""

    name: str  # base name as given
    bundle_path: str
    sha256: str  # of the bytes written into the bundle
    redacted: bool  # the bundle holds a redacted copy, not the original bytes


@dataclass(frozen=True)
class BundleModel:
    uuid: str
    format_version: str
    framework: str  # hipaa
    framework_name: str  # HIPAA Security Rule
    framework_version: str
    title: str
    generated_at: str  # the latest finished_at of the input reports (ISO 8601 UTC)
    evaluated_on: date  # generated_at's date: attestations and waivers are judged on it
    tool_name: str
    tool_version: str  # comply that exported the bundle
    policies_sha256: str  # checks that exported (see metadata)
    catalog_sha256: str
    reports: tuple[InputReport, ...]
    controls: tuple[ControlRecord, ...]
    findings: tuple[FindingRecord, ...]  # every finding of a check mapped to this framework
    resources: tuple[ResourceRecord, ...]  # every resource with raw evidence in the bundle
    waivers: tuple[WaiverRecord, ...]
    attestations: tuple[AttestationRecord, ...]
    attestations_file: CopiedFile | None
    waivers_file: CopiedFile | None
    coverage: tuple[Mapping[str, Any], ...]  # COVERAGE_COLUMNS + status
    redaction_rules: tuple[str, ...]
    # Bytes copied into the bundle besides rendered files: attestation file and evidence files.
    attachments: Mapping[str, bytes] = field(default_factory=dict)

    @property
    def control_summary(self) -> dict[str, int]:
        counts = Counter(c.status for c in self.controls)
        return {state.value: counts.get(state.value, 0) for state in ControlState}

    @property
    def finding_summary(self) -> dict[str, int]:
        counts = Counter(f.status for f in self.findings)
        return {status.value: counts.get(status.value, 0) for status in Status}

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(sorted({r.source for r in self.reports}))


# ---------------------------------------------------------------------------------------------
# Building


@dataclass(frozen=True)
class ReportDocument:
    """A report file as read: its label, hash and parsed JSON."""

    name: str
    sha256: str
    document: Mapping[str, Any]


@dataclass
class ModelInputs:
    framework: str
    reports: Sequence[ReportDocument]
    catalog: Catalog
    registry: Registry
    tool_version: str
    policies_sha256: str
    catalog_sha256: str
    attestations: Sequence[Attestation] = ()
    attestation_items: Mapping[tuple[str, str], AttestationEvidenceItem] = field(
        default_factory=dict
    )  # (attestation source, reference) -> what became of that evidence
    attestations_file: CopiedFile | None = None
    waivers: Sequence[Waiver] = ()
    waivers_file: CopiedFile | None = None
    attachments: Mapping[str, bytes] = field(default_factory=dict)


def _input_report(doc: ReportDocument) -> InputReport:
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


def _resources(reports: Sequence[ReportDocument]) -> dict[tuple[str, str, str], ResourceRecord]:
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


def _finding(
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


def _check_types(registry: Registry, check_id: str, findings: Sequence[FindingRecord]) -> set[str]:
    current = registry.resolve(check_id)
    spec = registry.checks.get(current) if current else None
    if spec is not None:
        return {*spec.resource_types, *spec.context_types}
    return {f.resource_type for f in findings}  # a check this installation does not know


def _waiver_records(
    waivers: Sequence[Waiver], findings: Sequence[FindingRecord], today: date
) -> list[WaiverRecord]:
    records = []
    for waiver in waivers:
        covered = tuple(
            f
            for f in findings
            if f.status == Status.SKIPPED.value
            and (f.suppression or {}).get("by") == "waiver"
            and waiver.matches(f.check_id, f.resource_id)
        )
        records.append(
            WaiverRecord(
                uuid=stable_uuid("waiver", waiver.source, waiver.check, waiver.resource),
                check=waiver.check,
                resource=waiver.resource,
                reason=waiver.reason,
                approver=waiver.approver,
                ticket=waiver.ticket,
                expires=waiver.expires.isoformat(),
                active=waiver.is_active(today),
                source=waiver.source,
                covered=covered,
            )
        )
    return records


def _attestation_record(
    attestation: Attestation, inputs: ModelInputs, today: date
) -> AttestationRecord:
    items = tuple(
        inputs.attestation_items.get(
            (attestation.source, ref),
            AttestationEvidenceItem(ref, "file", "missing", None, None),
        )
        for ref in attestation.evidence
    )
    return AttestationRecord(
        uuid=stable_uuid("attestation", attestation.source),
        control=attestation.control,
        statement=attestation.statement,
        owner=attestation.owner,
        date=attestation.date.isoformat(),
        expires=attestation.expires.isoformat(),
        current=attestation.is_current(today),
        status=attestation.status_on(today),
        source=attestation.source,
        evidence=items,
    )


def _exception(finding: FindingRecord, waivers: Sequence[WaiverRecord]) -> ExceptionRecord:
    suppression = finding.suppression or {}
    kind = str(suppression.get("by") or "other")
    waiver = next((w for w in waivers if finding in w.covered), None) if kind == "waiver" else None
    return ExceptionRecord(
        finding=finding,
        kind=kind if kind in ("inline", "waiver") else "other",
        reason=str(suppression.get("reason", "")),
        original_status=suppression.get("original_status"),
        waiver=waiver,
    )


def _control_record(
    control: Control,
    inputs: ModelInputs,
    *,
    findings_by_check: Mapping[str, list[FindingRecord]],
    resources: Sequence[ResourceRecord],
    reports: Sequence[InputReport],
    waivers: Sequence[WaiverRecord],
    attestation: AttestationRecord | None,
    attestation_obj: Attestation | None,
    today: date,
) -> ControlRecord:
    results: list[CheckResult] = []
    types: set[str] = set()
    counts: Counter[Status] = Counter()
    for check_id in control.checks:
        found = findings_by_check.get(check_id, [])
        check_counts: Counter[Status] = Counter(Status(f.status) for f in found)
        counts.update(check_counts)
        read = _check_types(inputs.registry, check_id, found)
        types |= read
        current = inputs.registry.resolve(check_id)
        spec = inputs.registry.checks.get(current) if current else None
        results.append(
            CheckResult(
                check_id=check_id,
                title=spec.title if spec else (found[0].title if found else check_id),
                severity=spec.severity.value if spec else (found[0].severity if found else ""),
                resource_types=tuple(sorted(read)),
                counts={s.value: check_counts.get(s, 0) for s in Status},
                findings=tuple(found),
            )
        )
    evaluated = any(control.ref in r.evaluated_controls for r in reports)
    if control.checks and not evaluated:
        state, reason = (
            ControlState.INCOMPLETE,
            "not evaluated: no input report ran this framework's checks",
        )
    else:
        state, reason = control_state(control, counts, attestation_obj, today)
    population = tuple(r for r in resources if r.type in types)
    skipped = [f for result in results for f in result.findings if f.status == "skipped"]
    base = f"controls/{safe_name(control.framework)}/{safe_name(control.id)}"
    return ControlRecord(
        uuid=stable_uuid("control", control.framework, control.id),
        framework=control.framework,
        id=control.id,
        title=control.title,
        requirement=control.requirement,
        automation=control.automation,
        specification=control.specification,
        category=control.category,
        standard=control.standard,
        manual_evidence=control.manual_evidence,
        checks=control.checks,
        status=state.value,
        reason=reason,
        counts={s.value: counts.get(s, 0) for s in Status},
        evaluated=evaluated,
        resource_types=tuple(sorted(types)),
        population=population,
        population_by_source=dict(sorted(Counter(r.source for r in population).items())),
        results=tuple(results),
        exceptions=tuple(_exception(f, waivers) for f in skipped),
        attestation=attestation,
        html_path=base + ".html",
        md_path=base + ".md",
    )


def _sort_key(doc: ReportDocument) -> tuple[str, str, str, str]:
    scan = doc.document.get("scan") or {}
    return (str(scan.get("source", "")), str(scan.get("started_at", "")), doc.sha256, doc.name)


def build_model(inputs: ModelInputs) -> BundleModel:
    framework = inputs.catalog.frameworks[inputs.framework]
    unique = {doc.sha256: doc for doc in reversed(inputs.reports)}  # the same file twice: once
    docs = sorted(unique.values(), key=_sort_key)
    reports = [_input_report(d) for d in docs]
    generated_at = max(r.finished_at for r in reports)
    today = date.fromisoformat(generated_at[:10])
    scope = Scope(frameworks=(inputs.framework,))
    controls = inputs.catalog.controls(scope)
    mapped = {check for control in controls for check in control.checks}
    resolved = {inputs.registry.resolve(c) or c for c in mapped}

    all_resources = _resources(docs)
    findings = [
        _finding(doc, item, all_resources)
        for doc in docs
        for item in doc.document.get("findings") or ()
        if (inputs.registry.resolve(str(item.get("check_id"))) or item.get("check_id")) in resolved
    ]
    findings.sort(key=lambda f: (f.check_id, f.source, f.resource_id, f.report, f.fingerprint))
    by_check: dict[str, list[FindingRecord]] = defaultdict(list)
    for finding in findings:
        by_check[finding.check_id].append(finding)
    for check_id in mapped:  # a control naming a retired alias still sees the current check
        current = inputs.registry.resolve(check_id)
        if current and current != check_id:
            by_check[check_id] = by_check.get(current, [])

    wanted_types = {
        t
        for check_id in mapped
        for t in _check_types(inputs.registry, check_id, by_check[check_id])
    }
    with_findings = {f.evidence_path for f in findings}
    resources = sorted(
        (
            r
            for r in all_resources.values()
            if r.type in wanted_types or r.evidence_path in with_findings
        ),
        key=lambda r: (r.source, r.id, r.report),
    )
    waivers = _waiver_records(inputs.waivers, findings, today)
    grouped = attestations_by_control(
        a for a in inputs.attestations if a.control.framework == inputs.framework
    )
    attestation_records = {
        a.source: _attestation_record(a, inputs, today)
        for a in sorted(inputs.attestations, key=lambda a: a.source)
        if a.control.framework == inputs.framework
    }
    records = []
    for control in controls:
        chosen = best_attestation(grouped.get(control.ref, ()), today)
        records.append(
            _control_record(
                control,
                inputs,
                findings_by_check=by_check,
                resources=resources,
                reports=reports,
                waivers=waivers,
                attestation=attestation_records[chosen.source] if chosen else None,
                attestation_obj=chosen,
                today=today,
            )
        )
    status_by_id = {r.id: r.status for r in records}
    coverage = tuple(
        {**row.to_dict(), "status": status_by_id.get(row.control.id, "")}
        for row in coverage_rows(inputs.catalog, inputs.registry, scope)
    )
    identity = "\x1f".join([inputs.framework, *(r.sha256 for r in reports)])
    return BundleModel(
        uuid=stable_uuid("bundle", identity),
        format_version=BUNDLE_FORMAT_VERSION,
        framework=framework.id,
        framework_name=framework.name,
        framework_version=framework.version,
        title=f"{framework.name}: evidence of {generated_at[:10]}",
        generated_at=generated_at,
        evaluated_on=today,
        tool_name="comply",
        tool_version=inputs.tool_version,
        policies_sha256=inputs.policies_sha256,
        catalog_sha256=inputs.catalog_sha256,
        reports=tuple(reports),
        controls=tuple(records),
        findings=tuple(findings),
        resources=tuple(resources),
        waivers=tuple(waivers),
        attestations=tuple(attestation_records[k] for k in sorted(attestation_records)),
        attestations_file=inputs.attestations_file,
        waivers_file=inputs.waivers_file,
        coverage=coverage,
        redaction_rules=tuple(redaction_rules()),
        attachments=dict(sorted(inputs.attachments.items())),
    )
