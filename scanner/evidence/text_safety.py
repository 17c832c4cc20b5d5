"""The last net before bytes are written: credential-looking values scrubbed from text."""

from __future__ import annotations

import json
from typing import Any

from scanner.core.redaction import REDACTED, SECRET_VALUE_PATTERNS, redact


def scrub(text: str) -> str:
    """Replace anything that looks like a credential: the last net before bytes are written."""
    for pattern in SECRET_VALUE_PATTERNS.values():
        text = pattern.sub(REDACTED, text)
    return text


def dump_json(value: Any) -> bytes:
    text = json.dumps(redact(value), indent=2, sort_keys=True, ensure_ascii=False, default=str)
    return scrub(text + "\n").encode("utf-8")
