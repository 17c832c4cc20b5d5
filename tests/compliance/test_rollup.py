"""Control roll-up truth table: fail > unknown/error > attested > pass; never satisfied on gaps."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from scanner.compliance.attestations import Attestation
from scanner.compliance.catalog import Control
from scanner.compliance.rollup import ControlState, control_state
from scanner.core.model import ControlRef, Status

TODAY = date(2026, 11, 26)


def control(automation: str) -> Control:
    return Control(
        framework="hipaa",
        id="164.312(b)",
        title="Audit controls",
        requirement="Record and examine activity.",
        automation=automation,
        checks=("cloudtrail_trail_multi_region_enabled",),
        manual_evidence=("Log review procedure",),
    )


def attestation(expires: date) -> Attestation:
    return Attestation(
        control=ControlRef("hipaa", "164.312(b)"),
        statement="Logs are reviewed weekly.",
        owner="secops@example.com",
        date=date(2026, 1, 1),
        expires=expires,
        evidence=(),
        source="test",
    )


CURRENT = attestation(date(2027, 1, 1))
LAPSED = attestation(date(2026, 6, 30))


@pytest.mark.parametrize(
    ("automation", "counts", "attested_by", "expected"),
    [
        # a failure beats everything, attestation included
        ("partial", {Status.FAIL: 1, Status.UNKNOWN: 1, Status.PASS: 3}, CURRENT, "not_satisfied"),
        ("automated", {Status.FAIL: 1, Status.ERROR: 1}, None, "not_satisfied"),
        # unknown or error beats an attestation and passes
        ("partial", {Status.UNKNOWN: 1, Status.PASS: 3}, CURRENT, "incomplete"),
        ("automated", {Status.ERROR: 1, Status.PASS: 3}, None, "incomplete"),
        # attested beats pass for a control with a manual part
        ("partial", {Status.PASS: 3}, CURRENT, "attested"),
        ("manual", {}, CURRENT, "attested"),
        # a manual part without a current attestation is never satisfied
        ("partial", {Status.PASS: 3}, None, "incomplete"),
        ("partial", {Status.PASS: 3}, LAPSED, "incomplete"),
        ("manual", {}, None, "incomplete"),
        ("partial", {}, None, "incomplete"),
        # fully automated
        ("automated", {Status.PASS: 3}, None, "satisfied"),
        ("automated", {Status.PASS: 2, Status.SKIPPED: 1}, None, "satisfied"),
        ("automated", {Status.SKIPPED: 2}, None, "incomplete"),
        ("automated", {}, None, "not_applicable"),
    ],
)
def test_truth_table(automation, counts, attested_by, expected):
    state, reason = control_state(control(automation), Counter(counts), attested_by, TODAY)
    assert state is ControlState(expected), reason


def test_lapsed_attestation_says_what_is_missing():
    state, reason = control_state(control("manual"), Counter(), LAPSED, TODAY)
    assert state is ControlState.INCOMPLETE
    assert "expired on 2026-06-30" in reason and "Log review procedure" in reason
