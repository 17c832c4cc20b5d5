"""`.comply.yaml`: discovery, precedence (flags win), validation with the key's name."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from tests.conftest import FIXTURES

MIXED = FIXTURES / "cli" / "mixed"


def repo_with_config(tmp_path: Path, config: str) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(MIXED, repo / "infra")
    (repo / ".comply.yaml").write_text(config)
    return repo


def test_config_is_discovered_upwards_and_applied(comply, tmp_path: Path):
    repo = repo_with_config(
        tmp_path,
        "frameworks: [hipaa]\nseverity_threshold: critical\noutputs: [json]\n",
    )
    result = comply("scan", "terraform", repo / "infra", "--no-cache")
    # json to stdout from the config; the medium-severity failures are below `critical`.
    assert result.exit_code == 0, result.stderr
    document = result.json()
    assert {c["framework"] for c in document["controls"]} == {"hipaa"}
    assert document["summary"]["fail"] >= 1


def test_command_line_overrides_the_config(comply, tmp_path: Path):
    repo = repo_with_config(tmp_path, "severity_threshold: critical\noutputs: [json]\n")
    result = comply(
        "scan", "terraform", repo / "infra", "--severity-threshold", "low", "--no-cache"
    )
    assert result.exit_code == 1


def test_unknown_key_is_an_error_naming_it(comply, tmp_path: Path):
    repo = repo_with_config(tmp_path, "severity: high\n")
    result = comply("scan", "terraform", repo / "infra")
    assert result.exit_code == 2
    assert "unknown key 'severity'" in result.stderr


def test_bad_value_is_an_error_naming_it(comply, tmp_path: Path):
    repo = repo_with_config(tmp_path, "soft_fail: sometimes\n")
    result = comply("scan", "terraform", repo / "infra")
    assert result.exit_code == 2
    assert "soft_fail must be true or false" in result.stderr
    repo2 = repo_with_config(tmp_path / "b", "severity_threshold: severe\n")
    result = comply("scan", "terraform", repo2 / "infra")
    assert result.exit_code == 2
    assert "severity_threshold must be one of" in result.stderr


def test_paths_in_config_are_relative_to_the_config_file(comply, tmp_path: Path):
    repo = repo_with_config(
        tmp_path,
        "policies: [policies]\noutputs: [json]\nallow_inline_skips: false\n",
    )
    shutil.copytree(FIXTURES / "cli" / "user_policies", repo / "policies")
    document = comply("scan", "terraform", repo / "infra", "--no-cache").json()
    assert "kms_key_description_present" in {f["check_id"] for f in document["findings"]}
    rotation = {
        f["resource"]["id"]: f["status"]
        for f in document["findings"]
        if f["check_id"] == "kms_key_rotation_enabled"
    }
    assert rotation["aws_kms_key.accepted"] == "fail"  # inline skips forbidden by the config


def test_explicit_config_flag_and_config_show(comply, tmp_path: Path):
    config = tmp_path / "ci.yaml"
    config.write_text("frameworks: [soc2]\nwaivers: waivers.yaml\n")
    (tmp_path / "waivers.yaml").write_text("waivers: []\n")
    shown = comply("config", "show", MIXED, "--config", config)
    assert shown.exit_code == 0, shown.stderr
    data = yaml.safe_load(shown.stdout)
    assert data["config_file"] == str(config)
    assert data["settings"]["frameworks"] == ["soc2"]
    assert data["settings"]["waivers"] == str(tmp_path / "waivers.yaml")
    assert data["settings"]["severity_threshold"] == "info"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ("policies: [no_such_folder]\n", "no_such_folder does not exist"),
        ("frameworks: [hipaa2]\n", "hipaa2"),
        ("checks: [s3_bucket_encrypted]\n", "s3_bucket_encrypted"),
        ("waivers: missing.yaml\n", "missing.yaml"),
        ("baseline: missing.json\n", "missing.json"),
        ("outputs: [pdf]\n", "unknown format 'pdf'"),
        ("var_files: [prod.tfvars]\n", "prod.tfvars"),
    ],
)
def test_config_show_rejects_what_the_scan_rejects(comply, tmp_path: Path, settings, message):
    repo = repo_with_config(tmp_path, settings)
    shown = comply("config", "show", repo / "infra")
    assert shown.exit_code == 2, shown.stdout
    assert message in shown.stderr
    scanned = comply("scan", "terraform", repo / "infra", "--no-cache")
    assert scanned.exit_code == 2  # the scan refuses the same settings
