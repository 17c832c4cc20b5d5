"""Find Terraform files and read them with the guards bad input needs (size, binary, encoding)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from scanner.core.model import ScanError
from scanner.sources.source_files import decode, os_reason, read_bytes, relative_name, walk_dirs

__all__ = ["relative_name"]  # re-exported: the loader imports it from here

CONFIG_SUFFIXES = (".tf.json", ".tf")
SKIPPED_DIRS = frozenset({".terraform", "node_modules", "__pycache__"})


def is_config_file(name: str) -> bool:
    return name.endswith(CONFIG_SUFFIXES)


def config_files_in(
    directory: Path, unreadable: list[tuple[Path, str]] | None = None
) -> list[Path]:
    """The `.tf`/`.tf.json` files of one module directory (Terraform does not recurse)."""
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError as exc:
        if unreadable is not None:
            unreadable.append((directory, os_reason(exc)))
        return []
    return [
        Path(entry.path)
        for entry in entries
        if is_config_file(entry.name) and not entry.name.startswith(".") and _is_file(entry)
    ]


def _is_file(entry: os.DirEntry[str]) -> bool:
    """Anything but a folder: a linked .tf file is still configuration, and a FIFO, device or
    broken link named `.tf` is read so that its read fails with an error naming it."""
    try:
        return not entry.is_dir()
    except OSError:
        return True


def walk_config_dirs(root: Path, unreadable: list[tuple[Path, str]] | None = None) -> list[Path]:
    """Every directory under `root` holding Terraform files, in a stable order.

    Skips hidden directories and `.terraform/` (downloaded modules), and never follows directory
    symlinks, so a symlink loop cannot make the walk run forever.
    """
    tree = walk_dirs(root, is_config_file, SKIPPED_DIRS, unreadable)
    return [directory for directory, files in tree.items() if files]


@dataclass
class SourceText:
    """One file's text, or why it could not be read."""

    path: Path
    rel: str
    text: str | None
    data: bytes | None
    error: ScanError | None


def read_source(path: Path, rel: str, max_file_size: int) -> SourceText:
    """Read one file; every failure becomes a ScanError naming the file, never an exception."""
    data, error = read_bytes(path, rel, max_file_size)
    if data is None:
        return SourceText(path, rel, None, None, error)
    text, error = decode(data, rel, max_file_size, "Terraform")
    return SourceText(path, rel, text, data if text is not None else None, error)
