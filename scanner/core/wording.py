"""Words in messages: counted nouns (`1 file`, never `1 files`) and near-match suggestions."""

from __future__ import annotations

from collections.abc import Iterable
from difflib import SequenceMatcher, get_close_matches

IRREGULAR = {"entry": "entries", "policy": "policies", "is": "are", "was": "were"}


def plural(count: int, noun: str) -> str:
    """`plural(1, "file")` -> "1 file"; `plural(3, "entry")` -> "3 entries"."""
    if count == 1:
        return f"{count} {noun}"
    return f"{count} {IRREGULAR.get(noun, noun + 's')}"


def did_you_mean(word: str, candidates: Iterable[str], limit: int = 3) -> str:
    """` (did you mean 'a', 'b'?)` for the nearest candidates, or "" when none is near.

    Ids that start with the word come first (`164.312` -> `164.312(a)(1)`, ...), then the
    closest by difflib's similarity, so a typo and a truncated id both get an answer.
    """
    pool = sorted(set(candidates))
    folded = word.casefold()
    near = [c for c in pool if c.casefold().startswith(folded) and c != word][:limit]
    close = get_close_matches(word, pool, n=limit, cutoff=0.6)
    if close:
        # Only matches about as close as the best: a typo's real id, not a distant look-alike
        # that shares `_enabled`.
        best = SequenceMatcher(None, word, close[0]).ratio()
        close = [c for c in close if SequenceMatcher(None, word, c).ratio() >= best - 0.1]
    for candidate in close:
        if candidate not in near and len(near) < limit:
            near.append(candidate)
    if not near:
        return ""
    return " (did you mean " + ", ".join(repr(c) for c in near) + "?)"
