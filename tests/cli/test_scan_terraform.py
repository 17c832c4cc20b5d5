"""End-to-end: the real `comply` command over real fixture folders."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import FIXTURES

CLI = FIXTURES / "cli"
ROTATION = "kms_key_rotation_enabled"


def address(resource_id: str) -> str:
    """The Terraform address without its root-module label: fixtures live in this repository,
    so their ids carry their folder (`tests/fixtures/cli/mixed:aws_kms_key.typo`)."""
    label, colon, rest = resource_id.partition(":")
    return rest if colon and label.startswith("tests/fixtures/") else resource_id


def statuses(document: dict, check_id: str = ROTATION) -> dict[str, str]:
    return {
        address(f["resource"]["id"]): f["status"]
        for f in document["findings"]
        if f["check_id"] == check_id
    }


def test_fixture_ids_carry_their_folder_in_the_repository(comply):
    document = comply("scan", "terraform", CLI / "clean", "-o", "json", "--no-cache").json()
    ids = {f["resource"]["id"] for f in document["findings"]}
    in_git = (FIXTURES.parent.parent / ".git").exists()
    assert ids == ({"tests/fixtures/cli/clean:aws_kms_key.phi"} if in_git else {"aws_kms_key.phi"})


def test_clean_configuration_exits_zero(comply):
    result = comply("scan", "terraform", CLI / "clean", "-o", "json", "--no-cache")
    assert result.exit_code == 0, result.stderr
    document = result.json()
    assert statuses(document) == {"aws_kms_key.phi": "pass"}
    assert document["errors"] == []


def test_mixed_configuration_statuses_and_exit_code(comply):
    result = comply("scan", "terraform", CLI / "mixed", "-o", "json", "--no-cache")
    assert result.exit_code == 1, result.stderr
    document = result.json()
    assert statuses(document) == {
        "aws_kms_key.rotated": "pass",
        "aws_kms_key.not_rotated": "fail",
        "aws_kms_key.from_variable": "unknown",
        "aws_kms_key.accepted": "skipped",
        "aws_kms_key.no_reason": "skipped",
        "aws_kms_key.typo": "fail",
    }
    accepted = next(
        f for f in document["findings"] if address(f["resource"]["id"]) == "aws_kms_key.accepted"
    )
    assert "imported key material" in accepted["suppression"]["reason"]
    warnings = " | ".join(w["message"] for w in document["warnings"])
    assert "has no reason" in warnings
    assert "kms_key_rotation_enable'" in warnings  # the unknown id in the typo'd skip is named


def test_json_contract_shape(comply):
    document = comply("scan", "terraform", CLI / "mixed", "-o", "json", "--no-cache").json()
    assert document["schema_version"] == "1"
    assert document["tool"]["name"] == "comply"
    assert document["scan"]["source"] == "terraform"
    assert set(document["summary"]) == {"pass", "fail", "unknown", "error", "skipped"}
    assert sum(document["summary"].values()) == len(document["findings"])
    finding = next(f for f in document["findings"] if f["status"] == "fail")
    assert set(finding) >= {
        "check_id",
        "title",
        "severity",
        "status",
        "message",
        "resource",
        "location",
        "controls",
        "fingerprint",
    }
    assert finding["location"]["file"] == "main.tf"
    assert finding["location"]["start_line"] >= 1
    frameworks = {c["framework"] for c in finding["controls"]}
    assert frameworks == {"hipaa", "soc2"}


def test_soft_fail_turns_findings_into_exit_zero(comply):
    result = comply("scan", "terraform", CLI / "mixed", "--soft-fail", "--no-cache")
    assert result.exit_code == 0


def test_severity_threshold_above_every_failure_exits_zero(comply):
    result = comply(
        "scan", "terraform", CLI / "mixed", "--severity-threshold", "critical", "--no-cache"
    )
    assert result.exit_code == 0, result.stdout
    assert "kms_key_rotation_enabled" in result.stdout  # still reported, just not blocking


def test_every_output_format_written_to_files(comply, tmp_path: Path):
    result = comply(
        "scan",
        "terraform",
        CLI / "mixed",
        "--no-cache",
        "-o",
        f"json={tmp_path / 'out' / 'f.json'}",
        "-o",
        f"sarif={tmp_path / 'r.sarif'}",
        "-o",
        f"junit={tmp_path / 'j.xml'}",
        "-o",
        "console",
        cwd=CLI,
    )
    assert result.exit_code == 1
    assert "not_rotated" in result.stdout
    assert "\x1b[" not in result.stdout  # not a terminal: no colour codes
    findings = json.loads((tmp_path / "out" / "f.json").read_text())
    assert findings["summary"]["fail"] >= 1
    sarif = json.loads((tmp_path / "r.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in sarif["runs"][0]["results"]
    }
    # Relative to the working directory (the checkout, for code scanning), not the scanned folder.
    assert uris == {"mixed/main.tf"}
    ET.parse(tmp_path / "j.xml")


def test_two_reports_on_stdout_is_a_usage_error(comply):
    result = comply("scan", "terraform", CLI / "clean", "-o", "json", "-o", "sarif")
    assert result.exit_code == 2
    assert "only one report" in result.stderr


def test_unknown_output_format_is_a_usage_error(comply):
    result = comply("scan", "terraform", CLI / "clean", "-o", "yaml")
    assert result.exit_code == 2
    assert "unknown format" in result.stderr


def test_framework_scoping_limits_controls(comply):
    document = comply(
        "scan", "terraform", CLI / "mixed", "--framework", "hipaa", "-o", "json", "--no-cache"
    ).json()
    assert document["findings"]
    for finding in document["findings"]:
        assert {c["framework"] for c in finding["controls"]} == {"hipaa"}
    assert {c["framework"] for c in document["controls"]} == {"hipaa"}


def test_unknown_framework_is_a_usage_error(comply):
    result = comply("scan", "terraform", CLI / "clean", "--framework", "pci")
    assert result.exit_code == 2
    assert "unknown framework 'pci'" in result.stderr


def test_broken_files_are_errors_and_the_rest_is_scanned(comply):
    result = comply("scan", "terraform", CLI / "broken", "-o", "json", "--no-cache")
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    document = result.json()
    errored = {e["target"] for e in document["errors"]}
    assert errored == {"malformed.tf", "latin1.tf"}
    malformed = next(e for e in document["errors"] if e["target"] == "malformed.tf")
    assert malformed.get("line") is not None
    assert "aws_kms_key.still_scanned" in statuses(document)


def test_soft_fail_does_not_hide_errors(comply):
    result = comply("scan", "terraform", CLI / "broken", "--soft-fail", "--no-cache")
    assert result.exit_code == 2
    assert "malformed.tf" in result.stdout


def test_oversized_file_is_reported_not_parsed(comply, tmp_path: Path):
    (tmp_path / "ok.tf").write_text('resource "aws_kms_key" "k" {\n  description = "x"\n}\n')
    big = tmp_path / "generated.tf"
    line = 'locals { padding = "' + "x" * 1000 + '" }\n'
    with big.open("w") as handle:
        for _ in range(50 * 1024):  # ~50 MB
            handle.write(line)
    result = comply("scan", "terraform", tmp_path, "-o", "json", "--no-cache")
    assert result.exit_code == 2
    document = result.json()
    assert [e["target"] for e in document["errors"]] == ["generated.tf"]
    assert "MB" in document["errors"][0]["message"]
    assert "aws_kms_key.k" in statuses(document)


def test_symlink_loop_does_not_hang(comply, tmp_path: Path):
    (tmp_path / "main.tf").write_text('resource "aws_kms_key" "k" {\n  description = "x"\n}\n')
    (tmp_path / "nested").mkdir()
    os.symlink(tmp_path, tmp_path / "nested" / "loop")
    result = comply("scan", "terraform", tmp_path, "-o", "json", "--no-cache")
    assert result.exit_code in (0, 1), result.stderr
    assert list(statuses(result.json())) == ["aws_kms_key.k"]


def test_user_policy_folder_adds_checks(comply):
    document = comply(
        "scan",
        "terraform",
        CLI / "clean",
        "--policies",
        CLI / "user_policies",
        "-o",
        "json",
        "--no-cache",
    ).json()
    assert statuses(document, "kms_key_description_present") == {"aws_kms_key.phi": "pass"}


def test_a_raising_check_is_an_error_finding_and_the_scan_goes_on(comply):
    result = comply(
        "scan",
        "terraform",
        CLI / "clean",
        "--policies",
        CLI / "raising_policy",
        "-o",
        "json",
        "--no-cache",
    )
    assert result.exit_code == 2
    document = result.json()
    broken = statuses(document, "kms_key_explodes_always")
    assert broken == {"aws_kms_key.phi": "error"}
    message = next(
        f["message"] for f in document["findings"] if f["check_id"] == "kms_key_explodes_always"
    )
    assert "kms_key_explodes_always" in message and "boom" in message
    assert statuses(document) == {"aws_kms_key.phi": "pass"}


def test_check_selection(comply):
    document = comply(
        "scan", "terraform", CLI / "mixed", "--check", ROTATION, "-o", "json", "--no-cache"
    ).json()
    assert {f["check_id"] for f in document["findings"]} == {ROTATION}
    skipped = comply(
        "scan", "terraform", CLI / "mixed", "--skip-check", ROTATION, "-o", "json", "--no-cache"
    ).json()
    assert ROTATION not in {f["check_id"] for f in skipped["findings"]}


def test_unknown_check_id_in_selection_is_a_usage_error(comply):
    result = comply("scan", "terraform", CLI / "clean", "--check", "no_such_check_here")
    assert result.exit_code == 2
    assert "no_such_check_here" in result.stderr


def test_missing_path_is_a_usage_error(comply, tmp_path: Path):
    result = comply("scan", "terraform", tmp_path / "nope")
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("cache", ["cold", "warm"])
def test_cache_never_changes_results(comply, tmp_path: Path, cache: str):
    cache_dir = tmp_path / "cache"
    first = comply("scan", "terraform", CLI / "mixed", "-o", "json", "--cache-dir", cache_dir)
    second = comply("scan", "terraform", CLI / "mixed", "-o", "json", "--cache-dir", cache_dir)
    assert any(cache_dir.rglob("*")), "the cache directory was not used"
    strip = lambda d: [(f["check_id"], f["resource"]["id"], f["status"]) for f in d["findings"]]  # noqa: E731
    assert strip(first.json()) == strip(second.json())


def test_json_lists_the_scanned_population_with_secrets_redacted(comply, tmp_path: Path):
    outputs = {fmt: tmp_path / f"out.{fmt}" for fmt in ("json", "sarif", "junit", "markdown")}
    args = [arg for fmt, path in outputs.items() for arg in ("-o", f"{fmt}={path}")]
    result = comply("scan", "terraform", CLI / "secrets", "--no-cache", *args, "-o", "console")
    assert result.exit_code == 1, result.stderr
    document = json.loads(outputs["json"].read_text())
    (resource,) = document["resources"]
    assert address(resource["id"]) == "aws_db_instance.records"
    assert resource["location"] == {"file": "main.tf", "start_line": 2, "end_line": 13}
    assert resource["raw"]["arguments"]["password"] == "<redacted>"
    assert resource["raw"]["arguments"]["identifier"] == "patient-records"
    texts = [result.stdout, *(path.read_text() for path in outputs.values())]
    for planted in ("Pl4nted-Db-Passw0rd", "AKIAPLANTEDKEY000001", "Pl4nted-Url-Secret"):
        assert not any(planted in text for text in texts), planted


def test_a_skip_cannot_hide_a_crashed_check(comply):
    result = comply(
        "scan",
        "terraform",
        CLI / "skipped_crash",
        "--policies",
        CLI / "raising_policy",
        "-o",
        "json",
        "--no-cache",
    )
    assert result.exit_code == 2
    assert statuses(result.json(), "kms_key_explodes_always") == {"aws_kms_key.k": "error"}
