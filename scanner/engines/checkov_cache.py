"""checkov's results cached by the content of the file set it scanned: an unchanged re-run (the
same PR pushed again) costs a hash of the files instead of a checkov run.

The key is checkov's version (checkov_runner.installed_version), the content of every file under
the scanned path (checkov's secrets framework reads them all) with their relative paths, and the
options checkov runs with. A reinstall of the same version hits; another version misses. The
version is remembered per executable (path, size, modification time), so a reinstall asks once
more and nothing else does. Only successful runs are stored; an unreadable entry is a miss.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path

from scanner.core.atomic_files import atomic_text_output
from scanner.engines.checkov_runner import CheckovResult

_SKIPPED_FOLDERS = {".git", ".terraform"}
_FORMAT = 2
_VERSIONS = "versions.json"


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "comply" / "checkov"


def file_set_digest(scanned: Path) -> str:
    """The content and relative names of every file under `scanned` (or of the one file)."""
    digest = hashlib.sha256()
    files = [scanned] if scanned.is_file() else _files(scanned)
    for path in files:
        name = path.name if scanned.is_file() else path.relative_to(scanned).as_posix()
        digest.update(name.encode("utf-8", "surrogateescape") + b"\0")
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        digest.update(b"\0")
    return digest.hexdigest()


def results_key(file_set: str, version: str, options: Sequence[str]) -> str:
    text = "\0".join([str(_FORMAT), version, file_set, *options])
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def _files(folder: Path) -> list[Path]:
    found: list[Path] = []
    for current, folders, names in os.walk(folder):
        folders[:] = sorted(f for f in folders if f not in _SKIPPED_FOLDERS)
        found.extend(Path(current) / name for name in sorted(names))
    return [path for path in found if path.is_file()]


def _executable_key(executable: Path) -> str:
    resolved = executable.resolve()
    info = resolved.stat()
    return f"{resolved}\0{info.st_size}\0{info.st_mtime_ns}"


def remembered_version(cache_dir: Path, executable: Path) -> str | None:
    """The version this very executable reported before, or None (never asked, or changed)."""
    try:
        known = json.loads((cache_dir / _VERSIONS).read_text(encoding="utf-8"))
        version = known.get(_executable_key(executable)) if isinstance(known, dict) else None
    except (OSError, ValueError):
        return None
    return version if isinstance(version, str) else None


def remember_version(cache_dir: Path, executable: Path, version: str) -> None:
    path = cache_dir / _VERSIONS
    try:
        known = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    if not isinstance(known, dict):
        known = {}
    try:
        known[_executable_key(executable)] = version
        cache_dir.mkdir(parents=True, exist_ok=True)
        with atomic_text_output(path) as handle:
            json.dump(known, handle)
    except OSError:
        pass  # the next run asks checkov again


def load(cache_dir: Path, key: str) -> list[CheckovResult] | None:
    try:
        entries = json.loads((cache_dir / f"{key}.json").read_text(encoding="utf-8"))
        return [CheckovResult(**entry) for entry in entries]
    except (OSError, ValueError, TypeError):
        return None  # absent, partial or from another format: run checkov


def store(cache_dir: Path, key: str, results: list[CheckovResult]) -> None:
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        with atomic_text_output(cache_dir / f"{key}.json") as handle:
            json.dump([dataclasses.asdict(result) for result in results], handle)
    except OSError:
        pass  # a cache that cannot be written costs the next run time, nothing else
