"""Each Terraform expansion/evaluation rule, judged end to end: a fixture folder per rule under
tests/fixtures/terraform_rules/<rule>/ (main.tf and its modules) and expected.yaml with, per
check, the exact resource ids that pass, fail and are unknown. Every rule has all three.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from scanner.compliance.suppressions import evaluate_with_suppressions as evaluate
from scanner.core.registry import load_registry
from scanner.sources.terraform import load_terraform

RULES = Path(__file__).resolve().parents[2] / "fixtures" / "terraform_rules"
STATUSES = ("pass", "fail", "unknown")
REGISTRY = load_registry()


def _rules() -> list[str]:
    return sorted(p.name for p in RULES.iterdir() if (p / "expected.yaml").is_file())


@pytest.mark.parametrize("rule", _rules())
def test_rule_fixture(rule: str) -> None:
    folder = RULES / rule
    expected_doc = yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8"))
    loaded = load_terraform(folder)
    assert not loaded.errors, [error.to_dict() for error in loaded.errors]
    for check_id, sets in expected_doc.items():
        expected = {status: set(sets.get(status) or []) for status in STATUSES}
        assert all(expected.values()), f"{rule}/{check_id}: every rule shows pass, fail, unknown"
        spec = REGISTRY.checks[check_id]
        findings = evaluate(loaded.resources, [spec], REGISTRY).findings
        got: dict[str, set[str]] = {status: set() for status in STATUSES}
        for finding in findings:
            got.setdefault(finding.status.value, set()).add(finding.resource.id)
        messages = {f.resource.id: f"{f.status.value}: {f.message}" for f in findings}
        assert got == expected, f"{rule}/{check_id}: {messages}"
