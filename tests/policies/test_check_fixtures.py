"""Every built-in check against its Terraform fixture: the exact pass/fail/unknown sets.

tests/fixtures/<check_id>/terraform/*.tf holds named resources; expected.yaml lists, per status,
the resource ids that must get it. Every finding must be listed: an unlisted resource of the
check's types, or a listed one without a finding, fails the test.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from scanner.compliance.suppressions import evaluate_with_suppressions as evaluate
from scanner.core.registry import load_registry
from scanner.sources.terraform import load_terraform

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
STATUSES = ("pass", "fail", "unknown")
REGISTRY = load_registry()


# Checks over AWS types run on Terraform; Kubernetes checks have their own fixture test.
TERRAFORM_CHECKS = [
    spec.id
    for spec in REGISTRY
    if any(t.startswith("aws_") for t in spec.resource_types)
    and (not spec.sources or "terraform" in spec.sources)
]


@pytest.mark.parametrize("check_id", TERRAFORM_CHECKS)
def test_check_matches_terraform_fixture(check_id: str) -> None:
    spec = REGISTRY.checks[check_id]
    folder = FIXTURES / check_id
    expected_doc = yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8"))
    expected = {status: set(expected_doc["terraform"].get(status) or []) for status in STATUSES}

    loaded = load_terraform(folder / "terraform")
    assert not loaded.errors, [error.to_dict() for error in loaded.errors]

    findings = evaluate(loaded.resources, [spec], REGISTRY).findings
    got: dict[str, set[str]] = {status: set() for status in STATUSES}
    unexpected = []
    for finding in findings:
        if finding.status.value in got:
            got[finding.status.value].add(finding.resource.id)
        else:
            unexpected.append((finding.resource.id, finding.status.value, finding.message))
    assert not unexpected, f"findings with statuses other than pass/fail/unknown: {unexpected}"
    messages = {f.resource.id: f"{f.status.value}: {f.message}" for f in findings}
    assert got == expected, f"messages: {messages}"
