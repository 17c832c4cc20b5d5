"""Attestation files: validation errors name the file and entry; expiry against a fixed clock."""

from __future__ import annotations

from datetime import date

import pytest

from scanner.compliance.attestations import AttestationError, best_attestation, load_attestations
from scanner.compliance.catalog import load_catalog
from scanner.core.model import ControlRef
from scanner.core.registry import load_registry
from tests.conftest import FIXTURES

ATTESTATIONS = FIXTURES / "controls" / "attestations"


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(load_registry())


def test_valid_file_loads_with_dates_and_evidence(catalog):
    attestations, warnings = load_attestations(ATTESTATIONS / "valid.yaml", catalog)
    risk, conduct = attestations
    assert risk.control == ControlRef("hipaa", "164.308(a)(1)(ii)(A)")
    assert risk.date == date(2026, 1, 15) and risk.expires == date(2027, 1, 15)
    assert risk.evidence[1].startswith("https://")
    assert conduct.control == ControlRef("soc2", "CC1.1")
    # The URL and the existing file are fine; only the missing local file is reported.
    assert [w.message for w in warnings] == [
        "valid.yaml entry 2 (soc2:CC1.1): evidence file "
        "'evidence/missing-code-of-conduct.pdf' does not exist; the attestation does not count "
        "until it does"
    ]


def test_an_attestation_whose_evidence_file_is_missing_does_not_count(catalog):
    risk, conduct = load_attestations(ATTESTATIONS / "valid.yaml", catalog)[0]
    today = date(2025, 6, 1)  # inside both attestations' dates
    assert conduct.date <= today <= conduct.expires
    assert conduct.missing_evidence == ("evidence/missing-code-of-conduct.pdf",)
    assert conduct.is_current(today) is False
    assert "evidence file 'evidence/missing-code-of-conduct.pdf' does not exist" in (
        conduct.status_on(today)
    )
    assert risk.missing_evidence == ()  # its local evidence file exists


def test_rollup_leaves_a_control_with_missing_evidence_incomplete(catalog):
    from dataclasses import replace

    from scanner.compliance.attestations import attestations_by_control
    from scanner.compliance.catalog import Scope
    from scanner.compliance.rollup import ControlState, rollup_controls

    def conduct_state(attestations):
        statuses = rollup_controls(
            catalog,
            [],
            today=date(2025, 6, 1),  # inside the attestation's dates
            scope=Scope(frameworks=("soc2",)),
            attestations=attestations_by_control(attestations),
        )
        return next(s for s in statuses if s.control.id == "CC1.1").state

    attestations = load_attestations(ATTESTATIONS / "valid.yaml", catalog)[0]
    assert conduct_state(attestations) is ControlState.INCOMPLETE
    # The same attestation with its evidence present is what makes the control attested.
    with_evidence = [replace(a, missing_evidence=()) for a in attestations]
    assert conduct_state(with_evidence) is ControlState.ATTESTED


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("unknown_control.yaml", r"unknown_control\.yaml entry 1: no control '164\.399\(z\)'"),
        ("bad_date.yaml", r"entry 1 .*date 'last tuesday' is not a date"),
        ("expiry_before_date.yaml", r"expires 2026-04-30 is before date 2026-05-01"),
        ("missing_owner.yaml", r"entry 1: missing required field 'owner'"),
    ],
)
def test_invalid_files_are_rejected_with_a_clear_message(catalog, name, message):
    with pytest.raises(AttestationError, match=message):
        load_attestations(ATTESTATIONS / name, catalog)


@pytest.mark.parametrize(
    ("today", "current"),
    [
        (date(2026, 1, 14), False),  # signed tomorrow: not yet
        (date(2026, 1, 15), True),
        (date(2027, 1, 15), True),  # the expiry day itself still counts
        (date(2027, 1, 16), False),
    ],
)
def test_expiry_against_a_fixed_clock(catalog, today, current):
    risk = load_attestations(ATTESTATIONS / "valid.yaml", catalog)[0][0]
    assert risk.is_current(today) is current


def test_best_attestation_prefers_a_current_one(catalog):
    risk, conduct = load_attestations(ATTESTATIONS / "valid.yaml", catalog)[0]
    assert best_attestation([conduct, risk], date(2026, 6, 1)) is risk
    assert best_attestation([], date(2026, 6, 1)) is None
