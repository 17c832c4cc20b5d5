"""The wheel carries policies, controls and templates: installed elsewhere, comply still works."""

from __future__ import annotations

import json
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

from tests.conftest import FIXTURES, REPO_ROOT


def test_wheel_installs_and_scans_from_another_folder(tmp_path: Path):
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            dist,
            str(REPO_ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("comply-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "scanner/_bundled/controls/hipaa.yaml" in names
    assert "scanner/_bundled/controls/soc2.yaml" in names
    assert any(n.startswith("scanner/_bundled/evidence_templates/") for n in names)
    assert "policies/aws/s3.py" in names
    # The history store's migrations ship inside the package and run on open.
    assert "scanner/history/migrations/env.py" in names
    assert "scanner/history/migrations/versions/v0001_initial.py" in names

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", str(wheel)], check=True, capture_output=True
    )
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    listing = subprocess.run(
        [env_dir / "bin" / "comply", "checks", "list", "-o", "json"],
        cwd=workdir,
        capture_output=True,
        text=True,
        check=True,
    )
    assert len(json.loads(listing.stdout)["checks"]) >= 30
    scan = subprocess.run(
        [
            env_dir / "bin" / "comply",
            "scan",
            "terraform",
            FIXTURES / "cli" / "mixed",
            "-o",
            "json",
            "--no-cache",
            "--store",
            str(tmp_path / "history.db"),
        ],
        cwd=workdir,
        capture_output=True,
        text=True,
    )
    assert scan.returncode == 1, scan.stderr
    statuses = {f["status"] for f in json.loads(scan.stdout)["findings"]}
    assert {"pass", "fail", "unknown"} <= statuses
    runs = subprocess.run(
        [env_dir / "bin" / "comply", "history", "runs", "--store", tmp_path / "history.db"],
        cwd=workdir,
        capture_output=True,
        text=True,
    )
    assert runs.returncode == 0, runs.stderr
    assert " complete " in runs.stdout
