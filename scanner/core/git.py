"""Running git: a list of arguments (never a shell), a timeout, and one error type."""

from __future__ import annotations

import subprocess
from pathlib import Path

GIT_TIMEOUT_SECONDS = 60


class GitError(Exception):
    """git is missing, timed out, or said no (not a repository, unknown revision, ...)."""


def run_git(folder: Path, *args: str, timeout: float = GIT_TIMEOUT_SECONDS) -> str:
    """git's standard output, or GitError with what git said."""
    try:
        completed = subprocess.run(
            ["git", *args],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitError(f"git {' '.join(args)} failed: {exc}") from exc
    if completed.returncode != 0:
        raise GitError(f"git {' '.join(args[:2])}: {completed.stderr.strip() or 'failed'}")
    return completed.stdout
