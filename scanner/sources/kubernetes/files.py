"""Find manifest files and read them with the guards bad input needs (size, binary, encoding)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from scanner.model import ScanError

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
SKIPPED_DIRS = frozenset({"node_modules", "__pycache__"})


def is_manifest_file(name: str) -> bool:
    return name.lower().endswith(MANIFEST_SUFFIXES) and not name.startswith(".")


def relative_name(path: Path, root: Path) -> str:
    """Posix path relative to the scan root (with `..` when it is outside it)."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return Path(os.path.relpath(path, root)).as_posix()


def scan_root(paths: Sequence[Path]) -> Path:
    """The folder that location paths are relative to.

    One folder: itself; one file: its folder; several: their deepest common folder.
    """
    folders = []
    for path in paths:
        absolute = Path(os.path.abspath(path))
        folders.append(absolute if absolute.is_dir() else absolute.parent)
    if not folders:
        return Path(os.path.abspath("."))
    if len(folders) == 1:
        return folders[0]
    return Path(os.path.commonpath([str(f) for f in folders]))


def walk_manifest_dirs(root: Path) -> dict[Path, list[Path]]:
    """Every folder under `root` (itself included) with its manifest files, in a stable order.

    Skips hidden folders (`.git`, `.github`, ...) and never follows directory symlinks, so a
    symlink loop cannot make the walk run forever. Folders without manifest files are included
    (with no files) so that a kustomization's subfolders are known.
    """
    found: dict[Path, list[Path]] = {}
    stack = [root]
    while stack:
        directory = stack.pop()
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            continue
        files: list[Path] = []
        subdirs: list[Path] = []
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    if not entry.name.startswith(".") and entry.name not in SKIPPED_DIRS:
                        subdirs.append(Path(entry.path))
                elif is_manifest_file(entry.name) and entry.is_file():
                    files.append(Path(entry.path))  # a linked file is still a manifest
            except OSError:
                continue
        found[directory] = files
        stack.extend(reversed(subdirs))
    return found


def _too_large(size: int, limit: int) -> str:
    mib = 1024 * 1024
    return (
        f"file is {size / mib:.1f} MB ({size} bytes), larger than the limit of "
        f"{limit / mib:.1f} MB ({limit} bytes); not parsed"
    )


@dataclass
class SourceText:
    """One file's text, or why it could not be read."""

    path: Path
    rel: str
    text: str | None
    error: ScanError | None


def decode(data: bytes, rel: str, max_file_size: int) -> tuple[str | None, ScanError | None]:
    """Bytes to text with the same guards as a file read: size, NUL bytes, UTF-8."""
    if len(data) > max_file_size:
        return None, ScanError(target=rel, message=_too_large(len(data), max_file_size))
    if b"\x00" in data:
        return None, ScanError(
            target=rel, message="binary file (contains NUL bytes), not a manifest"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, ScanError(target=rel, message=f"not valid UTF-8 (byte {exc.start})", line=line)
    return text.removeprefix("\ufeff"), None


def read_source(path: Path, rel: str, max_file_size: int) -> SourceText:
    """Read one file; every failure becomes a ScanError naming the file, never an exception."""

    def failed(message: str) -> SourceText:
        return SourceText(path, rel, None, ScanError(target=rel, message=message))

    try:
        size = path.stat().st_size
        if size > max_file_size:
            return failed(_too_large(size, max_file_size))
        data = path.read_bytes()
    except PermissionError:
        return failed("cannot read file: permission denied")
    except OSError as exc:
        return failed(f"cannot read file: {exc.strerror or exc}")
    text, error = decode(data, rel, max_file_size)
    return SourceText(path, rel, text, error)
