"""Assemble the BundleModel from the input reports, the catalog, attestations and waivers.

Nothing here reads the clock: the bundle's time is the latest `finished_at` of its input reports.
`scanner.evidence.model.build_model` is the entry point; it calls `build_model` here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date

from scanner.compliance.attestations import attestations_by_control, best_attestation
from scanner.compliance.catalog import Catalog
from scanner.compliance.coverage import DRIFT_TYPE, coverage_rows
from scanner.core.model import ControlRef
from scanner.core.redaction import redaction_rules
from scanner.evidence.change_management import change_management, evidence_resources
from scanner.evidence.control_rollup import (
    attestation_record,
    check_types,
    control_record,
    waiver_records,
)
from scanner.evidence.model import (
    BUNDLE_FORMAT_VERSION,
    BundleModel,
    ControlRecord,
    FindingRecord,
    ModelInputs,
    ReportDocument,
    ResponseRecord,
    stable_uuid,
)
from scanner.evidence.period_acceptances import remediation_texts
from scanner.evidence.report_records import (
    finding_record,
    finding_resource_key,
    input_report,
    latest_report_per_resource,
    report_sort_key,
    resource_key,
    resource_records,
)
from scanner.evidence.system import (
    SystemDescription,
    check_not_applicable,
    export_scope,
    not_applicable_reason,
)


def build_model(inputs: ModelInputs) -> BundleModel:
    framework = inputs.catalog.frameworks[inputs.framework]
    unique = {doc.sha256: doc for doc in reversed(inputs.reports)}  # the same file twice: once
    docs = sorted(unique.values(), key=report_sort_key)
    reports = [input_report(d) for d in docs]
    by_name = {d.name: d for d in docs}
    generated_at = max(r.finished_at for r in reports)
    today = date.fromisoformat(generated_at[:10])
    system = inputs.system
    scope = export_scope(inputs.framework, system)
    controls = _with_engine_checks(inputs.catalog, docs).controls(scope)
    check_not_applicable(system, inputs.catalog)
    mapped = {check for control in controls for check in control.checks}
    resolved = {inputs.registry.resolve(c) or c for c in mapped}

    latest = latest_report_per_resource(docs)
    all_resources = {
        key: record
        for key, record in resource_records(docs).items()
        if latest.get(resource_key(by_name[key[0]], key[1], key[2])) == key[0]
    }
    findings = [
        finding_record(doc, item, all_resources)
        for doc in docs
        for item in doc.document.get("findings") or ()
        if (inputs.registry.resolve(str(item.get("check_id"))) or item.get("check_id")) in resolved
        and latest.get(finding_resource_key(doc, item)) == doc.name
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
        t for check_id in mapped for t in check_types(inputs.registry, check_id, by_check[check_id])
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
    drift_checks = {c for c in mapped if DRIFT_TYPE in check_types(inputs.registry, c, by_check[c])}
    change = change_management(
        reports,
        list(all_resources.values()),
        findings,
        [control.ref for control in controls if drift_checks & set(control.checks)],
    )
    linked = {r.evidence_path: r for r in [*resources, *evidence_resources(change)]}
    resources = sorted(linked.values(), key=lambda r: (r.source, r.id, r.report))
    waivers = waiver_records(inputs.waivers, findings, today)
    grouped = attestations_by_control(
        a for a in inputs.attestations if a.control.framework == inputs.framework
    )
    attestation_records = {
        a.source: attestation_record(a, inputs.attestation_items, today)
        for a in sorted(inputs.attestations, key=lambda a: a.source)
        if a.control.framework == inputs.framework
    }
    records = []
    for control in controls:
        chosen = best_attestation(grouped.get(control.ref, ()), today)
        records.append(
            control_record(
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
    records = [_decided_not_applicable(r, system) for r in records]
    status_by_id = {r.id: r.status for r in records}
    responses = [
        ResponseRecord(
            check=r.check,
            resource=r.resource,
            owner=r.owner,
            due=r.due.isoformat(),
            ticket=r.ticket,
            status=r.status,
            state=r.state_on(today),
            source=r.source,
            covered=tuple(
                f for f in findings if f.status == "fail" and r.matches(f.check_id, f.resource_id)
            ),
        )
        for r in inputs.responses
    ]
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
        population=tuple(
            sorted(all_resources.values(), key=lambda r: (r.source, r.type, r.id, r.report))
        ),
        remediations=_remediations(inputs, findings),
        system=system,
        responses=tuple(responses),
        unanswered_failures=sum(
            1 for f in findings if f.status == "fail" and not any(f in r.covered for r in responses)
        ),
        change_management=change,
    )


def _with_engine_checks(catalog: Catalog, docs: Sequence[ReportDocument]) -> Catalog:
    """A second engine's findings (`engine: checkov`) carry the controls of their own mapping
    (controls/engines/): the bundle counts them under those controls, as the scan's roll-up did."""
    extra: dict[ControlRef, set[str]] = defaultdict(set)
    for doc in docs:
        for item in doc.document.get("findings") or ():
            if not isinstance(item, Mapping) or not item.get("engine"):
                continue
            for ref in item.get("controls") or ():
                if isinstance(ref, Mapping):
                    control = ControlRef(str(ref.get("framework")), str(ref.get("id")))
                    extra[control].add(str(item.get("check_id")))
    return catalog.with_checks(extra) if extra else catalog


def _decided_not_applicable(
    record: ControlRecord, system: SystemDescription | None
) -> ControlRecord:
    """A control the system's owners marked not applicable, with their justification and approver:
    shown as such, never as incomplete. Failing findings are still listed and said."""
    fails = record.counts.get("fail")
    failing = f"{fails} failing finding(s)" if fails else ""
    reason = not_applicable_reason(system, record.framework, record.id, failing)
    return record if reason is None else replace(record, status="not_applicable", reason=reason)


def _remediations(inputs: ModelInputs, findings: list[FindingRecord]) -> dict[str, str]:
    """The registry's remediation text of every check with a failing finding in the bundle."""
    failing = sorted({f.check_id for f in findings if f.status == "fail"})
    return remediation_texts(inputs.registry, failing)
