"""Drift findings are findings: a waiver skips one, a baseline accepts them, and the evidence
bundle's CC8.1 page carries them; the state's secrets reach none of it. Offline (the fixture
snapshot), through the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from scanner.cli.main import cli

STATES = Path(__file__).resolve().parents[1] / "fixtures" / "drift_states"
DRIFT = ["drift", "--state", str(STATES / "moto.tfstate"), "--snapshot",
         str(STATES / "moto-snapshot.json.gz")]  # fmt: skip
CANARY = "CANARY-db-password-9f8e7d"


def _invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _status(report: dict[str, Any], check: str, resource: str) -> str:
    found = [
        f["status"]
        for f in report["findings"]
        if f["check_id"] == check and f["resource"]["id"] == resource
    ]
    assert len(found) == 1, (check, resource, found)
    return str(found[0])


def test_waiver_baseline_and_evidence_carry_drift(tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "waivers:\n"
        "  - check: drift_managed_resource_present_live\n"
        "    resource: aws_db_instance.main\n"
        "    reason: decommissioned, removal from code in review\n"
        "    approver: ciso@example.com\n"
        "    ticket: SEC-7\n"
        "    expires: '2099-01-01'\n"
    )
    report_path = tmp_path / "drift.json"
    result = _invoke(*DRIFT, "--waivers", str(waivers), "-o", f"json={report_path}")
    assert result.exit_code == 1, result.output
    report = json.loads(report_path.read_text())
    assert _status(report, "drift_managed_resource_present_live", "aws_db_instance.main") == (
        "skipped"
    )
    assert _status(report, "drift_resource_matches_configuration", "aws_s3_bucket.phi") == "fail"

    baseline = tmp_path / "baseline.json"
    assert _invoke("baseline", "create", str(report_path), "-o", str(baseline)).exit_code == 0
    again = _invoke(*DRIFT, "--waivers", str(waivers), "--baseline", str(baseline),
                    "-o", f"json={tmp_path / 'again.json'}")  # fmt: skip
    assert again.exit_code == 0, again.output  # every failure is in the baseline

    bundle = tmp_path / "bundle"
    exported = _invoke("evidence", "export", "--framework", "soc2", str(report_path),
                       "--no-pdf", "--out", str(bundle))  # fmt: skip
    assert exported.exit_code in (0, 1), exported.output
    pages = list((bundle / "controls" / "soc2").glob("cc8.1--*.html"))
    assert len(pages) == 1
    page = pages[0].read_text()
    assert "drift_resource_verdicts_match_configuration" in page
    assert "aws_s3_bucket.phi" in page
    for path in [*bundle.rglob("*"), report_path]:
        if path.is_file():
            assert CANARY not in path.read_text(errors="replace"), path
