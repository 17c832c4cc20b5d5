"""The real checkov (CI installs it: .ci/run) on fixture files: Terraform with a planted secret,
a `checkov:skip` comment and blocks Terraform never creates; Kubernetes. One Terraform run is
shared (`real_terraform`); the report, the evidence bundle and the baseline are read from it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from scanner.engines.checkov_runner import checkov_version, installed_version
from tests.conftest import REPO_ROOT
from tests.engines.conftest import CHECKOV_FIXTURES, RealScan, real_scan, run_comply_with

NOT_CREATED = (
    "aws_efs_file_system.empty_for_each",
    "aws_efs_file_system.empty_map",
    "module.disabled.aws_ebs_volume.data",
)


def _by_check(document: dict) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for finding in document["findings"]:
        found.setdefault(finding["check_id"], []).append(finding)
    return found


def _checkov_results(scan: RealScan) -> list[dict]:
    """What checkov itself printed, as comply stored it in the scan's checkov cache."""
    folder = Path(scan.env["XDG_CACHE_HOME"]) / "comply" / "checkov"
    (stored,) = [p for p in folder.glob("*.json") if p.name != "versions.json"]
    return json.loads(stored.read_text(encoding="utf-8"))


def test_real_checkov_on_terraform(real_terraform: RealScan) -> None:
    document = real_terraform.document()
    assert not [e for e in document["errors"] if e["target"] == "checkov"], document["errors"]
    findings = _by_check(document)
    (efs,) = findings["efs_file_system_encrypted_at_rest"]
    assert {"engine": "checkov", "check_id": "CKV_AWS_42", "status": "failed"} in efs[
        "cross_references"
    ]
    (secret,) = findings["checkov.CKV_SECRET_2"]
    assert secret["status"] == "fail" and secret["location"]["file"] == "provider.tf"
    assert "AKIA" not in real_terraform.report.read_text(encoding="utf-8")  # never in a report
    # `checkov:skip=` is honoured by checkov itself; comply reports it as an inline skip.
    skipped = [f for f in findings["checkov.CKV_AWS_27"] if f["status"] == "skipped"]
    assert len(skipped) == 1
    assert skipped[0]["suppression"]["reason"] == "queue holds public build notifications only"
    # checkov's own finding, mapped and located, in the report's roll-up.
    (cmk,) = findings["checkov.CKV_AWS_184"]
    assert cmk["engine"] == "checkov" and cmk["status"] == "fail"
    control = next(c for c in document["controls"] if c["id"] == "164.312(a)(2)(iv)")
    assert "checkov.CKV_AWS_184" in control["checks"] and control["status"] == "not_satisfied"


def test_results_on_blocks_terraform_never_creates_are_dropped(real_terraform: RealScan) -> None:
    # checkov judged them (empty for_each, a module with count = 0)...
    judged = {result["resource"] for result in _checkov_results(real_terraform)}
    assert set(NOT_CREATED) <= judged
    assert "aws_efs_file_system.never_created" not in judged  # count = 0: checkov skips it
    # ... and nothing of them reaches the report, from either engine.
    document = real_terraform.document()
    ids = [f["resource"]["id"] for f in document["findings"]]
    assert not [i for i in ids if any(i.endswith(address) for address in NOT_CREATED)]
    assert not [i for i in ids if "never_created" in i]
    dropped = sum(1 for r in _checkov_results(real_terraform) if r["resource"] in NOT_CREATED)
    warnings = [w["message"] for w in document["warnings"] if w["target"] == "checkov"]
    assert f"{dropped} checkov results dropped on resources Terraform would not create" in " ".join(
        warnings
    )
    # The same module enabled is created: checkov's results on it are kept.
    enabled = [i for i in ids if i.endswith("module.enabled.aws_ebs_volume.data")]
    assert len(enabled) > 1


def test_real_checkov_on_kubernetes(installed_checkov: Path, tmp_path: Path) -> None:
    scan = real_scan(
        installed_checkov, tmp_path, "kubernetes", CHECKOV_FIXTURES / "kubernetes"
    ).scan
    assert scan.exit_code == 1
    document = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert not [e for e in document["errors"] if e["target"] == "checkov"], document["errors"]
    findings = _by_check(document)
    # comply judges privileged containers and says so in `references`: its verdict stands.
    (privileged,) = findings["k8s_container_privileged_disabled"]
    assert privileged["status"] == "fail"
    assert {"engine": "checkov", "check_id": "CKV_K8S_16", "status": "failed"} in privileged[
        "cross_references"
    ]
    assert "checkov.CKV_K8S_16" not in findings
    # NET_RAW is checkov's alone: its own finding, on comply's resource and file.
    (net_raw,) = findings["checkov.CKV_K8S_28"]
    assert net_raw["status"] == "fail" and net_raw["engine"] == "checkov"
    assert net_raw["resource"]["id"] == privileged["resource"]["id"]
    assert net_raw["location"]["file"] == "deploy.yaml"


