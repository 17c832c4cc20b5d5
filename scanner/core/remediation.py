"""A check's remediation in one line, for the console's "how to fix" (the full text is in
`comply checks show ID` and docs/checks.md)."""

from __future__ import annotations

import re

ONE_LINE_LIMIT = 160
_CODE_START = re.compile(r'^(resource|data|module)\s+"|^[a-zA-Z_]+:\s*$|^[{\[]|^apiVersion:')
_BRACES_ONLY = re.compile(r"^[\s{}\[\]]*$")
_BLOCK_OPENER = re.compile(r"^(resource|data|module|dynamic)\b.*\{$|^[a-z_]+\s*(=\s*)?\{$")


def one_line_fix(remediation: str, limit: int = ONE_LINE_LIMIT) -> str:
    """The first paragraph when it is prose (`point the trail at a log group`); for a remediation
    that is only a snippet, its settings (`set deletion_protection = true`)."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", remediation.strip()) if p.strip()]
    if not paragraphs:
        return ""
    first = paragraphs[0]
    if _CODE_START.match(first.splitlines()[0].strip()):
        settings = [
            " ".join(line.split())
            for line in first.splitlines()
            if not _BRACES_ONLY.match(line)
            and not _BLOCK_OPENER.match(line.strip())
            and not line.rstrip().endswith(":")  # a YAML parent key: its leaves say it all
        ]
        text = "set " + "; ".join(settings) if settings else first.splitlines()[0].strip()
    else:
        text = " ".join(first.split()).rstrip(":").rstrip()
        text = re.sub(r",?\s*or in Terraform$", "", text)  # the snippet that follows is not shown
    return shorten(text, limit)


def shorten(text: str, limit: int) -> str:
    """`text` cut at a word boundary to at most `limit` characters, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:")
    return cut + "…"
