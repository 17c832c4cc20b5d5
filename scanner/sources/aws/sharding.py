"""`--shard I/N`: split one live scan's work, accounts x regions, between N processes.

Every shard lists the same accounts and discovers the same regions, sorts the (account, region)
pairs (the account's global services count as the region "global") and keeps every N-th pair
from position I. The split is deterministic and needs no coordinator; the history store joins
the shards' findings back into one run. I counts from 0, as Kubernetes' JOB_COMPLETION_INDEX.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
MAX_SHARDS = 1000


class ShardError(ValueError):
    """The --shard value is not I/N with 0 <= I < N."""


@dataclass(frozen=True)
class Shard:
    index: int
    total: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        match = _SHARD.match(text)
        if match is None:
            raise ShardError(f"--shard {text!r}: expected I/N, e.g. 0/4 (I counts from 0)")
        index, total = int(match.group(1)), int(match.group(2))
        if not 1 <= total <= MAX_SHARDS or not 0 <= index < total:
            raise ShardError(
                f"--shard {text!r}: I must be 0..N-1 and N 1..{MAX_SHARDS} (I counts from 0)"
            )
        return cls(index, total)

    def select(self, pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        """The (account, region) pairs this shard scans."""
        ordered = sorted(set(pairs))
        return {
            pair for position, pair in enumerate(ordered) if position % self.total == self.index
        }

    def __str__(self) -> str:
        return f"{self.index}/{self.total}"
