"""The README's two set-up commands: `make demo` installs only what running comply needs, with
pip's progress shown; `make test` adds the dev extra. Checked with `make -n` (what would run)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def planned(folder: Path, target: str) -> list[str]:
    out = subprocess.run(
        ["make", "-n", target], cwd=folder, capture_output=True, text=True, check=True
    ).stdout
    return [line for line in out.splitlines() if "pip install" in line]


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(REPO_ROOT / name, tmp_path / name)
    return tmp_path


def test_demo_on_a_fresh_machine_installs_the_runtime_only_with_progress(checkout: Path):
    installs = planned(checkout, "demo")
    assert installs[-1].endswith("pip install -e .")
    assert not any("[dev]" in line for line in installs)
    assert not any("--quiet" in line or " -q" in line for line in installs)


def test_test_adds_the_dev_extra_and_demo_after_test_installs_nothing(checkout: Path):
    assert any(line.endswith("pip install -e '.[dev]'") for line in planned(checkout, "test"))
    # After a dev install (its stamps newer than pyproject.toml), neither target reinstalls.
    bin_dir = checkout / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").touch()
    later = time.time() + 5
    for stamp in (".installed-dev", ".installed-runtime"):
        (checkout / ".venv" / stamp).touch()
        os.utime(checkout / ".venv" / stamp, (later, later))
    assert planned(checkout, "demo") == []
    assert planned(checkout, "test") == []


def test_runtime_install_does_not_satisfy_the_tests(checkout: Path):
    bin_dir = checkout / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").touch()
    later = time.time() + 5
    (checkout / ".venv" / ".installed-runtime").touch()
    os.utime(checkout / ".venv" / ".installed-runtime", (later, later))
    assert planned(checkout, "demo") == []
    assert planned(checkout, "test") == [".venv/bin/pip install -e '.[dev]'"]
