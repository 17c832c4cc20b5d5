"""checkov's results cached by the content of the file set it scanned: an unchanged re-run (the
same PR pushed again) costs a hash of the files instead of a checkov run.

The key covers every file under the scanned path (checkov's secrets framework reads them all),
their relative paths, the framework, and the checkov executable's path, size and modification
time (an upgrade rewrites it). Only successful runs are stored; an unreadable entry is a miss.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from pathlib import Path

from scanner.core.atomic_files import atomic_text_output
from scanner.engines.checkov_runner import CheckovResult

_SKIPPED_FOLDERS = {".git", ".terraform"}
_FORMAT = 1


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "comply" / "checkov"


def file_set_key(scanned: Path, source: str, executable: Path) -> str:
    digest = hashlib.sha256()
    info = executable.resolve().stat()
    digest.update(f"{_FORMAT}\0{source}\0{executable.resolve()}\0{info.st_size}\0".encode())
    digest.update(f"{info.st_mtime_ns}\0".encode())
    files = [scanned] if scanned.is_file() else _files(scanned)
    for path in files:
        name = path.name if scanned.is_file() else path.relative_to(scanned).as_posix()
        digest.update(name.encode("utf-8", "surrogateescape") + b"\0")
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        digest.update(b"\0")
    return digest.hexdigest()


def _files(folder: Path) -> list[Path]:
    found: list[Path] = []
    for current, folders, names in os.walk(folder):
        folders[:] = sorted(f for f in folders if f not in _SKIPPED_FOLDERS)
        found.extend(Path(current) / name for name in sorted(names))
    return [path for path in found if path.is_file()]


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
