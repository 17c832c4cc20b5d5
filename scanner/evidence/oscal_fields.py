"""Field values of the OSCAL document: props in comply's namespace, one-line titles, user text
with credential-looking values gone, hrefs relative to the document, timestamps, media types.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any

from scanner.core.redaction import redact

DOCUMENT_PATH = "oscal/assessment-results.json"
# Namespace of comply's own props: OSCAL requires names outside its own vocabulary to carry one.
# `.invalid` (RFC 2606) because it names, it does not resolve — the same host as the bundle's
# UUID namespace.
NS = "https://comply.invalid/ns/oscal"


def user_text(value: object) -> str:
    """User-written text (statements, owners, references) with credential-looking values gone."""
    return str(redact(str(value)))


def one_line(value: object) -> str:
    """OSCAL titles are one line; values may not start or end with whitespace."""
    return " ".join(user_text(value).split()) or "-"


def oscal_prop(name: str, value: object, *, cls: str | None = None) -> dict[str, Any]:
    prop: dict[str, Any] = {"name": name, "ns": NS, "value": one_line(value)}
    if cls is not None:
        prop["class"] = cls
    return prop


def bundle_href(bundle_path: str) -> str:
    """A link from this document (`oscal/...`) to another bundle file."""
    return posixpath.relpath(bundle_path, posixpath.dirname(DOCUMENT_PATH))


def oscal_timestamp(value: str) -> str:
    """Report times are ISO 8601 UTC already; a bare date becomes its midnight UTC."""
    return f"{value}T00:00:00Z" if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else value


def media_type_of(path: str) -> str | None:
    return {
        ".json": "application/json",
        ".html": "text/html",
        ".md": "text/markdown",
        ".csv": "text/csv",
        ".yaml": "application/yaml",
        ".yml": "application/yaml",
        ".pdf": "application/pdf",
        ".txt": "text/plain",
    }.get(posixpath.splitext(path)[1].lower())


def without_empty(item: dict[str, Any]) -> dict[str, Any]:
    """OSCAL arrays have min 1 item: drop empty lists (and None) instead of writing `[]`."""
    return {k: v for k, v in item.items() if v not in (None, [], {})}
