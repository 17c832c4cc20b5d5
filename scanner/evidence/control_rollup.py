"""Per-control roll-up: each check's results, the population in scope, exceptions, waivers
and attestations, and the control's state.

A control none of the input reports evaluated (scanned with another `--framework`) is
`incomplete`, never `not_applicable`; otherwise the state is
`scanner.compliance.rollup.control_state`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date

from scanner.compliance.attestations import Attestation
from scanner.compliance.catalog import Control
from scanner.compliance.rollup import ControlState, control_state
from scanner.compliance.waivers import Waiver
from scanner.core.model import Status
from scanner.core.registry import Registry
from scanner.evidence.filenames import safe_name
from scanner.evidence.model import (
    AttestationEvidenceItem,
    AttestationRecord,
    CheckResult,
    ControlRecord,
    ExceptionRecord,
    FindingRecord,
    InputReport,
    ModelInputs,
    ResourceRecord,
    WaiverRecord,
    stable_uuid,
)


def check_types(registry: Registry, check_id: str, findings: Sequence[FindingRecord]) -> set[str]:
    current = registry.resolve(check_id)
    spec = registry.checks.get(current) if current else None
    if spec is not None:
        return {*spec.resource_types, *spec.context_types}
    return {f.resource_type for f in findings}  # a check this installation does not know


def waiver_records(
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
                approved=waiver.approved.isoformat() if waiver.approved else None,
                risk=waiver.risk,
                passing=sum(
                    1
                    for f in findings
                    if f.status == Status.PASS.value and waiver.matches(f.check_id, f.resource_id)
                ),
            )
        )
    return records


def attestation_record(
    attestation: Attestation,
    evidence_items: Mapping[tuple[str, str], AttestationEvidenceItem],
    today: date,
) -> AttestationRecord:
    """The attestation as judged on `today`, with what became of each evidence file it names
    (`evidence_items`: (attestation source, reference) -> item; missing when not there)."""
    items = tuple(
        evidence_items.get(
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


def control_record(
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
        read = check_types(inputs.registry, check_id, found)
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
