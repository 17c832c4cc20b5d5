"""controls/engines/checkov.yaml: checkov ids -> severity, HIPAA and SOC 2 controls, rationale;
and the ids deliberately left unmapped, with why. Validated on load."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.core.model import ControlRef, Severity
from scanner.core.paths import controls_dir
from scanner.core.yaml_files import YamlFileError, load_yaml_file

DEFAULT_MAPPING = controls_dir() / "engines" / "checkov.yaml"
CHECKOV_ID = re.compile(r"^CKV2?_[A-Z0-9]+(_[A-Z0-9]+)*_\d+$")
FRAMEWORK_KEYS = ("hipaa", "soc2")


class MappingError(Exception):
    """The mapping file is malformed: message names the file and the id."""


@dataclass(frozen=True)
class EngineCheckMapping:
    check_id: str
    severity: Severity
    controls: tuple[ControlRef, ...]
    rationale: str


@dataclass(frozen=True)
class EngineMapping:
    engine_version: str
    mapped: Mapping[str, EngineCheckMapping]
    unmapped: Mapping[str, str]  # id -> why it bears on neither framework
    # Id prefixes of clouds comply has no source for (CKV_AZURE): not reviewed, not reported.
    unreviewed_prefixes: Mapping[str, str] = field(default_factory=dict)

    def covers(self, check_id: str) -> bool:
        """Mapped, or deliberately not: reviewed as unmapped, or of an unreviewed prefix."""
        return (
            check_id in self.mapped
            or check_id in self.unmapped
            or check_id.rsplit("_", 1)[0] in self.unreviewed_prefixes
        )


def load_checkov_mapping(
    path: Path = DEFAULT_MAPPING, known_controls: Collection[ControlRef] | None = None
) -> EngineMapping:
    """Load and validate; `known_controls` (from the catalog) rejects a citation that names no
    control comply knows."""
    try:
        document = load_yaml_file(path)
    except YamlFileError as exc:
        raise MappingError(str(exc)) from None
    if not isinstance(document, dict):
        raise MappingError(f"{path}: expected a mapping at the top level")
    mapped: dict[str, EngineCheckMapping] = {}
    for check_id, entry in (document.get("mapped") or {}).items():
        mapped[check_id] = _mapped_entry(path, check_id, entry)
    unmapped: dict[str, str] = {}
    for check_id, reason in (document.get("unmapped") or {}).items():
        _require_id(path, check_id)
        if not isinstance(reason, str) or not reason.strip():
            raise MappingError(f"{path}: unmapped {check_id} needs a reason")
        if check_id in mapped:
            raise MappingError(f"{path}: {check_id} is both mapped and unmapped")
        unmapped[check_id] = reason.strip()
    prefixes = document.get("unreviewed_prefixes") or {}
    if not isinstance(prefixes, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in prefixes.items()
    ):
        raise MappingError(f"{path}: unreviewed_prefixes maps a prefix to a reason")
    mapping = EngineMapping(str(document.get("checkov_version", "")), mapped, unmapped, prefixes)
    if known_controls is not None:
        require_known_controls(mapping, known_controls, path)
    return mapping


def require_known_controls(
    mapping: EngineMapping, known: Collection[ControlRef], path: Path = DEFAULT_MAPPING
) -> None:
    """MappingError naming the first id that cites a control comply does not know."""
    for check_id, entry in mapping.mapped.items():
        unknown = [c for c in entry.controls if c not in known]
        if unknown:
            names = ", ".join(f"{c.framework} {c.id}" for c in unknown)
            raise MappingError(f"{path}: {check_id}: unknown control(s) {names}")


def _require_id(path: Path, check_id: Any) -> None:
    if not isinstance(check_id, str) or not CHECKOV_ID.match(check_id):
        raise MappingError(f"{path}: {check_id!r} is not a checkov id (CKV_AWS_20, CKV2_K8S_1)")


def _mapped_entry(path: Path, check_id: Any, entry: Any) -> EngineCheckMapping:
    _require_id(path, check_id)
    if not isinstance(entry, dict):
        raise MappingError(f"{path}: {check_id}: expected severity, hipaa, soc2, rationale")
    try:
        severity = Severity(str(entry.get("severity")))
    except ValueError:
        raise MappingError(
            f"{path}: {check_id}: unknown severity {entry.get('severity')!r}"
        ) from None
    rationale = entry.get("rationale")
    if not isinstance(rationale, str) or not rationale.strip():
        raise MappingError(f"{path}: {check_id}: a mapping needs a one-line rationale")
    controls: list[ControlRef] = []
    for framework in FRAMEWORK_KEYS:
        values = entry.get(framework) or []
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise MappingError(f"{path}: {check_id}: {framework} must be a list of control ids")
        controls.extend(ControlRef(framework, value) for value in values)
    if not controls:
        raise MappingError(f"{path}: {check_id}: mapped to no control (list it as unmapped)")
    return EngineCheckMapping(check_id, severity, tuple(controls), rationale.strip())
