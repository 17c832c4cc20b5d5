"""The evidence bundle as plain data: what every page, file and OSCAL document is rendered from.

Built from the JSON reports of one or more scans, the framework catalog, the registry (which
resource types each check reads), attestations and waivers. Nothing here reads the clock: the
bundle's time is the latest `finished_at` of its input reports, and the date attestations are
judged on is that time's date — so the same inputs always give the same model.

Reports of one scope are ordered in time (each resource's latest state decides, see
`report_records.latest_report_per_resource`); the roll-up of the findings so selected reuses
`scanner.compliance.rollup.control_state`; the only
addition is that a control none of the input reports evaluated (scanned with another
`--framework`) is `incomplete`, never `not_applicable`.

Field names here are a contract for the renderers and `scanner.evidence.oscal`: add, never rename.

The building itself lives in `model_assembly` (with `report_records` and `control_rollup`).
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from scanner.compliance.attestations import Attestation
from scanner.compliance.catalog import Catalog
from scanner.compliance.coverage import SOURCES
from scanner.compliance.rollup import ControlState
from scanner.compliance.waivers import Waiver
from scanner.core.model import ControlRef, Status
from scanner.core.registry import Registry
from scanner.evidence.system import SystemDescription

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

    @property
    def operator(self) -> Mapping[str, Any] | None:
        """Who ran the scan (user, host, CI run URL), when the report carries it."""
        value = self.context.get("operator")
        return value if isinstance(value, Mapping) else None


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
    # Findings the waiver matches that passed: a waiver applies to failures only, they stay pass.
    passing: int = 0
    approved: str | None = None  # YYYY-MM-DD
    risk: str | None = None  # low | medium | high | critical


@dataclass(frozen=True)
class ResponseRecord:
    """Management's response to exceptions (responses.yaml), judged on the evaluation date."""

    check: str
    resource: str
    owner: str
    due: str  # YYYY-MM-DD
    ticket: str
    status: str  # open | closed, as written
    state: str  # open | overdue | closed
    source: str
    covered: tuple[FindingRecord, ...]  # failing findings it answers


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
class DriftRecord:
    """One `drift_comparison` resource of a `comply drift` report (scanner/drift/analysis.py),
    as the change-management page shows it. Values are redacted as read."""

    resource: ResourceRecord  # the comparison itself; its raw evidence is the declared side
    state: str  # managed | deleted | unmanaged
    resource_type: str
    address: str | None  # the Terraform address (managed, deleted)
    state_file: str | None
    declared_from: str | None  # configuration | state (managed)
    live_id: str | None
    live: ResourceRecord | None  # the live resource with its raw API data, when in the report
    drifted: tuple[Mapping[str, Any], ...]  # attribute, declared, live
    worsened_checks: tuple[str, ...]  # pass as declared, fail live
    improved_checks: tuple[str, ...]
    findings: tuple[FindingRecord, ...]  # the drift checks' findings on it


@dataclass(frozen=True)
class DriftRun:
    """One `comply drift` report: the state files it read and its counts (`context.drift`)."""

    report: str  # InputReport.name
    states: tuple[Mapping[str, Any], ...]  # file, kind, version, terraform_version, instances
    counts: Mapping[str, Any]  # managed, joined, drifted, ..., ignored (by reason)
    snapshot: str | None  # the snapshot compared with, or None for a live comparison


@dataclass(frozen=True)
class ChangeManagement:
    """The change-management page: is what runs what went through review (CC8.1)?"""

    runs: tuple[DriftRun, ...]
    controls: tuple[ControlRef, ...]  # this framework's controls the drift checks map to
    managed: tuple[DriftRecord, ...]  # joined: drifted or not
    deleted: tuple[DriftRecord, ...]
    unmanaged: tuple[DriftRecord, ...]
    html_path: str = "change-management.html"
    md_path: str = "change-management.md"

    @property
    def drifted(self) -> tuple[DriftRecord, ...]:
        return tuple(r for r in self.managed if r.drifted)


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
    # Every resource scanned (its latest state per scope), including types no check reads: the
    # population an auditor samples from (population.csv).
    population: tuple[ResourceRecord, ...] = ()
    # check id -> the check's remediation text from the registry (for failing findings)
    remediations: Mapping[str, str] = field(default_factory=dict)
    # `SHA256:<hex>` of the signing key's public half, when the bundle is signed
    signing_key_sha256: str | None = None
    system: SystemDescription | None = None  # `system:` of .comply.yaml
    responses: tuple[ResponseRecord, ...] = ()
    unanswered_failures: int = 0  # failing findings no response covers
    change_management: ChangeManagement | None = None  # with a `comply drift` report only

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
# Inputs


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
    system: SystemDescription | None = None
    responses: Sequence[Any] = ()  # scanner.evidence.responses.Response


def build_model(inputs: ModelInputs) -> BundleModel:
    """The bundle model of `inputs`, assembled by `scanner.evidence.model_assembly`."""
    # Imported here, not at the top: the assembly builds the records above, so it imports this
    # module. The records stay defined here (their module shows in template error messages).
    from scanner.evidence.model_assembly import build_model as assemble

    return assemble(inputs)
