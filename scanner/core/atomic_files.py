"""Outputs appear whole or not at all: every file comply writes goes through here.

A file is written to a temporary file in the same folder, flushed to disk, then renamed over the
target (`os.replace`, atomic on POSIX and Windows within one file system). An interruption
(SIGINT, SIGTERM, a full disk, a crash) leaves the previous file as it was and no temporary file
behind. A folder (an evidence bundle) is built as a temporary sibling and renamed into place the
same way, so it appears with its manifest or not at all.

Private outputs (the parse cache, AWS snapshots) are created readable by their owner only:
files 0600, folders 0700. Other outputs get the usual permissions (0666 less the umask).
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, TextIO

PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700
_TEMP_PREFIX = ".comply-tmp-"


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _is_stream(path: Path) -> bool:
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def make_private_dirs(folder: Path) -> None:
    """Create `folder` (and missing parents) as 0700; an existing folder's mode is tightened
    only if comply created it, never a user's folder above it."""
    missing = []
    probe = folder
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for created in reversed(missing):
        with contextlib.suppress(FileExistsError):
            created.mkdir(mode=PRIVATE_DIR_MODE)
        os.chmod(created, PRIVATE_DIR_MODE)  # mkdir's mode is filtered by the umask


@contextlib.contextmanager
def atomic_output(path: Path, *, private: bool = False) -> Iterator[BinaryIO]:
    """`with atomic_output(path) as handle: handle.write(...)`: `path` is replaced only when the
    block finishes without an exception (KeyboardInterrupt and SIGTERM included).

    A target that exists and is not a regular file (`/dev/null`, `/dev/stdout`, a FIFO) is a
    stream, not a file to replace: it is written directly. Never for a private output (the
    parse cache), whose folder may be shared: a planted symlink to a FIFO or a device is
    replaced by the new file, never written through."""
    if not private and _is_stream(path):
        with open(path, "wb") as stream:
            yield stream
        return
    if private:
        make_private_dirs(path.parent)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=path.parent)  # created 0600
    try:
        if not private:
            os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


@contextlib.contextmanager
def atomic_text_output(path: Path, *, private: bool = False) -> Iterator[TextIO]:
    """`atomic_output` for UTF-8 text (newlines written as given)."""
    with atomic_output(path, private=private) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        yield text
        text.flush()
        text.detach()  # the binary handle is closed by atomic_output


def write_atomic(path: Path, data: bytes | str, *, private: bool = False) -> None:
    """Replace `path` with `data` (text is written as UTF-8) in one step."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    with atomic_output(path, private=private) as handle:
        handle.write(data)


@contextlib.contextmanager
def atomic_directory(path: Path) -> Iterator[Path]:
    """`with atomic_directory(out) as staging: write files under staging`: `out` (which must be
    absent or an empty folder) appears with every file at once when the block succeeds, and is
    left as it was otherwise."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=_TEMP_PREFIX, dir=path.parent))
    try:
        os.chmod(staging, 0o777 & ~_umask())
        yield staging
        # rename() replaces an empty folder in one step; a non-empty one makes it fail.
        os.replace(staging, path)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
