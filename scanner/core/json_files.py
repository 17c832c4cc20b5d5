"""Reading JSON files comply wrote (reports, baselines, snapshots) back, bounded and safe.

Only regular files are read, at most `limit` bytes (after gzip decompression, counted while
streaming: a 2.6 GB gzip bomb stops at the cap, not at the end of memory). Every failure is a
JsonFileError naming the file: unreadable, too large, not UTF-8, not JSON (with its line), or
nested too deeply for the parser (a RecursionError would otherwise surface as an internal error
naming no file).
"""

from __future__ import annotations

import gzip
import json
import stat
import zlib
from pathlib import Path
from typing import Any

GZIP_MAGIC = b"\x1f\x8b"
MIB = 1024 * 1024


class JsonFileError(Exception):
    pass


def read_capped(path: Path, limit: int) -> bytes:
    """At most `limit` bytes of a regular file, gunzipped when it is gzip; JsonFileError else."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            raise JsonFileError(f"{path}: not a regular file (a device, FIFO or socket)")
        with path.open("rb") as raw:
            compressed = raw.read(2) == GZIP_MAGIC
            raw.seek(0)
            if compressed:
                with gzip.GzipFile(fileobj=raw) as unzipped:
                    data = unzipped.read(limit + 1)
            else:
                data = raw.read(limit + 1)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise JsonFileError(f"{path}: not a valid gzip file ({exc})") from exc
    except OSError as exc:
        raise JsonFileError(f"{path}: cannot be read: {exc.strerror or exc}") from exc
    if len(data) > limit:
        what = "decompressed, it is" if compressed else "it is"
        raise JsonFileError(
            f"{path}: {what} larger than the limit of {limit / MIB:.0f} MB; not read"
        )
    return data


def load_json_file(path: Path, limit: int) -> Any:
    data = read_capped(path, limit)
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise JsonFileError(f"{path}: not UTF-8 text (byte {exc.start})") from exc
    except json.JSONDecodeError as exc:
        raise JsonFileError(f"{path}: not valid JSON (line {exc.lineno}): {exc.msg}") from exc
    except RecursionError as exc:
        raise JsonFileError(f"{path}: nested too deeply to read") from exc
