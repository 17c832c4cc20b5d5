"""controls/engines/checkov.yaml: valid, and complete for the installed checkov."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scanner.compliance.catalog import load_catalog
from scanner.core.registry import load_registry
from scanner.engines.checkov_mapping import (
    DEFAULT_MAPPING,
    MappingError,
    load_checkov_mapping,
)

IN_SCOPE = re.compile(r"^(CKV2?_AWS|CKV2?_K8S|CKV_SECRET)_\d+$")


def _known_controls():
    catalog = load_catalog(load_registry())
    return {control.ref for control in catalog.controls()}


def test_the_shipped_mapping_cites_only_controls_comply_knows() -> None:
    mapping = load_checkov_mapping(known_controls=_known_controls())
    assert mapping.mapped["CKV_AWS_42"].severity.value == "high"
    assert {(c.framework, c.id) for c in mapping.mapped["CKV_AWS_42"].controls} == {
        ("hipaa", "164.312(a)(2)(iv)"),
        ("soc2", "CC6.1"),
    }
    assert all(entry.rationale for entry in mapping.mapped.values())
    assert all(reason for reason in mapping.unmapped.values())


def test_every_installed_aws_kubernetes_and_secrets_id_is_mapped_or_listed(
    checkov_ids: frozenset[str],
) -> None:
    ids = checkov_ids
    in_scope = {i for i in ids if IN_SCOPE.match(i)}
    assert len(in_scope) > 500, "checkov --list printed fewer ids than it ships"
    mapping = load_checkov_mapping()
    missing = sorted(i for i in in_scope if not (i in mapping.mapped or i in mapping.unmapped))
    assert missing == [], f"ids neither mapped nor listed as unmapped: {missing}"
    uncovered = sorted(i for i in ids if i.startswith("CKV") and not mapping.covers(i))
    assert uncovered == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("mapped:\n  NOT_AN_ID: {}\n", "is not a checkov id"),
        (
            "mapped:\n  CKV_AWS_1: {severity: urgent, hipaa: ['164.312(b)'], rationale: x}\n",
            "unknown severity 'urgent'",
        ),
        ("mapped:\n  CKV_AWS_1: {severity: high, hipaa: ['164.312(b)']}\n", "needs a one-line"),
        ("mapped:\n  CKV_AWS_1: {severity: high, rationale: x}\n", "mapped to no control"),
        (
            "mapped:\n  CKV_AWS_1: {severity: high, soc2: [CC99.9], rationale: x}\n",
            "unknown control.*soc2 CC99.9",
        ),
        ("unmapped:\n  CKV_AWS_1: ''\n", "needs a reason"),
        (
            "mapped:\n  CKV_AWS_1: {severity: high, soc2: [CC6.1], rationale: x}\n"
            "unmapped:\n  CKV_AWS_1: why\n",
            "both mapped and unmapped",
        ),
    ],
)
def test_a_malformed_mapping_is_an_error_naming_the_file_and_id(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "checkov.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MappingError, match=message) as raised:
        load_checkov_mapping(path, known_controls=_known_controls())
    assert str(path) in str(raised.value)


def test_the_shipped_file_is_the_default() -> None:
    assert DEFAULT_MAPPING.name == "checkov.yaml" and DEFAULT_MAPPING.is_file()
