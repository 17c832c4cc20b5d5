"""The parse cache: one JSON entry per parsed file, checked on every read.

The cache folder may be shared (a CI cache restored from an earlier run) and is not trusted: an
entry is data, never code (no pickle), and is used only when all of this holds, otherwise it is
ignored and the file is parsed again (then the entry is rewritten):

- it is a regular file (not a symlink, FIFO or device) of at most `MAX_ENTRY_BYTES`;
- its first line is a header naming this format and version, this comply version, this
  python-hcl2 version and the entry's own key (the SHA-256 of the source bytes and its kind);
- the SHA-256 of the rest of the entry (the payload) equals the header's `payload_sha256`, so a
  truncated, corrupted or edited payload is refused (an integrity check against accidents and
  careless edits; whoever can write the folder can forge an entry, which is why the folder and
  its entries are created owner-only, 0700 and 0600);
- the payload is `{"data": object|null, "error": string|null, "line": int|null}`.

Nothing in an entry is used as a path. Entries are written atomically (temporary file + rename).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanner import __version__
from scanner.core.atomic_files import atomic_output, make_private_dirs

# Bump when the stored structure changes (e.g. tfjson conversion), so old entries are not reused.
CACHE_FORMAT_VERSION = 4
CACHE_FORMAT = "comply-parse-cache"
MAX_ENTRY_BYTES = 256 * 1024 * 1024

try:
    HCL2_VERSION = importlib.metadata.version("python-hcl2")
except importlib.metadata.PackageNotFoundError:  # pragma: no cover - vendored or odd installs
    HCL2_VERSION = "unknown"


@dataclass
class ParseOutcome:
    """A parsed file (`data`) or what the parser said (`error`, `line`)."""

    data: dict[str, Any] | None
    error: str | None = None
    line: int | None = None


def _header(key: str, payload: bytes) -> dict[str, Any]:
    return {
        "format": CACHE_FORMAT,
        "version": CACHE_FORMAT_VERSION,
        "tool": __version__,
        "hcl2": HCL2_VERSION,
        "key": key,
        "payload_sha256": hashlib.sha256(payload).hexdigest(),
    }


def _outcome(payload: Any) -> ParseOutcome | None:
    if not isinstance(payload, dict) or set(payload) != {"data", "error", "line"}:
        return None
    data, error, line = payload["data"], payload["error"], payload["line"]
    if not (data is None or isinstance(data, dict)):
        return None
    if not (error is None or isinstance(error, str)):
        return None
    if not (line is None or (isinstance(line, int) and not isinstance(line, bool))):
        return None
    if (data is None) == (error is None):
        return None  # exactly one of a result and an error
    return ParseOutcome(data, error, line)


def _read_regular_file(path: Path) -> bytes | None:
    """The bytes of `path` if it is a regular file within the size cap; never follows a
    symlink, never blocks on a FIFO."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_ENTRY_BYTES:
            return None
        return handle.read(MAX_ENTRY_BYTES + 1)


class ParseCache:
    """One checked JSON entry per parsed file, keyed by content hash and parser version."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @staticmethod
    def key(data: bytes, is_json: bool) -> str:
        digest = hashlib.sha256(data).hexdigest()
        kind = "json" if is_json else "hcl"
        return f"{digest}-{kind}-hcl2_{HCL2_VERSION}-v{CACHE_FORMAT_VERSION}"

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> ParseOutcome | None:
        """The cached outcome, or None when there is none or it fails any check."""
        entry = _read_regular_file(self._path(key))
        if entry is None:
            return None
        head, newline, payload = entry.partition(b"\n")
        if not newline or len(entry) > MAX_ENTRY_BYTES:
            return None
        try:
            header = json.loads(head)
            if header != _header(key, payload):
                return None  # another format, comply, parser or key; or a changed payload
            return _outcome(json.loads(payload))
        except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested beyond reason
            return None

    def put(self, key: str, outcome: ParseOutcome) -> None:
        payload_value = {"data": outcome.data, "error": outcome.error, "line": outcome.line}
        try:
            payload = json.dumps(payload_value, ensure_ascii=False, separators=(",", ":"))
        except (TypeError, ValueError, RecursionError):
            return  # a structure JSON cannot hold is simply not cached
        body = payload.encode("utf-8")
        header = json.dumps(_header(key, body), separators=(",", ":")).encode()
        with contextlib.suppress(OSError):  # a cache that cannot be written only costs speed
            make_private_dirs(self.directory)
            with atomic_output(self._path(key), private=True) as handle:
                handle.write(header + b"\n" + body)
