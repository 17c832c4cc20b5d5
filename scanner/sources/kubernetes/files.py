"""Find manifest files and read them with the guards bad input needs (size, binary, encoding)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from scanner.core.model import ScanError
from scanner.sources.source_files import decode as decode_text
from scanner.sources.source_files import read_bytes, relative_name, walk_dirs

__all__ = ["relative_name"]  # re-exported: the loader imports it from here

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
SKIPPED_DIRS = frozenset({"node_modules", "__pycache__"})


def is_manifest_file(name: str) -> bool:
    return name.lower().endswith(MANIFEST_SUFFIXES) and not name.startswith(".")


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


def walk_manifest_dirs(
    root: Path, unreadable: list[tuple[Path, str]] | None = None
) -> dict[Path, list[Path]]:
    """Every folder under `root` (itself included) with its manifest files, in a stable order.

    Skips hidden folders (`.git`, `.github`, ...) and never follows directory symlinks, so a
    symlink loop cannot make the walk run forever. Folders without manifest files are included
    (with no files) so that a kustomization's subfolders are known.
    """
    return walk_dirs(root, is_manifest_file, SKIPPED_DIRS, unreadable)


@dataclass
class SourceText:
    """One file's text, or why it could not be read."""

    path: Path
    rel: str
    text: str | None
    error: ScanError | None
    data: bytes | None = None  # the bytes, when they were read but are not text (NUL, not UTF-8)


def decode(data: bytes, rel: str, max_file_size: int) -> tuple[str | None, ScanError | None]:
    """Bytes to text with the same guards as a file read: size, NUL bytes, UTF-8."""
    return decode_text(data, rel, max_file_size, "a manifest")


def read_source(path: Path, rel: str, max_file_size: int) -> SourceText:
    """Read one file; every failure becomes a ScanError naming the file, never an exception."""
    data, error = read_bytes(path, rel, max_file_size)
    if data is None:
        return SourceText(path, rel, None, error)
    text, error = decode(data, rel, max_file_size)
    return SourceText(path, rel, text, error, data if text is None else None)
