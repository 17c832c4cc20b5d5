"""Run the real command line as an unprivileged user, so that file permissions really apply.

The tests run as root, and root reads every file: a chmod-0 folder is only unreadable for
someone else. `setpriv` drops to `nobody` for one child process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, CompletedScan

NOBODY = 65534


def _others_can_reach(path: Path) -> bool:
    """Every folder from / down to `path` is searchable by others (a checkout or virtualenv
    under a 0700 folder, such as a `mktemp -d` clone, cannot be run as nobody)."""
    return all(os.stat(folder).st_mode & 0o001 for folder in [*path.parents, path])


needs_setpriv = pytest.mark.skipif(
    os.geteuid() != 0
    or shutil.which("setpriv") is None
    or not _others_can_reach(REPO_ROOT)
    or not _others_can_reach(Path(sys.executable).parent),
    reason="needs root, setpriv, and a checkout and Python that nobody can reach",
)


def world_readable_dir() -> Path:
    """A folder nobody can reach (pytest's tmp_path sits under a 0700 folder)."""
    folder = Path(tempfile.mkdtemp(prefix="comply-nobody-"))
    folder.chmod(0o755)
    return folder


def run_comply_as_nobody(*args: str | Path) -> CompletedScan:
    home = world_readable_dir()
    process = subprocess.run(
        [
            "setpriv",
            f"--reuid={NOBODY}",
            f"--regid={NOBODY}",
            "--clear-groups",
            sys.executable,
            "-m",
            "scanner",
            *map(str, args),
        ],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "HOME": str(home), "PYTHONPATH": str(REPO_ROOT)},
    )
    return CompletedScan(process.returncode, process.stdout, process.stderr)
