"""Attestations: the user's signed statements that a procedural (manual) control is in place.

An attestation is current from its `date` through its `expires` day, inclusive. Validation is
strict because an attestation turns a control's status from `incomplete` to `attested`: a
malformed entry must stop the run with a message naming the file and the entry, never be ignored.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path, PureWindowsPath
from typing import Any

from scanner.compliance.catalog import Catalog, CatalogError
from scanner.core.dates import parse_date
from scanner.core.model import ControlRef, ScanWarning
from scanner.core.yaml_files import YamlFileError, load_yaml_file

REQUIRED_FIELDS = ("control", "statement", "owner", "date", "expires")
KNOWN_FIELDS = frozenset({*REQUIRED_FIELDS, "framework", "evidence"})
URL_PATTERN = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


class AttestationError(Exception):
    """The attestation file is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class Attestation:
    control: ControlRef
    statement: str
    owner: str
    date: dt.date
    expires: dt.date
    evidence: tuple[str, ...]
    source: str  # "attestations.yaml entry 3"
    # Evidence files it names that do not exist: a claim without its evidence attests nothing.
    missing_evidence: tuple[str, ...] = ()

    def is_current(self, today: dt.date) -> bool:
        return self.date <= today <= self.expires and not self.missing_evidence

    def status_on(self, today: dt.date) -> str:
        if self.missing_evidence:
            missing = ", ".join(repr(item) for item in self.missing_evidence)
            return f"not counted: evidence file {missing} does not exist"
        if today < self.date:
            return f"dated {self.date.isoformat()}, in the future"
        if today > self.expires:
            return f"expired on {self.expires.isoformat()}"
        return f"current until {self.expires.isoformat()}"

    def to_dict(self, today: dt.date) -> dict[str, Any]:
        return {
            "statement": self.statement,
            "owner": self.owner,
            "date": self.date.isoformat(),
            "expires": self.expires.isoformat(),
            "evidence": list(self.evidence),
            "current": self.is_current(today),
        }


def _as_date(value: Any, field_name: str, where: str) -> dt.date:
    parsed = parse_date(value)
    if parsed is None:
        raise AttestationError(f"{where}: {field_name} {value!r} is not a date (use YYYY-MM-DD)")
    return parsed


def _parse_entry(entry: Any, where: str, catalog: Catalog) -> Attestation:
    if not isinstance(entry, Mapping):
        raise AttestationError(f"{where}: must be a mapping")
    # A typo (`evidance:`) must not be ignored while the control shows attested.
    unknown = sorted(str(key) for key in entry if key not in KNOWN_FIELDS)
    if unknown:
        known = ", ".join(sorted(KNOWN_FIELDS))
        raise AttestationError(
            f"{where}: unknown field(s) {', '.join(map(repr, unknown))} (known fields: {known})"
        )
    for key in REQUIRED_FIELDS:
        if not str(entry.get(key) or "").strip():
            raise AttestationError(f"{where}: missing required field {key!r}")
    try:
        control = catalog.find(str(entry["control"]), entry.get("framework"))
    except CatalogError as exc:
        raise AttestationError(f"{where}: {exc}") from None
    where = f"{where} ({control.framework}:{control.id})"
    signed = _as_date(entry["date"], "date", where)
    expires = _as_date(entry["expires"], "expires", where)
    if expires < signed:
        raise AttestationError(
            f"{where}: expires {expires.isoformat()} is before date {signed.isoformat()}"
        )
    evidence = entry.get("evidence") or []
    if isinstance(evidence, str):
        evidence = [evidence]
    if not isinstance(evidence, list) or not all(isinstance(e, str) for e in evidence):
        raise AttestationError(f"{where}: evidence must be a list of file paths or links")
    return Attestation(
        control=control.ref,
        statement=str(entry["statement"]).strip(),
        owner=str(entry["owner"]).strip(),
        date=signed,
        expires=expires,
        evidence=tuple(evidence),
        source=where,
    )


def evidence_file(attestations_file: Path, ref: str, evidence_root: Path | None = None) -> Path:
    """Where an attestation's evidence file is: `ref` relative to the attestations file's folder,
    which it must stay inside (or inside `evidence_root`, when the operator configured one).
    An absolute path, a `..` that climbs out, or a symlink that points out is refused: an
    attestations file from a pull request must not copy `~/.aws/credentials` into a bundle."""
    folder = attestations_file.parent
    root = (evidence_root if evidence_root is not None else folder).resolve()
    where = f"{attestations_file}: evidence {ref!r}"
    if Path(ref).is_absolute() or PureWindowsPath(ref).is_absolute() or PureWindowsPath(ref).drive:
        raise AttestationError(f"{where} is an absolute path; name a file under {root}")
    candidate = folder / ref
    resolved = candidate.resolve()  # follows symlinks, so a link out of the root is caught
    if resolved != root and root not in resolved.parents:
        raise AttestationError(f"{where} points outside {root}; evidence must stay inside it")
    return candidate


def load_attestations(
    path: Path, catalog: Catalog, evidence_root: Path | None = None
) -> tuple[list[Attestation], list[ScanWarning]]:
    """Parse and validate an attestations file. An attestation naming an evidence file that does
    not exist (relative to the file's folder) is kept, with a warning, but does not count. An
    evidence path outside the file's folder (or `evidence_root`) is an error naming the file."""
    warnings: list[ScanWarning] = []
    try:
        document = load_yaml_file(path, warnings)
    except YamlFileError as exc:
        raise AttestationError(str(exc)) from exc
    entries = document.get("attestations") if isinstance(document, Mapping) else None
    if not isinstance(entries, list):
        raise AttestationError(f"{path}: expected a mapping with an 'attestations' list")
    attestations = []
    for index, entry in enumerate(entries, start=1):
        attestation = _parse_entry(entry, f"{path.name} entry {index}", catalog)
        missing = tuple(
            item
            for item in attestation.evidence
            if not URL_PATTERN.match(item) and not evidence_file(path, item, evidence_root).exists()
        )
        if missing:
            attestation = replace(attestation, missing_evidence=missing)
            warnings.extend(
                ScanWarning(
                    str(path),
                    f"{attestation.source}: evidence file {item!r} does not exist; the "
                    "attestation does not count until it does",
                )
                for item in missing
            )
        attestations.append(attestation)
    return attestations, warnings


def attestations_by_control(
    attestations: Iterable[Attestation],
) -> dict[ControlRef, list[Attestation]]:
    grouped: dict[ControlRef, list[Attestation]] = defaultdict(list)
    for attestation in attestations:
        grouped[attestation.control].append(attestation)
    return dict(grouped)


def best_attestation(candidates: Iterable[Attestation], today: dt.date) -> Attestation | None:
    """The current attestation signed last; else the one that expired last (to say what lapsed)."""
    ordered = sorted(candidates, key=lambda a: (a.is_current(today), a.expires, a.date))
    return ordered[-1] if ordered else None
