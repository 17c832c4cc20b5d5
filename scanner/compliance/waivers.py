"""Waivers: reviewed, expiring risk acceptances kept in a file (`waivers.yaml`), not in the code.

A waiver turns matching failures into `skipped` with its reason. It names who approved it and the
ticket, and it expires: from the day after `expires` it stops applying and the run says so. An
auditor reads the same file as the list of accepted risks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from scanner.core.dates import parse_date
from scanner.core.model import ScanWarning
from scanner.core.yaml_files import YamlFileError, load_yaml_file

REQUIRED_FIELDS = ("check", "resource", "reason", "approver", "ticket", "expires")
# Optional: when the acceptance was approved, and the risk accepted (for the auditor's sampling).
OPTIONAL_FIELDS = ("approved", "risk")
RISK_RATINGS = ("low", "medium", "high", "critical")


class WaiverError(Exception):
    """The waiver file is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class Waiver:
    check: str  # check id or glob: "s3_bucket_*"
    resource: str  # resource id glob: "module.legacy.*"
    reason: str
    approver: str
    ticket: str
    expires: dt.date
    source: str  # "waivers.yaml entry 2"
    approved: dt.date | None = None  # the day the acceptance was approved
    risk: str | None = None  # low | medium | high | critical

    def matches_check(self, check_id: str) -> bool:
        return fnmatchcase(check_id, self.check)

    def matches(self, check_id: str, resource_id: str) -> bool:
        return self.matches_check(check_id) and fnmatchcase(resource_id, self.resource)

    def is_active(self, today: dt.date) -> bool:
        return today <= self.expires

    def describe(self) -> str:
        return (
            f"waived: {self.reason} (approved by {self.approver}, {self.ticket}, "
            f"until {self.expires.isoformat()})"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "resource": self.resource,
            "reason": self.reason,
            "approver": self.approver,
            "ticket": self.ticket,
            "expires": self.expires.isoformat(),
            **({"approved": self.approved.isoformat()} if self.approved else {}),
            **({"risk": self.risk} if self.risk else {}),
        }


def _as_date(value: Any, where: str) -> dt.date:
    parsed = parse_date(value)
    if parsed is None:
        raise WaiverError(f"{where}: expires {value!r} is not a date (use YYYY-MM-DD)")
    return parsed


def _parse(entry: Any, where: str) -> Waiver:
    if not isinstance(entry, Mapping):
        raise WaiverError(f"{where}: must be a mapping")
    # Whitespace is no reason, approver or ticket: a blank one must not suppress a finding.
    missing = [key for key in REQUIRED_FIELDS if not str(entry.get(key) or "").strip()]
    if missing:
        raise WaiverError(f"{where}: missing required field(s) {', '.join(missing)}")
    unknown = sorted(set(entry) - {*REQUIRED_FIELDS, *OPTIONAL_FIELDS})
    if unknown:
        raise WaiverError(f"{where}: unknown field(s) {', '.join(unknown)}")
    return Waiver(
        check=str(entry["check"]).strip(),
        resource=str(entry["resource"]).strip(),
        reason=str(entry["reason"]).strip(),
        approver=str(entry["approver"]).strip(),
        ticket=str(entry["ticket"]).strip(),
        expires=_as_date(entry["expires"], where),
        source=where,
        approved=_approved(entry, where),
        risk=_risk(entry, where),
    )


def _approved(entry: Mapping[str, Any], where: str) -> dt.date | None:
    if entry.get("approved") is None:
        return None
    parsed = parse_date(entry["approved"])
    if parsed is None:
        raise WaiverError(f"{where}: approved {entry['approved']!r} is not a date (use YYYY-MM-DD)")
    expires = _as_date(entry["expires"], where)
    if parsed > expires:
        raise WaiverError(f"{where}: approved {parsed.isoformat()} is after it expires")
    return parsed


def _risk(entry: Mapping[str, Any], where: str) -> str | None:
    if entry.get("risk") is None:
        return None
    risk = str(entry["risk"]).strip().lower()
    if risk not in RISK_RATINGS:
        raise WaiverError(
            f"{where}: risk {entry['risk']!r} is not one of {', '.join(RISK_RATINGS)}"
        )
    return risk


def load_waivers(path: Path, warnings: list[ScanWarning] | None = None) -> list[Waiver]:
    """The waivers of `path`; a duplicate key is a warning in `warnings` (an error without)."""
    try:
        document = load_yaml_file(path, warnings)
    except YamlFileError as exc:
        raise WaiverError(str(exc)) from exc
    entries = document.get("waivers") if isinstance(document, Mapping) else None
    if not isinstance(entries, list):
        raise WaiverError(f"{path}: expected a mapping with a 'waivers' list")
    return [_parse(e, f"{path.name} entry {i}") for i, e in enumerate(entries, start=1)]
