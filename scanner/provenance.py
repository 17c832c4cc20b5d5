"""Where a scan's inputs came from: the git commit of the scanned folder, the command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

GIT_TIMEOUT_SECONDS = 10


def _git(folder: Path, *args: str) -> str | None:
    try:
        completed = subprocess.run(
            ["git", *args],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return completed.stdout.strip() if completed.returncode == 0 else None


def repository_state(folder: Path) -> dict[str, Any]:
    """The commit and whether the work tree had uncommitted changes; empty outside git."""
    folder = folder if folder.is_dir() else folder.parent
    commit = _git(folder, "rev-parse", "HEAD")
    if commit is None:
        return {}
    status = _git(folder, "status", "--porcelain", "--", ".")
    return {"commit": commit, "dirty": bool(status)}


def command_line() -> list[str]:
    """The arguments comply was started with (secrets are never passed as arguments)."""
    return ["comply", *sys.argv[1:]]
