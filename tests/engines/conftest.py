from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, CompletedScan

CHECKOV_FIXTURES = REPO_ROOT / "tests" / "fixtures" / "engines" / "checkov"


def real_checkov() -> Path | None:
    """The checkov CI installs (.ci/run exports COMPLY_CHECKOV), or one on PATH."""
    configured = os.environ.get("COMPLY_CHECKOV")
    if configured and Path(configured).is_file():
        return Path(configured)
    found = shutil.which("checkov")
    return Path(found) if found else None


def fake_checkov(folder: Path, body: str) -> Path:
    """An executable `checkov` that runs `body` (shell) instead of scanning."""
    script = folder / "checkov"
    script.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def run_comply_with(
    *args: str | Path,
    checkov: Path | None,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> CompletedScan:
    environment = {
        **(env or {}),
        "PATH": "/usr/bin:/bin",
        "HOME": str(REPO_ROOT / ".pytest_cache" / "home"),
        "PYTHONPATH": str(REPO_ROOT),
    }
    if checkov is not None:
        environment["COMPLY_CHECKOV"] = str(checkov)
    process = subprocess.run(
        [sys.executable, "-m", "scanner", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
        env=environment,
    )
    return CompletedScan(process.returncode, process.stdout, process.stderr)


@pytest.fixture
def installed_checkov() -> Path:
    found = real_checkov()
    if found is None:
        pytest.skip("checkov is not installed (set COMPLY_CHECKOV; .ci/run installs it)")
    return found
