"""Write a bundle's files as a directory or a deterministic zip.

Zip entries are sorted, with a fixed 1980-01-01 timestamp and fixed permissions; a zip is written
to a temporary file and moved into place, a directory is built as a temporary sibling and renamed
into place (only over a new or empty one): either appears whole or not at all.
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from pathlib import Path

from scanner.core.atomic_files import atomic_directory, atomic_output
from scanner.evidence.errors import EvidenceError
from scanner.evidence.filenames import check_bundle_path

ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
ZIP_FILE_MODE = 0o100644  # regular file, rw-r--r--


def write_zip(files: Mapping[str, bytes], out: Path) -> None:
    with (
        atomic_output(out) as stream,
        zipfile.ZipFile(stream, "w") as archive,
    ):
        for path in sorted(files):
            info = zipfile.ZipInfo(path, date_time=ZIP_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # unix, so the permissions below are read
            info.external_attr = ZIP_FILE_MODE << 16
            archive.writestr(info, files[path], compresslevel=9)


def write_directory(files: Mapping[str, bytes], out: Path) -> None:
    """Build the bundle in a temporary sibling folder and rename it into place: the folder
    appears with every file (its manifest included) or not at all."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise EvidenceError(f"{out} exists and is not an empty directory; choose a new path")
    with atomic_directory(out) as staging:
        root = staging.resolve()
        for path in sorted(files):
            target = (root / check_bundle_path(path)).resolve()
            if root not in target.parents:
                raise EvidenceError(f"refusing to write {path!r} outside the bundle")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(files[path])


def write_bundle(files: Mapping[str, bytes], out: Path) -> None:
    try:
        if out.suffix.lower() == ".zip":
            write_zip(files, out)
        else:
            write_directory(files, out)
    except OSError as exc:
        raise EvidenceError(f"cannot write the bundle to {out}: {exc.strerror or exc}") from exc
