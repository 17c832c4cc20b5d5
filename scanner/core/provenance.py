"""Where a scan's inputs came from: the git commit of the scanned folder, the command line."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

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


# Options whose values may carry a credential: a database URL's password, a webhook URL (which
# is itself the credential). They are recorded masked wherever the command line is kept.
STORE_OPTIONS = ("--store",)
WEBHOOK_OPTIONS = ("--notify",)
_URL_PASSWORD = re.compile(r"(://[^/:@\s]*):[^@/\s]*@")


def _mask_store(value: str) -> str:
    return _URL_PASSWORD.sub(r"\1:***@", value)


def _mask_webhook(value: str) -> str:
    kind, separator, url = value.partition("=")
    if not separator or url.startswith("env:"):
        return value
    host = urlsplit(url).hostname
    return f"{kind}={urlsplit(url).scheme}://{host}/***" if host else f"{kind}=***"


def mask_secret_arguments(arguments: Sequence[str]) -> list[str]:
    """The arguments with store passwords and webhook URLs masked."""
    out: list[str] = []
    masker = None
    for argument in arguments:
        if masker is not None and not argument.startswith("-"):
            out.append(masker(argument))
            masker = None
            continue
        masker = None
        name, separator, value = argument.partition("=")
        if name in STORE_OPTIONS or name in WEBHOOK_OPTIONS:
            mask = _mask_store if name in STORE_OPTIONS else _mask_webhook
            if separator:
                out.append(f"{name}={mask(value)}")
                continue
            masker = mask
        out.append(argument)
    return out


def command_line() -> list[str]:
    """The arguments comply was started with, credentials masked."""
    return ["comply", *mask_secret_arguments(sys.argv[1:])]
