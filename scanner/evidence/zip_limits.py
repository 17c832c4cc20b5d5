"""Reading a bundle zip with caps, so that a zip bomb given to `comply evidence verify` is an
error naming the member, not gigabytes of memory (docs/security.md, "Input caps").

Declared sizes are checked first (a fast refusal), then the bytes actually inflated are counted
while streaming, since a crafted header may lie about them.
"""

from __future__ import annotations

import zipfile

MIB = 1024 * 1024
MAX_MEMBERS = 100_000
MAX_MEMBER_BYTES = 512 * MIB
MAX_TOTAL_BYTES = 1024 * MIB
# Past this size a member may inflate at most this many times its compressed size: evidence
# (JSON, HTML, CSV) compresses 5-50x; a bomb of zeros compresses about 1000x.
RATIO_FROM_BYTES = 16 * MIB
MAX_RATIO = 200
CHUNK = 1 * MIB


class ZipLimitError(Exception):
    pass


class CappedReader:
    """Reads the members of one archive within one total budget."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.total = 0
        if len(archive.infolist()) > MAX_MEMBERS:
            raise ZipLimitError(f"the zip has more than {MAX_MEMBERS:,} members")

    def read(self, info: zipfile.ZipInfo) -> bytes:
        name = info.filename
        declared = info.file_size
        if declared > MAX_MEMBER_BYTES:
            raise ZipLimitError(f"{name} inflates to {declared:,} bytes, over the cap")
        ratio_ok = declared <= RATIO_FROM_BYTES or declared <= info.compress_size * MAX_RATIO
        if not ratio_ok:
            raise ZipLimitError(
                f"{name} inflates {declared // max(info.compress_size, 1):,} times its "
                f"compressed size (cap {MAX_RATIO}x): a zip bomb?"
            )
        limit = min(MAX_MEMBER_BYTES, MAX_TOTAL_BYTES - self.total)
        chunks: list[bytes] = []
        size = 0
        with self.archive.open(info) as member:
            while chunk := member.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise ZipLimitError(
                        f"{name} inflates past the cap ({MAX_MEMBER_BYTES // MIB} MB a member, "
                        f"{MAX_TOTAL_BYTES // MIB} MB in all)"
                    )
                chunks.append(chunk)
        self.total += size
        return b"".join(chunks)
