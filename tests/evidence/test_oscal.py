"""OSCAL assessment-results of an evidence bundle, validated with compliance-trestle's models.

The inputs are real: the CLI scans examples/terraform to JSON, and the bundle model is built from
that report the way `comply evidence export` builds it, with an attestations file of our own
(tests/fixtures/evidence_oscal/). trestle's pydantic models are the independent judge of OSCAL
validity; the other assertions check what validity cannot: every control present, statuses
mapped honestly, evidence links that resolve to bundle files with the right hashes, determinism.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import posixpath
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scanner import __version__
from scanner.cli.common import load_policies
from scanner.compliance.attestations import load_attestations
from scanner.evidence.builder import (
    BuildOptions,
    attestation_inputs,
    bundle_files,
    catalog_sha256,
    load_report,
    policies_sha256,
)
from scanner.evidence.manifest import sha256_hex
from scanner.evidence.model import BundleModel, ModelInputs, build_model
from scanner.evidence.oscal import (
    DOCUMENT_PATH,
    NS,
    OscalError,
    assessment_results,
    control_token,
    control_tokens,
)

trestle_ar = pytest.importorskip(
    "trestle.oscal.assessment_results",
    reason="compliance-trestle (a dev dependency: pip install -e '.[dev]') validates OSCAL",
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "terraform"
ATTESTATIONS = ROOT / "tests" / "fixtures" / "evidence_oscal" / "attestations.yaml"
ATTESTED_CONTROL = "164.308(a)(1)(ii)(A)"  # manual; attested in the fixture


def comply(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scanner", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def scan_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("oscal-scan") / "tf.json"
    result = comply("scan", "terraform", str(EXAMPLES), "--no-cache", "-o", f"json={out}")
    # 1: the examples have failing checks on purpose; anything else means the scan broke.
    assert result.returncode in (0, 1), result.stderr
    return out


def build(scan_report: Path, framework: str, system: Any = None) -> BundleModel:
    """The model exactly as `comply evidence export --attestations ...` builds it."""
    registry, catalog = load_policies((), ())
    inputs = ModelInputs(
        framework=framework,
        reports=[load_report(scan_report, scan_report.name)],
        catalog=catalog,
        registry=registry,
        tool_version=__version__,
        policies_sha256=policies_sha256(()),
        catalog_sha256=catalog_sha256(catalog),
    )
    attestations, _warnings = load_attestations(ATTESTATIONS, catalog)
    copied, items, attachments = attestation_inputs(ATTESTATIONS, attestations)
    inputs.attestations, inputs.attestation_items = attestations, items
    inputs.attestations_file, inputs.attachments = copied, attachments
    inputs.system = system
    return build_model(inputs)


@pytest.fixture(scope="module")
def model(scan_report: Path) -> BundleModel:
    return build(scan_report, "hipaa")


@pytest.fixture(scope="module")
def bundle(model: BundleModel) -> dict[str, bytes]:
    return bundle_files(model, BuildOptions())


@pytest.fixture(scope="module")
def document(bundle: dict[str, bytes]) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(bundle[DOCUMENT_PATH])
    return data


def digests(bundle: dict[str, bytes]) -> dict[str, str]:
    """What the builder had written before the OSCAL file: every file but it and the integrity
    files."""
    skip = {DOCUMENT_PATH, "manifest.json", "SHA256SUMS", "manifest.sig"}
    return {path: sha256_hex(data) for path, data in bundle.items() if path not in skip}


def validate(document: dict[str, Any]) -> Any:
    model = trestle_ar.AssessmentResults
    # trestle >= 4 is pydantic 2 (`model_validate`); trestle 3 kept the pydantic 1 API.
    parse = getattr(model, "model_validate", None) or model.parse_obj
    return parse(document["assessment-results"])


def result_of(document: dict[str, Any]) -> dict[str, Any]:
    results = document["assessment-results"]["results"]
    assert len(results) == 1
    result: dict[str, Any] = results[0]
    return result


def props(item: dict[str, Any]) -> dict[str, str]:
    return {p["name"]: p["value"] for p in item.get("props", []) if p.get("ns") == NS}


def finding_for(document: dict[str, Any], control_id: str) -> dict[str, Any]:
    matches = [f for f in result_of(document)["findings"] if props(f)["control-id"] == control_id]
    assert len(matches) == 1, control_id
    return matches[0]


def walk(value: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key, item
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)


# ---------------------------------------------------------------------------------------------


def test_the_exported_document_validates_with_trestle(document: dict[str, Any]) -> None:
    parsed = validate(document)
    assert parsed.metadata.oscal_version is not None
    assert len(parsed.results) == 1


def test_a_soc2_bundle_validates_too(scan_report: Path) -> None:
    soc2 = build(scan_report, "soc2")
    files = bundle_files(soc2, BuildOptions())
    validate(json.loads(files[DOCUMENT_PATH]))


def test_metadata_uses_the_bundle_time_not_the_clock(
    document: dict[str, Any], model: BundleModel, scan_report: Path
) -> None:
    metadata = document["assessment-results"]["metadata"]
    finished = json.loads(scan_report.read_text())["scan"]["finished_at"]
    assert metadata["last-modified"] == model.generated_at == finished
    assert metadata["oscal-version"] == "1.1.2"
    result = result_of(document)
    assert result["end"] == finished
    assert result["start"] == json.loads(scan_report.read_text())["scan"]["started_at"]


def test_import_ap_points_at_the_plan_in_back_matter(document: dict[str, Any]) -> None:
    ar = document["assessment-results"]
    href = ar["import-ap"]["href"]
    assert href.startswith("#")
    resources = {r["uuid"]: r for r in ar["back-matter"]["resources"]}
    plan = resources[href[1:]]
    assert "assessment plan" in plan["title"].lower()
    assert plan["rlinks"][0]["href"] == "../coverage.csv"


def test_every_control_of_the_framework_appears(document: dict[str, Any]) -> None:
    _registry, catalog = load_policies((), ())
    expected = [c.id for c in catalog.frameworks["hipaa"].controls]
    result = result_of(document)
    selected = [
        c["control-id"]
        for selection in result["reviewed-controls"]["control-selections"]
        for c in selection["include-controls"]
    ]
    assert selected == [control_token("hipaa", c) for c in expected]
    findings = result["findings"]
    assert [props(f)["control-id"] for f in findings] == expected
    assert [f["target"]["target-id"] for f in findings] == selected
    assert all(f["target"]["type"] == "objective-id" for f in findings)


def test_a_control_with_a_failing_check_is_not_satisfied(
    document: dict[str, Any], scan_report: Path
) -> None:
    failing = {
        ref["id"]
        for finding in json.loads(scan_report.read_text())["findings"]
        if finding["status"] == "fail"
        for ref in finding["controls"]
        if ref["framework"] == "hipaa"
    }
    assert "164.312(a)(2)(iv)" in failing  # an unencrypted volume in the examples
    for control_id in failing:
        finding = finding_for(document, control_id)
        assert finding["target"]["status"]["state"] == "not-satisfied"
        assert finding["target"]["status"]["reason"] == "fail"
        assert props(finding)["control-status"] == "not_satisfied"


def test_an_attested_control_is_satisfied_and_says_it_was_attested(
    document: dict[str, Any], bundle: dict[str, bytes]
) -> None:
    finding = finding_for(document, ATTESTED_CONTROL)
    assert finding["target"]["status"]["state"] == "satisfied"
    assert props(finding)["attested"] == "true"
    assert props(finding)["control-status"] == "attested"
    observations = {o["uuid"]: o for o in result_of(document)["observations"]}
    related = [observations[r["observation-uuid"]] for r in finding["related-observations"]]
    examined = [o for o in related if o["methods"] == ["EXAMINE"]]
    assert len(examined) == 1
    assert props(examined[0])["attested-by"] == "security-lead@example.com"
    hrefs = [e.get("href") for e in examined[0]["relevant-evidence"]]
    assert "../attestations/attestations.yaml" in hrefs
    assert "https://wiki.example.com/security/risk-analysis" in hrefs  # a link, no hash
    copied = [h for h in hrefs if h and h.startswith("../attestations/files/")]
    assert len(copied) == 1
    copied_bytes = bundle[posixpath.normpath(posixpath.join("oscal", copied[0]))]
    assert b"Risk analysis summary" in copied_bytes


def test_nothing_is_satisfied_on_missing_data(document: dict[str, Any]) -> None:
    states: dict[str, set[str]] = {}
    for finding in result_of(document)["findings"]:
        status = props(finding)["control-status"]
        states.setdefault(status, set()).add(finding["target"]["status"]["state"])
        if status in ("incomplete", "not_applicable"):
            assert finding["target"]["status"]["reason"] == "other"
            assert props(finding)["not-satisfied-reason"]
    assert states.pop("incomplete") == {"not-satisfied"}  # the examples leave manual parts open
    for status, seen in states.items():
        expected = "satisfied" if status in ("satisfied", "attested") else "not-satisfied"
        assert seen == {expected}, status


@pytest.mark.parametrize(
    ("status", "state", "reason"),
    [
        ("satisfied", "satisfied", "pass"),
        ("attested", "satisfied", "pass"),
        ("not_satisfied", "not-satisfied", "fail"),
        ("incomplete", "not-satisfied", "other"),
        # Nothing was in scope, so nothing showed the control is met: never `satisfied`.
        ("not_applicable", "not-satisfied", "other"),
    ],
)
def test_each_comply_status_maps_to_an_oscal_state(
    model: BundleModel, bundle: dict[str, bytes], status: str, state: str, reason: str
) -> None:
    target = "164.312(b)"
    controls = tuple(
        dataclasses.replace(c, status=status) if c.id == target else c for c in model.controls
    )
    document = assessment_results(dataclasses.replace(model, controls=controls), digests(bundle))
    validate(document)
    finding = finding_for(document, target)
    assert finding["target"]["status"]["state"] == state
    assert finding["target"]["status"]["reason"] == reason
    assert props(finding)["control-status"] == status
    assert ("attested" in props(finding)) == (status == "attested")


def test_observations_use_test_for_checks_and_examine_for_attestations(
    document: dict[str, Any], model: BundleModel
) -> None:
    observations = result_of(document)["observations"]
    methods = {tuple(o["methods"]) for o in observations}
    assert methods == {("TEST",), ("EXAMINE",)}
    checks = {props(o)["check-id"] for o in observations if o["methods"] == ["TEST"]}
    ran = {r.check_id for c in model.controls for r in c.results if r.findings}
    assert ran <= checks
    examined = [o for o in observations if o["methods"] == ["EXAMINE"]]
    assert len(examined) == len(model.attestations) == 1


def test_evidence_links_resolve_to_bundle_files_with_their_hashes(
    document: dict[str, Any], bundle: dict[str, bytes]
) -> None:
    def bundle_path(href: str) -> str:
        path = posixpath.normpath(posixpath.join(posixpath.dirname(DOCUMENT_PATH), href))
        assert not path.startswith(".."), href
        return path

    linked = 0
    for observation in result_of(document)["observations"]:
        for item in observation.get("relevant-evidence", []):
            href = item.get("href")
            if href is None or "://" in href:
                continue
            data = bundle[bundle_path(href)]
            assert props(item)["sha256"] == hashlib.sha256(data).hexdigest()
            linked += 1
    assert linked > 10  # raw evidence of the examples' resources, plus attestation files
    for resource in document["assessment-results"]["back-matter"]["resources"]:
        for rlink in resource.get("rlinks", []):
            data = bundle[bundle_path(rlink["href"])]
            for digest in rlink.get("hashes", []):
                assert digest["algorithm"] == "SHA-256"
                assert digest["value"] == hashlib.sha256(data).hexdigest()


def test_uuids_are_unique_and_v5(document: dict[str, Any]) -> None:
    uuids = [value for key, value in walk(document) if key == "uuid"]
    assert len(uuids) == len(set(uuids))
    assert all(u[14] == "5" for u in uuids)
    referenced = {
        value for key, value in walk(document) if key in ("observation-uuid", "actor-uuid")
    }
    assert referenced <= set(uuids)


def test_same_inputs_give_the_same_document(
    model: BundleModel, bundle: dict[str, bytes], scan_report: Path
) -> None:
    files = digests(bundle)
    first = assessment_results(model, files)
    assert first == assessment_results(model, files)
    rebuilt = build(scan_report, "hipaa")
    assert json.dumps(assessment_results(rebuilt, files)) == json.dumps(first)
    # ... and it is what the builder wrote into the bundle.
    assert json.loads(bundle[DOCUMENT_PATH]) == first


def test_control_id_mapping() -> None:
    assert control_token("hipaa", "164.312(a)(2)(iv)") == "hipaa-164.312-a-2-iv"
    assert control_token("hipaa", "164.308(a)(1)(ii)(A)") == "hipaa-164.308-a-1-ii-a"
    assert control_token("hipaa", "164.312(b)") == "hipaa-164.312-b"
    assert control_token("soc2", "CC6.1") == "soc2-cc6.1"
    assert control_token("soc2", "PI1.3") == "soc2-pi1.3"
    assert control_token("2fa", "x 1") == "_2fa-x-1"


def test_two_controls_that_share_a_token_are_refused(model: BundleModel) -> None:
    control = model.controls[0]
    twin = dataclasses.replace(control, id=control.id.upper() + " ")
    if control_token(twin.framework, twin.id) != control_token(control.framework, control.id):
        pytest.skip("this catalog's first control has no case/space twin")
    with pytest.raises(OscalError, match="both map to the OSCAL control id"):
        control_tokens([control, twin])


def test_the_cli_export_writes_a_valid_oscal_file(scan_report: Path, tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    result = comply(
        "evidence", "export", "--framework", "hipaa", str(scan_report),
        "--attestations", str(ATTESTATIONS), "--out", str(out),
    )  # fmt: skip
    if result.returncode == 2 and "No such command 'evidence'" in result.stderr:
        pytest.skip("`comply evidence` is not registered in the CLI yet")
    assert result.returncode == 0, result.stderr
    document = json.loads((out / DOCUMENT_PATH).read_text(encoding="utf-8"))
    validate(document)
    finding = finding_for(document, ATTESTED_CONTROL)
    assert finding["target"]["status"]["state"] == "satisfied"


def test_parties_inventory_risks_and_assessment_log(
    document: dict[str, Any], model: BundleModel
) -> None:
    validate(document)
    results = document["assessment-results"]
    parties = results["metadata"]["parties"]
    assert parties[0]["name"].startswith("comply ")
    result = results["results"][0]
    items = result["local-definitions"]["inventory-items"]
    assert len(items) == len(model.population) > len(model.resources)  # every resource scanned
    assert len({i["uuid"] for i in items}) == len(items)
    subjects = [s for o in result["observations"] for s in o.get("subjects", [])]
    assert subjects and {s["subject-uuid"] for s in subjects} <= {i["uuid"] for i in items}
    failing = [f for f in model.findings if f.status == "fail"]
    assert failing and len(result["risks"]) == len(failing)
    with_remediation = [r for r in result["risks"] if r.get("remediations")]
    assert with_remediation and all(r["status"] == "open" for r in result["risks"])
    log = result["assessment-log"]["entries"]
    assert [e["end"] for e in log] == [
        oscal_time(r.finished_at) for r in model.reports if r.finished_at
    ]
    # The scan was run by this test's process: its report carries the operator (user@host).
    operators = [p["value"] for e in log for p in e.get("props", []) if p["name"] == "operator"]
    recorded = [r.operator for r in model.reports if r.finished_at]
    assert all(recorded) and len(operators) == len(log)
    for operator, value in zip(recorded, operators, strict=True):
        assert operator is not None and str(operator["host"]) in value


def oscal_time(value: str) -> str:
    from scanner.evidence.oscal_fields import oscal_timestamp

    return oscal_timestamp(value)


def test_subservice_organisations_are_parties_in_their_role(scan_report: Path) -> None:
    from scanner.evidence.system import parse_system

    system = parse_system(
        {
            "name": "Patient portal",
            "subservice_organizations": ["AWS (IaaS, carved out)", "Okta (identity, inclusive)"],
        }
    )
    document = json.loads(
        bundle_files(build(scan_report, "hipaa", system), BuildOptions())[DOCUMENT_PATH]
    )
    parsed = validate(document)  # trestle checks the roles and responsible parties too
    assert parsed.metadata.responsible_parties
    metadata = document["assessment-results"]["metadata"]
    by_uuid = {p["uuid"]: p for p in metadata["parties"]}
    assert [r["id"] for r in metadata["roles"]] == ["system-owner", "subservice-organization"]
    responsible = {r["role-id"]: r["party-uuids"] for r in metadata["responsible-parties"]}
    assert [by_uuid[u]["name"] for u in responsible["subservice-organization"]] == [
        "AWS (IaaS, carved out)",
        "Okta (identity, inclusive)",
    ]
    assert all(by_uuid[u]["type"] == "organization" for u in responsible["subservice-organization"])
    assert [by_uuid[u]["name"] for u in responsible["system-owner"]] == ["Owner of Patient portal"]
    assert metadata["parties"][0]["name"].startswith("comply ")  # the existing parties stay
    # Without a system description there is no role to fill: none is invented.
    plain = json.loads(bundle_files(build(scan_report, "hipaa"), BuildOptions())[DOCUMENT_PATH])
    assert "roles" not in plain["assessment-results"]["metadata"]
