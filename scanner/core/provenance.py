"""Where a scan's inputs came from: the git commit of the scanned folder, the command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from scanner.core.git import GitError, run_git

GIT_TIMEOUT_SECONDS = 10


def _git(folder: Path, *args: str) -> str | None:
    try:
        return run_git(folder, *args, timeout=GIT_TIMEOUT_SECONDS).strip()
    except GitError:
        return None  # not a repository, or no git: provenance is simply not recorded


def repository_root(path: Path) -> Path | None:
    """The top folder of the git work tree holding `path`; None outside git (or without git)."""
    folder = path if path.is_dir() else path.parent
    top = _git(folder, "rev-parse", "--show-toplevel")
    return Path(top) if top else None


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
