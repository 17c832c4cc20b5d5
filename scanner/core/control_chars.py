"""Control characters made visible before text reaches a terminal, a CI log or a PR comment.

A resource name, file name or message comes from the scanned input. Printed as is, a newline
followed by `::error ...` becomes a GitHub Actions workflow command, and ESC/OSC sequences
rewrite the terminal (colours, titles, hyperlinks, cursor moves that hide lines). Every control
character, C0 and C1, DEL, the Unicode line and paragraph separators and the bidirectional
overrides (which reorder what a reviewer reads) is replaced by its escape: `\\x1b`, `\\n`,
`\\u202e`. A tab is kept.
"""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_CONTROL_BUT_NEWLINE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def neutralise_controls(text: str, *, keep_newlines: bool = False) -> str:
    """`text` with every control character replaced by its visible escape (tabs kept; newlines
    too when `keep_newlines`, for a format that renders a line break safely)."""
    pattern = _CONTROL_BUT_NEWLINE if keep_newlines else _CONTROL
    if pattern.search(text) is None:
        return text
    return pattern.sub(_escape, text)


# What json.dumps(ensure_ascii=False) leaves as is but a terminal or a bidi-aware viewer acts on.
# In JSON text these characters can only sit inside strings, where `\uXXXX` means the same.
_JSON_UNESCAPED = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def json_escape_controls(text: str) -> str:
    """JSON text with DEL, C1 controls, line separators and bidi overrides as `\\uXXXX`."""
    if _JSON_UNESCAPED.search(text) is None:
        return text
    return _JSON_UNESCAPED.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)
