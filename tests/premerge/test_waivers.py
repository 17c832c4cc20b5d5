"""Waivers: matching by glob, expiry against a fixed clock, validation."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from scanner.compliance.suppressions import evaluate_with_suppressions as evaluate
from scanner.compliance.waivers import WaiverError, load_waivers
from scanner.core.registry import load_registry
from scanner.sources.terraform import load_terraform
from tests.conftest import FIXTURES

MIXED = FIXTURES / "cli" / "mixed"
REGISTRY = load_registry()
ROTATION = REGISTRY.checks["kms_key_rotation_enabled"]


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "waivers.yaml"
    path.write_text(body)
    return path


WAIVER = """waivers:
  - check: "kms_key_*"
    resource: "aws_kms_key.not_*"
    reason: Key retired in Q1; data migrated.
    approver: ciso@example.com
    ticket: SEC-142
    expires: 2026-12-31
"""


def statuses(today: date, waivers_path: Path) -> dict[str, tuple[str, str | None]]:
    resources = load_terraform(MIXED).resources
    findings = evaluate(
        resources, [ROTATION], REGISTRY, today=today, waivers=load_waivers(waivers_path)
    )
    return {f.resource.id: (f.status.value, f.suppression_reason) for f in findings.findings}


def test_waiver_applies_by_glob_until_its_expiry_day(tmp_path: Path):
    path = write(tmp_path, WAIVER)
    status, reason = statuses(date(2026, 12, 31), path)["aws_kms_key.not_rotated"]
    assert status == "skipped"
    assert reason is not None and "SEC-142" in reason and "ciso@example.com" in reason
    # Other failures are not covered by the resource pattern.
    assert statuses(date(2026, 12, 31), path)["aws_kms_key.typo"][0] == "fail"


def test_expired_waiver_stops_applying_and_is_reported(tmp_path: Path):
    path = write(tmp_path, WAIVER)
    resources = load_terraform(MIXED).resources
    evaluation = evaluate(
        resources, [ROTATION], REGISTRY, today=date(2027, 1, 1), waivers=load_waivers(path)
    )
    by_id = {f.resource.id: f.status.value for f in evaluation.findings}
    assert by_id["aws_kms_key.not_rotated"] == "fail"
    assert any("expired on 2026-12-31" in w.message for w in evaluation.warnings)


def test_waiver_for_no_known_check_is_reported(tmp_path: Path):
    path = write(tmp_path, WAIVER.replace('"kms_key_*"', '"kms_keys_rotated"'))
    evaluation = evaluate(
        load_terraform(MIXED).resources,
        [ROTATION],
        REGISTRY,
        today=date(2026, 6, 1),
        waivers=load_waivers(path),
    )
    assert any(
        "matches no check id (did you mean 'kms_key_rotation_enabled'" in w.message
        for w in evaluation.warnings
    )


def test_waiver_whose_resource_glob_matches_nothing_is_reported(tmp_path: Path):
    path = write(tmp_path, WAIVER.replace('"aws_kms_key.not_*"', '"infra:aws_kms_key.not_*"'))
    evaluation = evaluate(
        load_terraform(MIXED).resources,
        [ROTATION],
        REGISTRY,
        today=date(2026, 6, 1),
        waivers=load_waivers(path),
    )
    messages = [w.message for w in evaluation.warnings]
    assert any(
        "waiver resource 'infra:aws_kms_key.not_*' matches none of the" in m for m in messages
    )
    assert all(f.suppressed_by != "waiver" for f in evaluation.findings)
    # The matching glob gives no such warning.
    matching = evaluate(
        load_terraform(MIXED).resources,
        [ROTATION],
        REGISTRY,
        today=date(2026, 6, 1),
        waivers=load_waivers(write(tmp_path, WAIVER)),
    )
    assert not any("matches none" in w.message for w in matching.warnings)


def test_inline_skips_can_be_forbidden():
    evaluation = evaluate(
        load_terraform(MIXED).resources,
        [ROTATION],
        REGISTRY,
        today=date(2026, 6, 1),
        allow_inline_skips=False,
    )
    by_id = {f.resource.id: f.status.value for f in evaluation.findings}
    assert by_id["aws_kms_key.accepted"] == "fail"
    assert any("forbids inline skips" in w.message for w in evaluation.warnings)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (WAIVER.replace("    ticket: SEC-142\n", ""), "missing required field"),
        (WAIVER.replace("2026-12-31", "soon"), "is not a date"),
        (WAIVER + "    owner: someone\n", "unknown field"),
        ("waivers: nope\n", "expected a mapping with a 'waivers' list"),
    ],
)
def test_malformed_waivers_are_rejected(tmp_path: Path, body: str, message: str):
    with pytest.raises(WaiverError, match=message):
        load_waivers(write(tmp_path, body))


def test_an_impossible_unquoted_date_is_a_clear_error(tmp_path: Path):
    with pytest.raises(WaiverError, match="impossible date"):
        load_waivers(write(tmp_path, WAIVER.replace("2026-12-31", "2027-02-30")))


def test_a_waiver_never_turns_a_passing_finding_into_skipped(tmp_path: Path):
    # A waiver for every key: the failing one is waived, the rotated one stays a pass.
    path = write(tmp_path, WAIVER.replace('"aws_kms_key.not_*"', '"aws_kms_key.*"'))
    found = statuses(date(2026, 12, 31), path)
    passing = [rid for rid, (status, _) in found.items() if status == "pass"]
    assert passing, "the fixture must hold a rotated (passing) key"
    assert all(found[rid][1] is None for rid in passing)  # no suppression reason either
    assert found["aws_kms_key.not_rotated"][0] == "skipped"
