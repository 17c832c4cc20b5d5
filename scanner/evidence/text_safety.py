"""The last net before bytes are written: credential-looking values scrubbed from text.

Structured data (JSON) is redacted before it is serialised, string by string, never as text:
a pattern run over JSON text could swallow a quote and break the document.
"""

from __future__ import annotations

import json
from typing import Any

from scanner.core.redaction import redact, redact_text


def scrub(text: str) -> str:
    """Replace anything that looks like a credential: the last net before bytes are written."""
    return redact_text(text)


def dump_json(value: Any, *, sort_keys: bool = True) -> bytes:
    text = json.dumps(redact(value), indent=2, sort_keys=sort_keys, ensure_ascii=False, default=str)
    return (text + "\n").encode("utf-8")
