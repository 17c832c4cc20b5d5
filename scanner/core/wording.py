"""Counted nouns in messages: `1 file`, `2 files`, never `1 files`."""

from __future__ import annotations

IRREGULAR = {"entry": "entries", "policy": "policies", "is": "are", "was": "were"}


def plural(count: int, noun: str) -> str:
    """`plural(1, "file")` -> "1 file"; `plural(3, "entry")` -> "3 entries"."""
    if count == 1:
        return f"{count} {noun}"
    return f"{count} {IRREGULAR.get(noun, noun + 's')}"
