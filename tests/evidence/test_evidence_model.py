"""The bundle model: roll-up of several reports, the date it is judged on, exceptions, ids."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from scanner.compliance.attestations import Attestation
from scanner.compliance.catalog import Catalog, load_catalog
from scanner.compliance.waivers import Waiver
from scanner.core.model import ControlRef
from scanner.core.registry import Registry, load_registry
from scanner.evidence.model import (
    AttestationEvidenceItem,
    BundleModel,
    ModelInputs,
    ReportDocument,
    build_model,
)

CONTROL = "164.308(a)(4)(ii)(C)"  # partial; one check: k8s_rbac_cluster_admin_not_bound
CHECK = "k8s_rbac_cluster_admin_not_bound"


@pytest.fixture(scope="module")
def policies() -> tuple[Registry, Catalog]:
    registry = load_registry()
    return registry, load_catalog(registry)


def finding(rid: str, status: str, **extra: Any) -> dict[str, Any]:
    return {
        "check_id": CHECK,
        "title": "cluster-admin is not bound",
        "severity": "high",
        "status": status,
        "message": f"{rid} is {status}",
        "resource": {"id": rid, "type": "kubernetes_cluster_role_binding", "source": "kubernetes"},
        "location": {"file": "rbac.yaml", "start_line": 1, "end_line": 9},
        "controls": [{"framework": "hipaa", "id": CONTROL}],
        "fingerprint": f"fp-{rid}",
        **extra,
    }


def report(
    name: str, finished: str, findings: list[dict[str, Any]], evaluated: bool = True
) -> ReportDocument:
    resources = [
        {
            "id": f["resource"]["id"],
            "type": f["resource"]["type"],
            "source": "kubernetes",
            "location": f["location"],
            "raw": {"kind": "ClusterRoleBinding", "metadata": {"name": f["resource"]["id"]}},
        }
        for f in findings
    ]
    document = {
        "schema_version": "1",
        "tool": {"name": "comply", "version": "test"},
        "scan": {
            "started_at": finished,
            "finished_at": finished,
            "source": "kubernetes",
            "targets": ["k8s"],
        },
        "summary": {},
        "findings": findings,
        "errors": [],
        "warnings": [],
        "controls": [{"framework": "hipaa", "id": CONTROL}] if evaluated else [],
        "resources": resources,
        "context": {"arguments": ["comply", "scan", "kubernetes", "k8s"], "password": "hunter2"},
    }
    return ReportDocument(name=name, sha256=name * 2, document=document)


def attestation(signed: str, expires: str, evidence: tuple[str, ...] = ()) -> Attestation:
    return Attestation(
        control=ControlRef("hipaa", CONTROL),
        statement="Access reviews are performed quarterly.",
        owner="iam-lead@example.com",
        date=dt.date.fromisoformat(signed),
        expires=dt.date.fromisoformat(expires),
        evidence=evidence,
        source="attestations.yaml entry 1",
    )


def build(
    policies: tuple[Registry, Catalog], reports: list[ReportDocument], **extra: Any
) -> BundleModel:
    registry, catalog = policies
    inputs = ModelInputs(
        framework="hipaa",
        reports=reports,
        catalog=catalog,
        registry=registry,
        tool_version="test",
        policies_sha256="p" * 64,
        catalog_sha256="c" * 64,
        **extra,
    )
    return build_model(inputs)


def control_of(model: BundleModel) -> Any:
    return next(c for c in model.controls if c.id == CONTROL)


def test_attestation_is_judged_on_the_scan_date_not_the_clock(policies: Any) -> None:
    reports = [report("a.json", "2020-06-01T10:00:00Z", [finding("crb-ok", "pass")])]
    model = build(policies, reports, attestations=[attestation("2020-01-01", "2020-12-31")])
    assert model.evaluated_on == dt.date(2020, 6, 1)
    assert model.generated_at == "2020-06-01T10:00:00Z"
    control = control_of(model)
    assert control.status == "attested"
    assert control.attestation is not None and control.attestation.current


def test_union_of_reports_rolls_up_with_the_worst_result(policies: Any) -> None:
    reports = [
        report("a.json", "2020-06-01T10:00:00Z", [finding("crb-ok", "pass")]),
        report("b.json", "2020-06-02T10:00:00Z", [finding("crb-bad", "fail")]),
    ]
    model = build(policies, reports, attestations=[attestation("2020-01-01", "2020-12-31")])
    control = control_of(model)
    assert control.status == "not_satisfied"
    assert control.counts["pass"] == 1 and control.counts["fail"] == 1
    assert [r.id for r in control.population] == ["crb-bad", "crb-ok"]
    assert dict(control.population_by_source) == {"kubernetes": 2}
    assert model.evaluated_on == dt.date(2020, 6, 2)


def test_a_control_no_report_evaluated_is_incomplete_not_not_applicable(policies: Any) -> None:
    model = build(policies, [report("a.json", "2020-06-01T10:00:00Z", [], evaluated=False)])
    control = control_of(model)
    assert control.status == "incomplete" and not control.evaluated
    assert "not evaluated" in control.reason


def test_exceptions_and_waivers(policies: Any) -> None:
    waived = finding(
        "crb-legacy",
        "skipped",
        suppression={"reason": "waived: legacy", "original_status": "fail", "by": "waiver"},
    )
    inline = finding(
        "crb-ci",
        "skipped",
        suppression={"reason": "CI bot", "original_status": "fail", "by": "inline"},
    )
    waiver = Waiver(
        CHECK, "crb-leg*", "legacy", "ciso@example.com", "SEC-1", dt.date(2020, 5, 1), "w entry 1"
    )
    model = build(
        policies, [report("a.json", "2020-06-01T10:00:00Z", [waived, inline])], waivers=[waiver]
    )
    control = control_of(model)
    kinds = {e.finding.resource_id: e for e in control.exceptions}
    assert kinds["crb-legacy"].kind == "waiver" and kinds["crb-legacy"].waiver is not None
    assert kinds["crb-ci"].kind == "inline" and kinds["crb-ci"].reason == "CI bot"
    (record,) = model.waivers
    assert [f.resource_id for f in record.covered] == ["crb-legacy"]
    assert record.active is False  # expired before the scan date: the page says so


def test_missing_attestation_evidence_is_listed(policies: Any) -> None:
    a = attestation("2020-01-01", "2020-12-31", ("files/missing.pdf", "files/here.txt"))
    here = AttestationEvidenceItem(
        "files/here.txt", "file", "copied", "attestations/files/here.txt", "0" * 64
    )
    model = build(
        policies,
        [report("a.json", "2020-06-01T10:00:00Z", [])],
        attestations=[a],
        attestation_items={(a.source, "files/here.txt"): here},
    )
    items = {i.reference: i.state for i in control_of(model).attestation.evidence}  # type: ignore[union-attr]
    assert items == {"files/missing.pdf": "missing", "files/here.txt": "copied"}


def test_ids_are_stable_and_context_is_redacted(policies: Any) -> None:
    reports = [report("a.json", "2020-06-01T10:00:00Z", [finding("crb-ok", "pass")])]
    first, second = build(policies, reports), build(policies, reports)
    assert first == second
    assert first.uuid == second.uuid and control_of(first).uuid == control_of(second).uuid
    assert first.reports[0].context["password"] == "<redacted>"
    assert first.findings[0].evidence_path == "evidence/raw/kubernetes/crb-ok.json"


def test_a_failing_run_and_its_fixed_rerun_are_ordered_in_time_not_merged(policies: Any) -> None:
    # Given in the "wrong" order on purpose: time, not argument order, decides.
    fixed = report("fixed.json", "2020-06-02T10:00:00Z", [finding("crb-1", "pass")])
    failing = report("failing.json", "2020-06-01T10:00:00Z", [finding("crb-1", "fail")])
    model = build(
        policies, [fixed, failing], attestations=[attestation("2020-01-01", "2020-12-31")]
    )
    control = control_of(model)
    # The fixed re-run decides: the control holds (attested: it has a manual part).
    assert control.status == "attested"
    assert control.counts["fail"] == 0 and control.counts["pass"] == 1
    assert [(r.id, r.report) for r in control.population] == [("crb-1", "fixed.json")]
    assert [(f.resource_id, f.status, f.report) for f in model.findings] == [
        ("crb-1", "pass", "fixed.json")
    ]
    assert [r.name for r in model.reports] == ["failing.json", "fixed.json"]  # both listed


def test_a_resource_only_the_earlier_run_saw_keeps_its_state(policies: Any) -> None:
    earlier = report(
        "a.json", "2020-06-01T10:00:00Z", [finding("crb-1", "fail"), finding("crb-2", "pass")]
    )
    later = report("b.json", "2020-06-02T10:00:00Z", [finding("crb-2", "pass")])
    control = control_of(build(policies, [earlier, later]))
    assert control.status == "not_satisfied"  # crb-1 was never seen fixed: not a pass
    assert control.counts["fail"] == 1 and control.counts["pass"] == 1
    assert sorted(r.id for r in control.population) == ["crb-1", "crb-2"]


def test_population_lists_every_resource_scanned_even_types_no_check_reads(
    policies: Any,
) -> None:
    doc = report("a.json", "2020-06-01T10:00:00Z", [finding("crb-1", "fail")])
    document = dict(doc.document)
    document["resources"] = [
        *document["resources"],
        {"id": "cm-1", "type": "kubernetes_widget", "source": "kubernetes",
         "location": {"file": "cm.yaml", "start_line": 1}, "raw": {}},
    ]  # fmt: skip
    model = build(policies, [ReportDocument("a.json", "x" * 64, document)])
    assert [(r.type, r.id) for r in model.population] == [
        ("kubernetes_cluster_role_binding", "crb-1"),
        ("kubernetes_widget", "cm-1"),
    ]
    assert "cm-1" not in {r.id for r in model.resources}  # no raw evidence: no check reads it
    from scanner.evidence.data_files import population_files

    files = population_files(model)
    rows = files["population.csv"].decode().splitlines()
    assert rows[0] == "source,type,id,file,start_line,account,region,report,read_by_a_check"
    assert rows[1:] == [
        "kubernetes,kubernetes_cluster_role_binding,crb-1,rbac.yaml,1,,,a.json,yes",
        "kubernetes,kubernetes_widget,cm-1,cm.yaml,1,,,a.json,no",
    ]
    assert model.remediations[CHECK]  # the registry's remediation text of the failing check


def test_system_scope_categories_and_not_applicable_controls(policies: Any) -> None:
    from scanner.evidence.errors import EvidenceError
    from scanner.evidence.system import parse_system

    clearinghouse = "164.308(a)(4)(ii)(A)"
    system = parse_system(
        {
            "name": "Patient portal",
            "categories": ["security"],
            "not_applicable": [
                {
                    "control": f"hipaa:{clearinghouse}",
                    "justification": "No health care clearinghouse in the organisation.",
                    "approver": "ciso@example.com",
                }
            ],
        }
    )
    model = build(policies, [report("a.json", "2020-06-01T10:00:00Z", [])], system=system)
    marked = next(c for c in model.controls if c.id == clearinghouse)
    assert marked.status == "not_applicable"
    assert "No health care clearinghouse" in marked.reason and "ciso@example.com" in marked.reason
    # Other manual controls without attestation stay incomplete: nothing else changes.
    assert {c.status for c in model.controls if c.id != clearinghouse} >= {"incomplete"}

    registry, catalog = policies
    soc2 = build_model(
        ModelInputs(
            framework="soc2",
            reports=[report("a.json", "2020-06-01T10:00:00Z", [])],
            catalog=catalog,
            registry=registry,
            tool_version="test",
            policies_sha256="p" * 64,
            catalog_sha256="c" * 64,
            system=system,
        )
    )
    assert soc2.controls and {c.category for c in soc2.controls} == {"security"}

    for bad, message in (
        ({"not_applicable": [{"control": "hipaa:x"}]}, "name is required"),
        (
            {"name": "n", "not_applicable": [{"control": "hipaa:x"}]},
            "justification and an approver",
        ),
        ({"name": "n", "categories": ["speed"]}, "unknown 'speed'"),
    ):
        with pytest.raises(EvidenceError, match=message):
            parse_system(bad)
    typo = parse_system(
        {"name": "n", "not_applicable": [{"control": "hipaa:1.2.3", "justification": "j",
                                           "approver": "a"}]}
    )  # fmt: skip
    with pytest.raises(EvidenceError, match=r"no control hipaa:1\.2\.3"):
        build(policies, [report("a.json", "2020-06-01T10:00:00Z", [])], system=typo)


def test_responses_are_open_overdue_or_closed_and_waivers_carry_approval_and_risk(
    policies: Any, tmp_path: Any
) -> None:
    from scanner.compliance.waivers import WaiverError, load_waivers
    from scanner.evidence.errors import EvidenceError
    from scanner.evidence.responses import load_responses

    path = tmp_path / "responses.yaml"
    path.write_text(
        "responses:\n"
        f"  - {{check: {CHECK}, resource: crb-a, owner: o@example.com, due: 2020-07-01,"
        " ticket: T-1, status: open}\n"
        f"  - {{check: {CHECK}, resource: crb-b, owner: o@example.com, due: 2020-05-01,"
        " ticket: T-2, status: open}\n"
        f"  - {{check: {CHECK}, resource: crb-c, owner: o@example.com, due: 2020-05-01,"
        " ticket: T-3, status: closed}\n"
    )
    failing = [finding(rid, "fail") for rid in ("crb-a", "crb-b", "crb-d")]
    model = build(
        policies,
        [report("a.json", "2020-06-01T10:00:00Z", failing)],
        responses=load_responses(path),
    )
    assert [(r.ticket, r.state, len(r.covered)) for r in model.responses] == [
        ("T-1", "open", 1),  # due after 2020-06-01
        ("T-2", "overdue", 1),  # open, due before the evaluation date
        ("T-3", "closed", 0),
    ]
    assert model.unanswered_failures == 1  # crb-d
    path.write_text("responses:\n  - {check: c, resource: r, owner: o, due: soon, ticket: t,"
                    " status: open}\n")  # fmt: skip
    with pytest.raises(EvidenceError, match="due 'soon' is not a date"):
        load_responses(path)

    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "waivers:\n"
        f"  - {{check: {CHECK}, resource: crb-legacy, reason: legacy, approver: ciso,"
        " ticket: SEC-1, expires: 2020-12-31, approved: 2020-01-15, risk: High}\n"
    )
    (waiver,) = load_waivers(waivers)
    assert waiver.approved == dt.date(2020, 1, 15) and waiver.risk == "high"
    waived = finding(
        "crb-legacy",
        "skipped",
        suppression={"reason": "waived", "original_status": "fail", "by": "waiver"},
    )
    model = build(policies, [report("a.json", "2020-06-01T10:00:00Z", [waived])], waivers=[waiver])
    assert (model.waivers[0].approved, model.waivers[0].risk) == ("2020-01-15", "high")
    waivers.write_text(waivers.read_text().replace("High", "meh"))
    with pytest.raises(WaiverError, match="risk 'meh'"):
        load_waivers(waivers)


def test_the_operator_of_each_input_scan_is_recorded_when_its_report_carries_it(
    policies: Any,
) -> None:
    from scanner.evidence.data_files import metadata_document

    carried = report("a.json", "2020-06-01T10:00:00Z", [finding("crb-ok", "pass")])
    carried.document["context"]["operator"] = {
        "user": "ci",
        "host": "runner-7",
        "ci_run_url": "https://ci.example.com/runs/7",
    }
    older = report("b.json", "2020-06-02T10:00:00Z", [finding("crb-bad", "fail")])
    model = build(policies, [carried, older])
    recorded = {r["name"]: r["operator"] for r in metadata_document(model, {})["reports"]}
    assert recorded == {
        "a.json": {"user": "ci", "host": "runner-7", "ci_run_url": "https://ci.example.com/runs/7"},
        "b.json": None,  # a report written before comply recorded it: not invented
    }
