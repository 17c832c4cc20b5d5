"""Every drift check against its fixture: a hand-written state (ids filled from the moto server it
seeded, tests/fixtures/drift_states/generate.py) and the snapshot of that account, offline.

tests/fixtures/<check_id>/drift/inputs.yaml names the state and snapshot; expected.yaml lists,
per status, the ids of the drift_comparison resources that must get it, exactly.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from scanner.compliance.suppressions import evaluate_with_suppressions as evaluate
from scanner.core.registry import load_registry
from scanner.drift.analysis import analyse_drift
from scanner.drift.ignore import ignore_rules
from scanner.drift.live import LiveSide
from scanner.sources.aws.snapshot import load_snapshot
from scanner.sources.terraform.state import load_terraform_state

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
STATUSES = ("pass", "fail", "unknown")
REGISTRY = load_registry()
DRIFT_CHECKS = [spec.id for spec in REGISTRY if "drift_comparison" in spec.resource_types]


def test_the_drift_checks_are_registered() -> None:
    assert len(DRIFT_CHECKS) == 4


@pytest.mark.parametrize("check_id", DRIFT_CHECKS)
def test_drift_check_matches_fixture(check_id: str) -> None:
    folder = FIXTURES / check_id
    inputs = yaml.safe_load((folder / "drift" / "inputs.yaml").read_text(encoding="utf-8"))
    expected_doc = yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8"))
    expected = {status: set(expected_doc["drift"].get(status) or []) for status in STATUSES}
    state = load_terraform_state([(folder / "drift" / inputs["state"]).resolve()])
    assert state.errors == []
    live = LiveSide.from_collection(load_snapshot(folder / "drift" / inputs["snapshot"]))
    analysis = analyse_drift(
        state.managed,
        live.resources,
        declared=None,
        specs=list(REGISTRY),
        collected_types=live.collected_types,
        accounts=live.accounts,
        regions=live.regions,
        ignore=ignore_rules(None, "defaults"),
    )
    findings = evaluate(analysis.records, [REGISTRY.checks[check_id]], REGISTRY).findings
    got: dict[str, set[str]] = {status: set() for status in STATUSES}
    for finding in findings:
        got[finding.status.value].add(finding.resource.id)
    messages = {f.resource.id: f"{f.status.value}: {f.message}" for f in findings}
    assert got == expected, messages
