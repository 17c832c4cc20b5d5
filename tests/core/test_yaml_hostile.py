"""The user's YAML files under hostile input: alias bombs, duplicate keys, typos, blank fields
(issue 11). Every fixture is a small real file under tests/fixtures/hostile/."""

from __future__ import annotations

import os

import pytest

from scanner.compliance.attestations import AttestationError, load_attestations
from scanner.compliance.catalog import load_catalog
from scanner.compliance.waivers import WaiverError, load_waivers
from scanner.core.model import ScanWarning
from scanner.core.registry import load_registry
from scanner.core.yaml_files import YamlFileError, load_yaml_file
from scanner.premerge.config import ConfigError, load_config
from scanner.sources.kubernetes import load_kubernetes
from tests.conftest import FIXTURES

HOSTILE = FIXTURES / "hostile"


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(load_registry())


def test_alias_bomb_in_a_manifest_is_an_error_and_the_next_document_loads():
    result = load_kubernetes([HOSTILE / "alias-bomb-manifest.yaml"], kustomize=False)
    assert [(e.target, e.line) for e in result.errors] == [("alias-bomb-manifest.yaml", 1)]
    assert "more than 1,000,000 nodes once its aliases are expanded" in result.errors[0].message
    assert [r.id for r in result.resources] == ["Namespace/survives"]


@pytest.mark.parametrize(
    ("load", "error"),
    [
        (lambda path, catalog: load_waivers(path), WaiverError),
        (lambda path, catalog: load_attestations(path, catalog), AttestationError),
        (lambda path, catalog: load_config(path), ConfigError),
    ],
    ids=["waivers", "attestations", "config"],
)
def test_alias_bombs_in_the_users_yaml_files_are_errors_naming_the_file(catalog, load, error):
    kind = {WaiverError: "waivers", AttestationError: "attestations", ConfigError: "config"}
    path = HOSTILE / f"alias-bomb-{kind[error]}.yaml"
    with pytest.raises(error) as raised:
        load(path, catalog)
    assert str(raised.value).startswith(f"{path}: line 1: document expands to more than")


def test_a_yaml_file_that_is_a_fifo_is_an_error_not_a_hang(tmp_path):
    fifo = tmp_path / "waivers.yaml"
    os.mkfifo(fifo)
    with pytest.raises(YamlFileError, match="not a regular file"):
        load_yaml_file(fifo)


def test_whitespace_only_waiver_reason_is_rejected():
    with pytest.raises(WaiverError, match=r"entry 1: missing required field\(s\) reason"):
        load_waivers(HOSTILE / "whitespace-waiver.yaml")


@pytest.mark.parametrize("field", ["statement", "owner"])
def test_whitespace_only_attestation_fields_are_rejected(tmp_path, catalog, field):
    text = (HOSTILE / "typo-attestations.yaml").read_text().replace("evidance", "evidence")
    text = text.replace(
        "Risk analysis performed." if field == "statement" else "security-officer@example.com",
        '"  "',
    )
    path = tmp_path / "attestations.yaml"
    path.write_text(text)
    with pytest.raises(AttestationError, match=f"missing required field '{field}'"):
        load_attestations(path, catalog)


def test_unknown_attestation_key_is_an_error_naming_file_and_key(catalog):
    with pytest.raises(AttestationError) as raised:
        load_attestations(HOSTILE / "typo-attestations.yaml", catalog)
    message = str(raised.value)
    assert message.startswith("typo-attestations.yaml entry 1")
    assert "unknown field(s) 'evidance'" in message


def test_duplicate_waiver_key_is_a_warning_naming_key_and_lines():
    warnings: list[ScanWarning] = []
    waivers = load_waivers(HOSTILE / "duplicate-key-waivers.yaml", warnings)
    assert waivers[0].expires.isoformat() == "2099-01-01"  # YAML's rule: the last one
    assert [(w.target, w.line) for w in warnings] == [
        (str(HOSTILE / "duplicate-key-waivers.yaml"), 8)
    ]
    assert "'expires' is written twice in one mapping (lines 7 and 8)" in warnings[0].message


def test_duplicate_key_without_a_warnings_channel_is_an_error(tmp_path):
    path = tmp_path / ".comply.yaml"
    path.write_text("soft_fail: false\nsoft_fail: true\n")
    with pytest.raises(ConfigError, match=r"line 2: key 'soft_fail' is written twice"):
        load_config(path)


def test_duplicate_key_in_a_manifest_is_a_warning_naming_key_and_line():
    result = load_kubernetes([HOSTILE / "duplicate-key-manifest.yaml"], kustomize=False)
    assert result.errors == []
    assert [(w.target, w.line) for w in result.warnings] == [("duplicate-key-manifest.yaml", 12)]
    assert "'privileged' is written twice in one mapping (lines 10 and 12)" in (
        result.warnings[0].message
    )
    container = result.resources[0].attributes["containers"][0]
    assert container["securityContext"]["privileged"] is True  # judged on what YAML keeps
