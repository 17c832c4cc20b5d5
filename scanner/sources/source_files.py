"""Finding and reading source files with the guards bad input needs: shared by every file source.

Walks never follow directory symlinks (a symlink loop cannot make a walk run forever) and skip
hidden folders; reads turn every failure (too large, unreadable, binary, not UTF-8) into a
ScanError naming the file, never an exception.
"""

from __future__ import annotations

import os
import stat
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
    root: Path,
    wanted: Callable[[str], bool],
    skipped_dirs: frozenset[str],
    unreadable: list[tuple[Path, str]] | None = None,
) -> dict[Path, list[Path]]:
    """Every folder under `root` (itself included) with its wanted files, in a stable order.

    Folders without wanted files are included (with none) so callers know the whole tree.
    A folder (or entry) that cannot be listed is appended to `unreadable`: its files are never
    judged, so the caller must report it rather than pass silently.
    """
    found: dict[Path, list[Path]] = {}
    stack = [root]
    while stack:
        directory = stack.pop()
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            if unreadable is not None:
                unreadable.append((directory, os_reason(exc)))
            continue
        files: list[Path] = []
        subdirs: list[Path] = []
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    if not entry.name.startswith(".") and entry.name not in skipped_dirs:
                        subdirs.append(Path(entry.path))
                elif not entry.name.startswith(".") and wanted(entry.name):
                    # Not only regular files: a FIFO, a device or a broken link with a source
                    # name is read, and its read fails with an error naming it, never skipped.
                    # A linked file is still a source file.
                    files.append(Path(entry.path))
            except OSError as exc:
                if unreadable is not None:
                    unreadable.append((Path(entry.path), os_reason(exc)))
                continue
        found[directory] = files
        stack.extend(reversed(subdirs))
    return found


def os_reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    return str(exc.strerror or exc).lower()


def unreadable_folder_errors(unreadable: list[tuple[Path, str]], root: Path) -> list[ScanError]:
    """Errors for folders of the scanned tree that could not be listed: never a silent pass."""
    return [
        ScanError(
            target=relative_name(path, root) if path != root else str(path),
            message=f"cannot read folder ({reason}): the files in it were not scanned",
        )
        for path, reason in unreadable
    ]


def too_large(size: int, limit: int) -> str:
    return (
        f"file is {size / MIB:.1f} MB ({size} bytes), larger than the limit of "
        f"{limit / MIB:.1f} MB ({limit} bytes); not parsed"
    )


def read_bytes(path: Path, rel: str, max_file_size: int) -> tuple[bytes | None, ScanError | None]:
    """At most `max_file_size` bytes of a regular file.

    Only regular files are read: a FIFO would block forever and `/dev/zero` never ends. The read
    itself is capped too, since a file may grow between the size check and the read.
    """
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return None, ScanError(
                target=rel, message="not a regular file (a device, FIFO or socket); not read"
            )
        if info.st_size > max_file_size:
            return None, ScanError(target=rel, message=too_large(info.st_size, max_file_size))
        with path.open("rb") as handle:
            data = handle.read(max_file_size + 1)
    except OSError as exc:
        return None, ScanError(target=rel, message=f"cannot read file: {os_reason(exc)}")
    if len(data) > max_file_size:
        return None, ScanError(target=rel, message=too_large(len(data), max_file_size))
    return data, None


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
