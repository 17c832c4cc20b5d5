"""Examples in docs/ run as written: a page whose example stops working fails here."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli.main import cli
from scanner.premerge.config import load_config
from tests.conftest import REPO_ROOT

DOCS = REPO_ROOT / "docs"


def fenced(page: str, language: str) -> list[str]:
    text = (DOCS / page).read_text(encoding="utf-8")
    return re.findall(rf"```{language}\n(.*?)```", text, re.S)


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_writing_checks_example_works_when_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = fenced("writing-checks.md", "python")[0]
    (tmp_path / "our-policies").mkdir()
    (tmp_path / "our-policies" / "kms.py").write_text(code)
    shutil.copytree(REPO_ROOT / "examples" / "terraform", tmp_path / "infra")
    monkeypatch.chdir(tmp_path)
    commands = [shlex.split(line) for line in fenced("writing-checks.md", "sh")[0].splitlines()]
    assert [words[:3] for words in commands] == [
        ["comply", "scan", "terraform"],
        ["comply", "checks", "show"],
    ]
    scan = run(*commands[0][1:], "-o", "json", "--no-cache")
    assert scan.exit_code == 1, scan.output  # the 7-day key fails
    import json

    findings = json.loads(scan.output)["findings"]
    assert {f["check_id"] for f in findings} == {"kms_key_deletion_window_at_least_14_days"}
    assert {f["resource"]["id"] for f in findings if f["status"] == "fail"} == {
        "aws_kms_key.reporting"
    }
    assert len([f for f in findings if f["status"] == "pass"]) >= 2
    shown = run(*commands[1][1:])
    assert shown.exit_code == 0, shown.output
    assert "set `deletion_window_in_days = 30`" in shown.output


def test_configuration_example_is_a_valid_config_file(tmp_path: Path) -> None:
    example = next(b for b in fenced("configuration.md", "yaml") if "# .comply.yaml" in b)
    path = tmp_path / ".comply.yaml"
    path.write_text(example)
    config = load_config(path)  # unknown keys or wrong types would raise
    assert config.values["regions"] == ["us-east-1", "eu-west-1"]
    assert config.values["severity_threshold"] == "high"