def test_the_evidence_bundle_carries_checkov_findings(
    real_terraform: RealScan, tmp_path: Path
) -> None:
    bundle = tmp_path / "bundle"
    export = run_comply_with(
        "evidence",
        "export",
        real_terraform.report,
        "--framework",
        "hipaa",
        "--out",
        bundle,
        checkov=None,
    )
    assert export.exit_code == 0, export.stderr
    document = json.loads((bundle / "findings.json").read_text(encoding="utf-8"))
    (cmk,) = [f for f in document["findings"] if f["check_id"] == "checkov.CKV_AWS_184"]
    assert cmk["engine"] == "checkov" and cmk["status"] == "fail"
    assert {"framework": "hipaa", "id": "164.312(a)(2)(iv)"} in cmk["controls"]
    (secret,) = [f for f in document["findings"] if f["check_id"] == "checkov.CKV_SECRET_2"]
    assert secret["engine"] == "checkov" and secret["location"]["file"] == "provider.tf"
    # The control roll-up counts it under the control its mapping names, as the scan did.
    control = next(c for c in document["controls"] if c["id"] == "164.312(a)(2)(iv)")
    assert "checkov.CKV_AWS_184" in control["checks"]
    assert control["status"] == "not_satisfied"
    page = (bundle / control["page"]).with_suffix(".md").read_text(encoding="utf-8")
    assert "checkov.CKV_AWS_184" in page and "aws_efs_file_system.plain" in page


def test_a_baseline_keeps_checkov_findings_known(
    installed_checkov: Path, real_terraform: RealScan, tmp_path: Path
) -> None:
    baseline = tmp_path / "baseline.json"
    created = run_comply_with(
        "baseline", "create", real_terraform.report, "-o", baseline, checkov=None
    )
    assert created.exit_code == 0, created.stderr
    entries = json.loads(baseline.read_text(encoding="utf-8"))["failures"]
    checkov_entries = [e for e in entries if e["check_id"].startswith("checkov.")]
    assert {"checkov.CKV_AWS_184", "checkov.CKV_SECRET_2"} <= {e["check_id"] for e in entries}
    # A later scan, the engine chosen in .comply.yaml: every failure is known, none fixed.
    config = tmp_path / "comply.yaml"
    config.write_text(f"engines: [comply, checkov]\nbaseline: {baseline}\n", encoding="utf-8")
    again = run_comply_with(
        "scan",
        "terraform",
        CHECKOV_FIXTURES / "terraform",
        "--config",
        config,
        "-o",
        "json",
        checkov=installed_checkov,
        env=real_terraform.env,
    )
    document = again.json()
    assert document["baseline"]["known_failures"] == len(entries)
    assert document["baseline"]["fixed"] == [] and document["baseline"]["not_compared"] == {}
    assert not any(f["blocking"] for f in document["findings"])
    assert again.exit_code == 0, again.stderr
    # Without checkov, its entries are not "fixed": nothing judged them.
    without = run_comply_with(
        "scan",
        "terraform",
        CHECKOV_FIXTURES / "terraform",
        "--baseline",
        baseline,
        "-o",
        "json",
        checkov=None,
        env=real_terraform.env,
    ).json()
    assert without["baseline"]["fixed"] == []
    assert without["baseline"]["not_compared"] == {"checkov": len(checkov_entries)}
    assert any("of checkov not compared" in w["message"] for w in without["warnings"])


def test_the_version_keying_the_cache_is_the_one_checkov_reports(installed_checkov: Path) -> None:
    # The cache asks the installation's Python (milliseconds), not `checkov --version` (seconds).
    reported, problem = checkov_version(installed_checkov)
    assert reported is not None, problem
    assert installed_version(installed_checkov) == reported


def _contains(whole: Any, part: Any) -> bool:
    if isinstance(part, dict):
        return isinstance(whole, dict) and all(
            key in whole and _contains(whole[key], value) for key, value in part.items()
        )
    return whole == part


def test_the_precedence_examples_of_docs_engines_md_are_real_output(
    real_terraform: RealScan,
) -> None:
    text = (REPO_ROOT / "docs" / "engines.md").read_text(encoding="utf-8")
    examples = [json.loads(block) for block in re.findall(r"```json\n(.*?)```", text, re.S)]
    assert len(examples) >= 5
    document = real_terraform.document()
    for example in examples:
        assert any(
            _contains(item, example) for item in document["findings"] + document["warnings"]
        ), example
