"""Finding and reading source files with the guards bad input needs: shared by every file source.

Walks never follow directory symlinks (a symlink loop cannot make a walk run forever) and skip
hidden folders; reads turn every failure (too large, unreadable, binary, not UTF-8) into a
ScanError naming the file, never an exception.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from scanner.core.model import ScanError

MIB = 1024 * 1024


def relative_name(path: Path, root: Path) -> str:
    """Posix path relative to the scanned root (with `..` when it is outside it)."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return Path(os.path.relpath(path, root)).as_posix()


def walk_dirs(
    root: Path, wanted: Callable[[str], bool], skipped_dirs: frozenset[str]
) -> dict[Path, list[Path]]:
    """Every folder under `root` (itself included) with its wanted files, in a stable order.

    Folders without wanted files are included (with none) so callers know the whole tree.
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
                    if not entry.name.startswith(".") and entry.name not in skipped_dirs:
                        subdirs.append(Path(entry.path))
                elif not entry.name.startswith(".") and wanted(entry.name) and entry.is_file():
                    files.append(Path(entry.path))  # a linked file is still a source file
            except OSError:
                continue
        found[directory] = files
        stack.extend(reversed(subdirs))
    return found


def too_large(size: int, limit: int) -> str:
    return (
        f"file is {size / MIB:.1f} MB ({size} bytes), larger than the limit of "
        f"{limit / MIB:.1f} MB ({limit} bytes); not parsed"
    )


def read_bytes(path: Path, rel: str, max_file_size: int) -> tuple[bytes | None, ScanError | None]:
    try:
        size = path.stat().st_size
        if size > max_file_size:
            return None, ScanError(target=rel, message=too_large(size, max_file_size))
        return path.read_bytes(), None
    except PermissionError:
        return None, ScanError(target=rel, message="cannot read file: permission denied")
    except OSError as exc:
        return None, ScanError(target=rel, message=f"cannot read file: {exc.strerror or exc}")


def decode(
    data: bytes, rel: str, max_file_size: int, kind: str
) -> tuple[str | None, ScanError | None]:
    """Bytes to text: size (it may have grown since stat), NUL bytes, UTF-8; BOM removed."""
    if len(data) > max_file_size:
        return None, ScanError(target=rel, message=too_large(len(data), max_file_size))
    if b"\x00" in data:
        return None, ScanError(target=rel, message=f"binary file (contains NUL bytes), not {kind}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, ScanError(target=rel, message=f"not valid UTF-8 (byte {exc.start})", line=line)
    return text.removeprefix("\ufeff"), None
