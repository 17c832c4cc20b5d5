"""End-to-end: `comply controls ...` and control status in scans."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from tests.conftest import FIXTURES

CLI = FIXTURES / "cli"
CONTROLS = FIXTURES / "controls"


def test_controls_list_json_scoped_by_framework(comply):
    result = comply("controls", "list", "--framework", "hipaa", "-o", "json")
    assert result.exit_code == 0, result.stderr
    rows = result.json()["controls"]
    assert {r["framework"] for r in rows} == {"hipaa"}
    assert "164.312(a)(2)(iv)" in {r["id"] for r in rows}


def test_controls_list_by_category(comply):
    rows = comply(
        "controls", "list", "--framework", "soc2", "--category", "availability", "-o", "json"
    ).json()["controls"]
    assert {r["id"] for r in rows} == {"A1.1", "A1.2", "A1.3"}


def test_controls_show_names_checks_and_manual_evidence(comply):
    result = comply("controls", "show", "164.312(a)(2)(iv)")
    assert result.exit_code == 0, result.stderr
    assert "Encryption and decryption" in result.stdout
    assert "s3_bucket_encrypted_at_rest [high]" in result.stdout
    assert "Manual evidence" in result.stdout
    assert "soc2 CC6.1" in result.stdout  # crosswalk via shared checks


def test_controls_show_unknown_id_is_an_error(comply):
    result = comply("controls", "show", "CC99.9")
    assert result.exit_code == 2
    assert "no control 'CC99.9'" in result.stderr


def test_coverage_csv_counts_checks_per_source(comply):
    result = comply("controls", "coverage", "-o", "csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    by_id = {(r["framework"], r["id"]): r for r in rows}
    encryption = by_id[("hipaa", "164.312(a)(2)(iv)")]
    assert int(encryption["terraform"]) >= 5
    # Live collectors cover most encryption checks, but not every Terraform-only type.
    assert 5 <= int(encryption["aws"]) <= int(encryption["terraform"])
    kubernetes_only = by_id[("soc2", "A1.1")]  # capacity: requests and limits
    assert kubernetes_only["aws"] == "0" and kubernetes_only["terraform"] == "0"
    assert int(kubernetes_only["kubernetes"]) >= 1
    live_only = by_id[("soc2", "CC6.2")]  # user deregistration: unused credentials, live data only
    assert live_only["terraform"] == "0" and int(live_only["aws"]) >= 1
    # The drift checks judge state against live: their own column, under no other source.
    assert {"terraform", "aws", "kubernetes", "drift"} <= set(rows[0])
    assert by_id[("soc2", "CC8.1")]["drift"] == "4"
    assert by_id[("hipaa", "164.312(c)(1)")]["drift"] == "4"
    assert encryption["drift"] == "0"
    risk = by_id[("hipaa", "164.308(a)(1)(ii)(A)")]
    assert risk["automation"] == "manual" and risk["terraform"] == "0"


def test_coverage_markdown_and_json(comply):
    markdown = comply("controls", "coverage", "--framework", "soc2").stdout
    assert markdown.startswith("| framework | id | title |")
    data = comply("controls", "coverage", "--framework", "soc2", "-o", "json").json()
    assert {row["framework"] for row in data["coverage"]} == {"soc2"}


def test_crosswalk_pairs_controls_sharing_checks(comply):
    entries = comply("controls", "crosswalk", "-o", "json").json()["crosswalk"]
    pairs = {(e["hipaa"], e["soc2"]) for e in entries}
    assert ("164.312(a)(2)(iv)", "CC6.1") in pairs


def test_scan_reports_attested_and_lapsed_controls(comply, tmp_path: Path):
    attestations = tmp_path / "attestations.yaml"
    attestations.write_text(
        "attestations:\n"
        "  - control: '164.308(a)(1)(ii)(A)'\n"
        "    statement: Risk analysis performed.\n"
        "    owner: ciso@example.com\n"
        "    date: 2025-01-01\n"
        "    expires: 2099-12-31\n"
        "  - control: '164.308(a)(1)(ii)(B)'\n"
        "    statement: Risk management plan.\n"
        "    owner: ciso@example.com\n"
        "    date: 2020-01-01\n"
        "    expires: 2021-01-01\n"
    )
    result = comply(
        "scan",
        "terraform",
        CLI / "clean",
        "--attestations",
        attestations,
        "-o",
        "json",
        "--no-cache",
    )
    assert result.exit_code == 0, result.stderr
    controls = {(c["framework"], c["id"]): c for c in result.json()["controls"]}
    attested = controls[("hipaa", "164.308(a)(1)(ii)(A)")]
    assert attested["status"] == "attested"
    assert attested["attestation"]["owner"] == "ciso@example.com"
    assert attested["attestation"]["current"] is True
    lapsed = controls[("hipaa", "164.308(a)(1)(ii)(B)")]
    assert lapsed["status"] == "incomplete"
    assert "expired on 2021-01-01" in lapsed["reason"]
    unattested = controls[("hipaa", "164.308(a)(1)(ii)(C)")]
    assert unattested["status"] == "incomplete" and unattested["attestation"] is None


def test_invalid_attestation_file_stops_the_scan(comply):
    result = comply(
        "scan",
        "terraform",
        CLI / "clean",
        "--attestations",
        CONTROLS / "attestations" / "expiry_before_date.yaml",
    )
    assert result.exit_code == 2
    assert "is before date" in result.stderr


def test_scan_with_category_runs_only_checks_mapped_there(comply):
    document = comply(
        "scan",
        "terraform",
        CLI / "mixed",
        "--framework",
        "soc2",
        "--category",
        "availability",
        "-o",
        "json",
        "--no-cache",
    ).json()
    assert {c["id"] for c in document["controls"]} == {"A1.1", "A1.2", "A1.3"}
    # KMS rotation is a security (CC6.1) check, not an availability one.
    assert "kms_key_rotation_enabled" not in {f["check_id"] for f in document["findings"]}


def test_custom_framework_in_scan(comply):
    document = comply(
        "scan",
        "terraform",
        CLI / "mixed",
        "--frameworks-dir",
        CONTROLS / "custom_framework",
        "--framework",
        "acme",
        "-o",
        "json",
        "--no-cache",
    ).json()
    statuses = {c["id"]: c["status"] for c in document["controls"]}
    assert statuses == {"ACME-ENC-1": "not_satisfied", "ACME-GOV-1": "incomplete"}
    assert {f["check_id"] for f in document["findings"]} == {"kms_key_rotation_enabled"}
    assert json.dumps(document)  # serialisable end to end
