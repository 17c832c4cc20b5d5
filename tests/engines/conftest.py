from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


def fake_checkov(folder: Path, body: str, *, version: str | None = None) -> Path:
    """An executable `checkov` that runs `body` (shell) instead of scanning; with `version`, it
    answers `--version` with it."""
    script = folder / "checkov"
    answer = f'if [ "$1" = --version ]; then echo {version}; exit 0; fi\n' if version else ""
    script.write_text(f"#!/bin/sh\n{answer}{body}\n", encoding="utf-8")
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


@pytest.fixture(scope="session")
def installed_checkov() -> Path:
    found = real_checkov()
    if found is None:
        pytest.skip("checkov is not installed (set COMPLY_CHECKOV; .ci/run installs it)")
    return found


@pytest.fixture(scope="session")
def checkov_ids(installed_checkov: Path) -> frozenset[str]:
    """Every check id `checkov --list` prints for the frameworks comply runs. Once per session:
    the listing costs a checkov start and 10-30 s."""
    listing = subprocess.run(
        [str(installed_checkov), "--list", "--framework", "terraform", "kubernetes", "secrets"],
        capture_output=True,
        text=True,
        timeout=300,
        env={"BC_SKIP_MAPPING": "TRUE", "PATH": "/usr/bin:/bin"},
        check=False,
    ).stdout
    return frozenset(
        cells[2]
        for line in listing.splitlines()
        if len(cells := [c.strip() for c in line.split("|")]) > 6
    )


@dataclass(frozen=True)
class RealScan:
    """One scan with the real checkov, shared by the tests that read it (a checkov run costs
    seconds): its JSON report, and the environment that reuses its checkov cache."""

    scan: CompletedScan
    report: Path
    env: dict[str, str]

    def document(self) -> dict[str, Any]:
        return json.loads(self.report.read_text(encoding="utf-8"))


def real_scan(
    checkov: Path, folder: Path, source: str, target: Path, *extra: str | Path
) -> RealScan:
    env = {"XDG_CACHE_HOME": str(folder / "cache")}
    report = folder / "report.json"
    scan = run_comply_with(
        "scan",
        source,
        target,
        "--engine",
        "checkov",
        "-o",
        f"json={report}",
        *extra,
        checkov=checkov,
        env=env,
    )
    assert scan.exit_code in (0, 1), scan.stderr
    return RealScan(scan, report, env)


@pytest.fixture(scope="session")
def real_terraform(installed_checkov: Path, tmp_path_factory: pytest.TempPathFactory) -> RealScan:
    """The real checkov and comply on tests/fixtures/engines/checkov/terraform."""
    folder = tmp_path_factory.mktemp("real-terraform")
    return real_scan(installed_checkov, folder, "terraform", CHECKOV_FIXTURES / "terraform")
