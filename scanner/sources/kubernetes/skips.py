"""Suppressions written as annotations on an object or on its pod template.

    metadata:
      annotations:
        comply.dev/skip: "<check_id>=<reason>[;<check_id>=<reason>]"
        comply.dev/skip-expires: "YYYY-MM-DD"    # optional: the last day the skips apply

Bad input never suppresses anything: an expiry that is not a date drops the skips of that
metadata block and says so in a warning.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from scanner.core.dates import parse_date
from scanner.core.model import ScanWarning, Skip

SKIP_ANNOTATION = "comply.dev/skip"
EXPIRES_ANNOTATION = "comply.dev/skip-expires"

_CHECK_ID = re.compile(r"^[A-Za-z0-9_.:-]+$")


@dataclass
class SkipAnnotations:
    skips: list[Skip] = field(default_factory=list)
    warnings: list[ScanWarning] = field(default_factory=list)


def skips_from_metadata(
    metadata: Any,
    *,
    object_name: str,
    file: str,
    line_of: Callable[[str], int | None],
    fallback_line: int | None,
) -> SkipAnnotations:
    """The skips of one metadata block (the object's, or its pod template's).

    `line_of(annotation)` gives the line of an annotation key, when known; skips point there, or
    at `fallback_line` (the object's first line).
    """
    found = SkipAnnotations()
    if not isinstance(metadata, Mapping):
        return found
    annotations = metadata.get("annotations")
    if not isinstance(annotations, Mapping) or SKIP_ANNOTATION not in annotations:
        return found
    skip_line = line_of(SKIP_ANNOTATION) or fallback_line

    def warn(message: str, line: int | None = skip_line) -> SkipAnnotations:
        found.warnings.append(ScanWarning(file, f"{object_name}: {message}", line))
        return found

    value = annotations[SKIP_ANNOTATION]
    if not isinstance(value, str):
        return warn(
            f"annotation {SKIP_ANNOTATION} must be a string "
            '"<check_id>=<reason>[;...]"; no skip applied'
        )
    expires: date | None = None
    if EXPIRES_ANNOTATION in annotations:
        expires_line = line_of(EXPIRES_ANNOTATION) or fallback_line
        expires = parse_expiry(annotations[EXPIRES_ANNOTATION])
        if expires is None:
            return warn(
                f"annotation {EXPIRES_ANNOTATION} is "
                f"{annotations[EXPIRES_ANNOTATION]!r}, not a date YYYY-MM-DD; "
                "its skips are not applied",
                expires_line,
            )
    for entry in value.split(";"):
        entry = entry.strip()
        if not entry:
            continue
        check_id, _, reason = entry.partition("=")
        check_id = check_id.strip()
        if not _CHECK_ID.match(check_id):
            warn(f"malformed skip {entry!r} in {SKIP_ANNOTATION} (expected <check_id>=<reason>)")
            continue
        found.skips.append(Skip(check_id, reason.strip(), file, skip_line, expires))
    return found


def parse_expiry(value: object) -> date | None:
    """An ISO date `YYYY-MM-DD`; an unquoted YAML date (already a date) is accepted too."""
    return parse_date(value)
