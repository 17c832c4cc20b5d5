"""Baselines: accepted failures by fingerprint survive edits that move lines; new ones block."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.conftest import FIXTURES

MIXED = FIXTURES / "cli" / "mixed"


def test_baseline_round_trip_with_moved_lines(comply, tmp_path: Path):
    infra = tmp_path / "infra"
    shutil.copytree(MIXED, infra)
    report = tmp_path / "report.json"
    first = comply("scan", "terraform", infra, "-o", f"json={report}", "--no-cache")
    assert first.exit_code == 1
    created = comply("baseline", "create", report, "-o", tmp_path / "baseline.json")
    assert created.exit_code == 0, created.stderr
    baseline = json.loads((tmp_path / "baseline.json").read_text())
    accepted = {(e["check_id"], e["resource_id"]) for e in baseline["failures"]}
    assert ("kms_key_rotation_enabled", "aws_kms_key.not_rotated") in accepted

    # Push every block down by ten lines and add one new failing key.
    main = infra / "main.tf"
    main.write_text("\n" * 10 + main.read_text() + '\nresource "aws_kms_key" "brand_new" {}\n')
    again = comply(
        "scan",
        "terraform",
        infra,
        "--baseline",
        tmp_path / "baseline.json",
        "-o",
        "json",
        "--no-cache",
    )
    assert again.exit_code == 1  # the new key blocks
    document = again.json()
    blocking = {f["resource"]["id"] for f in document["findings"] if f.get("blocking")}
    assert blocking == {"aws_kms_key.brand_new"}

    # Fix the new one: only accepted failures remain, nothing blocks; fixing an old one is listed.
    text = main.read_text().replace('resource "aws_kms_key" "brand_new" {}', "")
    text = text.replace(
        'resource "aws_kms_key" "not_rotated" {',
        'resource "aws_kms_key" "not_rotated" {\n  enable_key_rotation = true',
    )
    main.write_text(text)
    fixed = comply(
        "scan",
        "terraform",
        infra,
        "--baseline",
        tmp_path / "baseline.json",
        "-o",
        "json",
        "--no-cache",
    )
    assert fixed.exit_code == 0, fixed.stdout
    assert {e["resource_id"] for e in fixed.json()["baseline"]["fixed"]} == {
        "aws_kms_key.not_rotated"
    }


def test_baseline_create_rejects_a_non_report(comply, tmp_path: Path):
    bogus = tmp_path / "x.json"
    bogus.write_text('{"hello": 1}')
    result = comply("baseline", "create", bogus)
    assert result.exit_code == 2
    assert "not a comply JSON report" in result.stderr


def test_scan_rejects_a_malformed_baseline(comply, tmp_path: Path):
    bogus = tmp_path / "baseline.json"
    bogus.write_text("{not json")
    result = comply("scan", "terraform", MIXED, "--baseline", bogus, "--no-cache")
    assert result.exit_code == 2
    assert "not valid JSON" in result.stderr


def test_baseline_create_makes_missing_folders_and_console_says_why_not_blocking(
    comply, tmp_path: Path
):
    report = tmp_path / "report.json"
    comply("scan", "terraform", MIXED, "-o", f"json={report}", "--no-cache")
    target = tmp_path / "deep" / "er" / "baseline.json"
    assert comply("baseline", "create", report, "-o", target).exit_code == 0
    assert target.is_file()
    console = comply("scan", "terraform", MIXED, "--baseline", target, "--no-cache")
    assert console.exit_code == 0
    assert "2 accepted by the baseline" in console.stdout
