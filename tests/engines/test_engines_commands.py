"""`comply engines list|install`."""

from __future__ import annotations

import sys
from pathlib import Path

from scanner.engines.installs import PINNED, install_command
from tests.engines.conftest import fake_checkov, run_comply_with


def test_list_shows_a_missing_engine() -> None:
    result = run_comply_with("engines", "list", checkov=None)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("checkov\tnot installed\tversion - (pinned 3.3.30)")


def test_list_shows_the_version_and_whether_it_is_the_pinned_one(tmp_path: Path) -> None:
    pinned = fake_checkov(tmp_path, f"echo {PINNED['checkov']}")
    result = run_comply_with("engines", "list", checkov=pinned)
    assert result.stdout.split("\t")[:3] == ["checkov", "ready", "version 3.3.30 (pinned 3.3.30)"]
    other = fake_checkov(tmp_path, "echo 9.9.9")
    result = run_comply_with("engines", "list", checkov=other)
    assert result.stdout.split("\t")[1] == "ready (untested version)"
    broken = fake_checkov(tmp_path, "echo 'ImportError: no module' >&2; exit 1")
    result = run_comply_with("engines", "list", checkov=broken)
    assert result.stdout.split("\t")[1] == "broken"
    assert "ImportError: no module" in result.stdout


def test_install_makes_a_venv_in_the_data_folder_and_pins_the_version(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    venv, pip = install_command("checkov")
    target = tmp_path / "comply" / "engines" / "checkov"
    assert venv == [sys.executable, "-m", "venv", "--clear", str(target)]
    assert pip == [str(target / "bin" / "pip"), "install", "--quiet", "checkov==3.3.30"]


def test_the_pin_is_the_version_the_mapping_was_generated_from() -> None:
    from scanner.engines.checkov_mapping import load_checkov_mapping

    assert load_checkov_mapping().engine_version == PINNED["checkov"]
    ci = (Path(__file__).resolve().parents[2] / ".ci" / "run").read_text(encoding="utf-8")
    assert f"checkov=={PINNED['checkov']}" in ci
