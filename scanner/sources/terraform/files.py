"""Find Terraform files and read them with the guards bad input needs (size, binary, encoding)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from scanner.model import ScanError

CONFIG_SUFFIXES = (".tf.json", ".tf")
SKIPPED_DIRS = frozenset({".terraform", "node_modules", "__pycache__"})


def is_config_file(name: str) -> bool:
    return name.endswith(CONFIG_SUFFIXES)


def relative_name(path: Path, root: Path) -> str:
    """Posix path relative to the scanned root (with `..` for modules outside it)."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return Path(os.path.relpath(path, root)).as_posix()


def config_files_in(directory: Path) -> list[Path]:
    """The `.tf`/`.tf.json` files of one module directory (Terraform does not recurse)."""
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError:
        return []
    return [
        Path(entry.path)
        for entry in entries
        if is_config_file(entry.name) and not entry.name.startswith(".") and _is_file(entry)
    ]


def _is_file(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file()  # follows file symlinks: a linked .tf file is still configuration
    except OSError:
        return False


def walk_config_dirs(root: Path) -> list[Path]:
    """Every directory under `root` holding Terraform files, in a stable order.

    Skips hidden directories and `.terraform/` (downloaded modules), and never follows directory
    symlinks, so a symlink loop cannot make the walk run forever.
    """
    found: list[Path] = []
    stack = [root]
    while stack:
        directory = stack.pop()
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            continue
        has_config = False
        subdirs: list[Path] = []
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    if not entry.name.startswith(".") and entry.name not in SKIPPED_DIRS:
                        subdirs.append(Path(entry.path))
                elif is_config_file(entry.name) and not entry.name.startswith("."):
                    has_config = True
            except OSError:
                continue
        if has_config:
            found.append(directory)
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
    data: bytes | None
    error: ScanError | None


def read_source(path: Path, rel: str, max_file_size: int) -> SourceText:
    """Read one file; every failure becomes a ScanError naming the file, never an exception."""

    def failed(message: str) -> SourceText:
        return SourceText(path, rel, None, None, ScanError(target=rel, message=message))

    try:
        size = path.stat().st_size
        if size > max_file_size:
            return failed(_too_large(size, max_file_size))
        data = path.read_bytes()
    except PermissionError:
        return failed("cannot read file: permission denied")
    except OSError as exc:
        return failed(f"cannot read file: {exc.strerror or exc}")
    if len(data) > max_file_size:  # it grew between stat and read
        return failed(_too_large(len(data), max_file_size))
    if b"\x00" in data:
        return failed("binary file (contains NUL bytes), not Terraform")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return SourceText(
            path,
            rel,
            None,
            None,
            ScanError(target=rel, message=f"not valid UTF-8 (byte {exc.start})", line=line),
        )
    return SourceText(path, rel, text.removeprefix("\ufeff"), data, None)
