"""`comply scan terraform|kubernetes --engine checkov`, end to end through the command line.

A fake `checkov` (a shell script printing a fixed report) pins the merge rules; the real one runs
on the fixture files in test_checkov_real.py."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.engines.conftest import CHECKOV_FIXTURES, fake_checkov, run_comply_with

TERRAFORM = CHECKOV_FIXTURES / "terraform"
KUBERNETES = CHECKOV_FIXTURES / "kubernetes"


def _entry(check_id: str, resource: str, lines: list[int], name: str = "a check") -> dict:
    return {
        "check_id": check_id,
        "check_name": name,
        "file_path": "/main.tf",
        "file_line_range": lines,
        "resource": resource,
    }


CANNED = [
    {
        "check_type": "terraform",
        "results": {
            "failed_checks": [
                # comply's efs check names CKV_AWS_42 in its references: comply's verdict wins.
                _entry("CKV_AWS_42", "aws_efs_file_system.plain", [3, 5]),
                # count = 0: Terraform never creates it, comply has no such resource.
                _entry("CKV_AWS_42", "aws_efs_file_system.never_created", [7, 10]),
                # No comply check claims CKV_AWS_184: a checkov finding.
                _entry("CKV_AWS_184", "aws_efs_file_system.plain", [3, 5], "EFS uses a CMK"),
                # A block comply folds into another (a bucket policy into its bucket) is absent
                # from comply's inventory although Terraform creates it: kept, not dropped.
                _entry("CKV_AWS_70", "aws_s3_bucket_policy.logs", [20, 24]),
                # Listed as unmapped: bears on neither framework, not reported.
                _entry("CKV_AWS_23", "aws_sqs_queue.jobs", [12, 14]),
            ],
            "passed_checks": [_entry("CKV_AWS_168", "aws_sqs_queue.jobs", [12, 14])],
        },
    },
    {"check_type": "secrets", "results": {"failed_checks": []}},
]


@pytest.fixture
def canned_checkov(tmp_path: Path) -> Path:
    report = tmp_path / "report.json"
    report.write_text(json.dumps(CANNED), encoding="utf-8")
    return fake_checkov(tmp_path, f"cat '{report}'; exit 1")


def _by_check(document: dict) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for finding in document["findings"]:
        found.setdefault(finding["check_id"], []).append(finding)
    return found


def test_checkov_findings_join_comply_findings_with_precedence(canned_checkov: Path) -> None:
    scan = run_comply_with(
        "scan", "terraform", TERRAFORM, "--engine", "checkov", "-o", "json", checkov=canned_checkov
    )
    assert scan.exit_code == 1, scan.stderr
    document = scan.json()
    findings = _by_check(document)
    # comply's verdict on the EFS file system stands; checkov's is a cross-reference on it.
    (efs,) = findings["efs_file_system_encrypted_at_rest"]
    assert efs["status"] == "fail" and "engine" not in efs
    assert efs["cross_references"] == [
        {"engine": "checkov", "check_id": "CKV_AWS_42", "status": "failed"}
    ]
    assert "checkov.CKV_AWS_42" not in findings
    # A check comply does not have becomes a finding of its own, mapped and located.
    (cmk,) = findings["checkov.CKV_AWS_184"]
    assert cmk["engine"] == "checkov" and cmk["status"] == "fail" and cmk["blocking"]
    assert cmk["severity"] == "high"
    assert cmk["location"] == {"file": "main.tf", "start_line": 3, "end_line": 5}
    assert cmk["resource"]["id"] == efs["resource"]["id"]
    assert {"framework": "hipaa", "id": "164.312(a)(2)(iv)"} in cmk["controls"]
    assert len(cmk["fingerprint"]) == 32 and cmk["fingerprint"] != efs["fingerprint"]
    (policy,) = findings["checkov.CKV_AWS_70"]
    assert policy["status"] == "fail" and policy["resource"]["id"] == "aws_s3_bucket_policy.logs"
    (queue_pass,) = findings["checkov.CKV_AWS_168"]
    assert queue_pass["status"] == "pass"
    assert "checkov.CKV_AWS_23" not in findings  # unmapped
    warnings = [w["message"] for w in document["warnings"]]
    assert any(
        "1 checkov result dropped on resources Terraform would not create" in w for w in warnings
    )
    # The roll-up counts checkov's findings under the controls they map to.
    cc61 = next(c for c in document["controls"] if c["id"] == "CC6.6")
    assert cc61["counts"]["pass"] >= 1


def test_sarif_rules_of_checkov_findings_are_prefixed(canned_checkov: Path) -> None:
    scan = run_comply_with(
        "scan", "terraform", TERRAFORM, "--engine", "checkov", "-o", "sarif", checkov=canned_checkov
    )
    sarif = json.loads(scan.stdout)
    rule_ids = {rule["id"] for rule in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert "checkov.CKV_AWS_184" in rule_ids
    result_ids = {result["ruleId"] for result in sarif["runs"][0]["results"]}
    assert "checkov.CKV_AWS_184" in result_ids


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("echo 'Traceback (most recent call last): boom' >&2; exit 2", "exited with status 2"),
        ("echo 'this is not json'; exit 1", "output is not JSON"),
    ],
)
def test_a_crashing_checkov_is_exit_2_and_comply_findings_are_still_reported(
    tmp_path: Path, body: str, message: str
) -> None:
    broken = fake_checkov(tmp_path, body)
    scan = run_comply_with(
        "scan", "terraform", TERRAFORM, "--engine", "checkov", "-o", "json", checkov=broken
    )
    assert scan.exit_code == 2
    document = scan.json()
    errors = [e for e in document["errors"] if e["target"] == "checkov"]
    assert len(errors) == 1 and message in errors[0]["message"]
    assert errors[0]["message"].startswith("checkov: ")
    assert "efs_file_system_encrypted_at_rest" in _by_check(document)


def test_a_missing_checkov_is_exit_2_naming_the_engine() -> None:
    scan = run_comply_with(
        "scan", "terraform", TERRAFORM, "--engine", "checkov", "-o", "json", checkov=None
    )
    assert scan.exit_code == 2
    document = scan.json()
    (error,) = [e for e in document["errors"] if e["target"] == "checkov"]
    assert error["message"].startswith("checkov: not found")
    assert "efs_file_system_encrypted_at_rest" in _by_check(document)


def test_engines_from_the_configuration_file(tmp_path: Path, canned_checkov: Path) -> None:
    config = tmp_path / "comply.yaml"
    config.write_text("engines: [comply, checkov]\n", encoding="utf-8")
    scan = run_comply_with(
        "scan", "terraform", TERRAFORM, "--config", config, "-o", "json", checkov=canned_checkov
    )
    assert "checkov.CKV_AWS_184" in _by_check(scan.json())


def test_without_the_engine_nothing_of_checkov_appears(canned_checkov: Path) -> None:
    scan = run_comply_with("scan", "terraform", TERRAFORM, "-o", "json", checkov=canned_checkov)
    document = scan.json()
    assert not any(f["check_id"].startswith("checkov.") for f in document["findings"])
    assert not any("cross_references" in f for f in document["findings"])


def test_every_output_format_carries_checkov_findings(canned_checkov: Path) -> None:
    formats = ("console", "markdown", "junit", "github", "gitlab")
    outputs = [
        word for name in formats for word in ("-o", f"{name}={canned_checkov.parent / name}")
    ]
    scan = run_comply_with(
        "scan", "terraform", TERRAFORM, "--engine", "checkov", *outputs, checkov=canned_checkov
    )
    assert scan.exit_code == 1, scan.stderr
    for name in formats:
        assert "CKV_AWS_184" in (canned_checkov.parent / name).read_text(encoding="utf-8"), name


def test_an_unchanged_file_set_reuses_checkov_results(tmp_path: Path) -> None:
    folder = tmp_path / "infra"
    shutil.copytree(TERRAFORM, folder)
    report = tmp_path / "report.json"
    report.write_text(json.dumps(CANNED), encoding="utf-8")
    runs = tmp_path / "runs"
    home = tmp_path / "cache"

    def install(version: str) -> Path:
        """checkov (re)installed: a new file, the version it reports, a count of its scans."""
        (tmp_path / "checkov").unlink(missing_ok=True)
        body = f"echo run >> '{runs}'; cat '{report}'; exit 1"
        return fake_checkov(tmp_path, body, version=version)

    def scan(checkov: Path, *extra: str):
        return run_comply_with(
            "scan",
            "terraform",
            folder,
            "--engine",
            "checkov",
            "-o",
            "json",
            *extra,
            checkov=checkov,
            env={"XDG_CACHE_HOME": str(home)},
        )

    def count() -> int:
        return runs.read_text().count("run")

    checkov = install("3.3.30")
    first, second = scan(checkov), scan(checkov)
    assert count() == 1
    assert _by_check(first.json()).keys() == _by_check(second.json()).keys()
    assert "checkov.CKV_AWS_184" in _by_check(second.json())
    # Reinstalled, the same version: another file, the same results.
    os.utime(install("3.3.30"), ns=(1, 1))
    scan(checkov)
    assert count() == 1
    # Another version may judge otherwise: it runs.
    checkov = install("3.3.31")
    scan(checkov)
    assert count() == 2
    scan(checkov)
    assert count() == 2
    (folder / "main.tf").write_text(
        (folder / "main.tf").read_text() + "\n# a change\n", encoding="utf-8"
    )
    scan(checkov)
    assert count() == 3  # the file set changed: checkov ran again
    scan(checkov, "--no-cache")
    assert count() == 4  # --no-cache: neither read nor written
    # A checkov that cannot say its version: its results are never reused.
    silent = fake_checkov(
        tmp_path,
        f"if [ \"$1\" = --version ]; then exit 3; fi; echo run >> '{runs}'; cat '{report}'; exit 1",
    )
    scan(silent), scan(silent)
    assert count() == 6


def test_a_waiver_applies_to_a_checkov_finding(tmp_path: Path, canned_checkov: Path) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "waivers:\n"
        "  - check: checkov.CKV_AWS_184\n"
        '    resource: "*aws_efs_file_system.plain"\n'
        "    reason: AWS-managed key accepted for this file system\n"
        "    approver: ciso@example.com\n"
        "    ticket: SEC-1\n"
        '    expires: "2099-12-31"\n',
        encoding="utf-8",
    )
    scan = run_comply_with(
        "scan",
        "terraform",
        TERRAFORM,
        "--engine",
        "checkov",
        "--waivers",
        waivers,
        "-o",
        "json",
        checkov=canned_checkov,
    )
    document = scan.json()
    (cmk,) = _by_check(document)["checkov.CKV_AWS_184"]
    assert cmk["status"] == "skipped" and cmk["suppression"]["by"] == "waiver"
    assert cmk["suppression"]["original_status"] == "fail"
    assert not any("matches no check id" in w["message"] for w in document["warnings"])
