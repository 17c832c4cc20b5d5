"""Framework catalogs (controls/*.yaml): loading, validation, and rolling findings up to controls.

Roll-up rules (design): `not_satisfied` if any mapped finding fails; else `incomplete` if any is
unknown/error, or a manual part has no current attestation; else `satisfied`; `not_applicable`
when no resource was in scope. Never `satisfied` on missing data.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from scanner.model import ControlRef, Finding, Status
from scanner.paths import controls_dir
from scanner.registry import Registry

AUTOMATION_LEVELS = ("automated", "partial", "manual")
HIPAA_SPECIFICATION_KINDS = ("required", "addressable")


class CatalogError(Exception):
    """A framework catalog is malformed or names checks that do not exist."""


class ControlState(StrEnum):
    SATISFIED = "satisfied"
    NOT_SATISFIED = "not_satisfied"
    INCOMPLETE = "incomplete"
    NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True)
class Control:
    framework: str
    id: str
    title: str
    requirement: str
    automation: str
    checks: tuple[str, ...]
    standard: str | None = None
    specification: str | None = None  # HIPAA: required | addressable
    category: str | None = None  # SOC 2: security | availability | ...
    manual_evidence: tuple[str, ...] = ()

    @property
    def ref(self) -> ControlRef:
        return ControlRef(self.framework, self.id)


@dataclass(frozen=True)
class Framework:
    id: str
    name: str
    version: str
    controls: tuple[Control, ...]


@dataclass
class Catalog:
    frameworks: dict[str, Framework] = field(default_factory=dict)

    def controls_by_check(
        self, frameworks: Iterable[str] | None = None
    ) -> dict[str, list[ControlRef]]:
        wanted = set(frameworks) if frameworks else set(self.frameworks)
        mapping: dict[str, list[ControlRef]] = defaultdict(list)
        for framework in self.frameworks.values():
            if framework.id not in wanted:
                continue
            for control in framework.controls:
                for check_id in control.checks:
                    mapping[check_id].append(control.ref)
        return dict(mapping)


def _require(entry: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in entry or entry[key] in (None, ""):
        raise CatalogError(f"{where}: missing required field {key!r}")
    return entry[key]


def _parse_control(framework_id: str, entry: Any, where: str) -> Control:
    if not isinstance(entry, Mapping):
        raise CatalogError(f"{where}: each control must be a mapping")
    control_id = str(_require(entry, "id", where))
    where = f"{where} control {control_id}"
    automation = _require(entry, "automation", where)
    if automation not in AUTOMATION_LEVELS:
        raise CatalogError(f"{where}: automation must be one of {', '.join(AUTOMATION_LEVELS)}")
    specification = entry.get("specification")
    if specification is not None and specification not in HIPAA_SPECIFICATION_KINDS:
        raise CatalogError(f"{where}: specification must be required or addressable")
    checks = entry.get("checks") or []
    if not isinstance(checks, list) or not all(isinstance(c, str) for c in checks):
        raise CatalogError(f"{where}: checks must be a list of check ids")
    return Control(
        framework=framework_id,
        id=control_id,
        title=str(_require(entry, "title", where)),
        requirement=str(_require(entry, "requirement", where)).strip(),
        automation=automation,
        checks=tuple(checks),
        standard=entry.get("standard"),
        specification=specification,
        category=entry.get("category"),
        manual_evidence=tuple(entry.get("manual_evidence") or ()),
    )


def load_framework(path: Path) -> Framework:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CatalogError(f"{path}: cannot be read: {exc}") from exc
    if not isinstance(document, Mapping) or "framework" not in document:
        raise CatalogError(f"{path}: expected a mapping with 'framework' and 'controls'")
    meta = document["framework"]
    where = str(path.name)
    framework_id = str(_require(meta, "id", where))
    controls = tuple(_parse_control(framework_id, c, where) for c in document.get("controls") or [])
    seen: set[str] = set()
    for control in controls:
        if control.id in seen:
            raise CatalogError(f"{where}: duplicate control id {control.id}")
        seen.add(control.id)
    return Framework(
        id=framework_id,
        name=str(_require(meta, "name", where)),
        version=str(meta.get("version", "")),
        controls=controls,
    )


def load_catalog(registry: Registry, folder: Path | None = None) -> Catalog:
    """Load every framework and validate it against the registry."""
    folder = folder or controls_dir()
    catalog = Catalog()
    for path in sorted(folder.glob("*.yaml")):
        framework = load_framework(path)
        if framework.id in catalog.frameworks:
            raise CatalogError(f"{path.name}: framework {framework.id} defined twice")
        catalog.frameworks[framework.id] = framework
    mapped: set[str] = set()
    for framework in catalog.frameworks.values():
        for control in framework.controls:
            for check_id in control.checks:
                if registry.resolve(check_id) is None:
                    raise CatalogError(
                        f"{framework.id} control {control.id} maps unknown check id {check_id!r}"
                    )
                mapped.add(registry.resolve(check_id) or check_id)
    unmapped = [
        spec.id
        for spec in registry
        if spec.module.startswith("policies.") and spec.id not in mapped
    ]
    if unmapped:
        raise CatalogError(f"built-in checks mapped to no control: {', '.join(sorted(unmapped))}")
    return catalog


@dataclass(frozen=True)
class ControlStatus:
    control: Control
    state: ControlState
    counts: Mapping[str, int]
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "framework": self.control.framework,
            "id": self.control.id,
            "title": self.control.title,
            "status": self.state.value,
            "automation": self.control.automation,
            "counts": dict(self.counts),
            "checks": list(self.control.checks),
            "reason": self.reason,
        }


def _state_for(control: Control, counts: Counter[Status]) -> tuple[ControlState, str]:
    if counts[Status.FAIL]:
        return ControlState.NOT_SATISFIED, f"{counts[Status.FAIL]} failing finding(s)"
    if counts[Status.UNKNOWN] or counts[Status.ERROR]:
        return (
            ControlState.INCOMPLETE,
            f"{counts[Status.UNKNOWN]} unknown and {counts[Status.ERROR]} error finding(s)",
        )
    if control.automation != "automated":
        # Attestations for the manual part arrive with their own feature; until a current one
        # exists, the control cannot be called satisfied.
        return ControlState.INCOMPLETE, "manual evidence required; no current attestation"
    if not any(counts.values()):
        return ControlState.NOT_APPLICABLE, "no resource in scope"
    if not counts[Status.PASS]:
        return ControlState.INCOMPLETE, "every finding is suppressed"
    return ControlState.SATISFIED, f"{counts[Status.PASS]} passing finding(s)"


def rollup_controls(
    catalog: Catalog, findings: Iterable[Finding], frameworks: Iterable[str] | None = None
) -> list[ControlStatus]:
    wanted = set(frameworks) if frameworks else set(catalog.frameworks)
    by_check: dict[str, Counter[Status]] = defaultdict(Counter)
    for finding in findings:
        by_check[finding.check_id][finding.status] += 1
    statuses: list[ControlStatus] = []
    for framework in catalog.frameworks.values():
        if framework.id not in wanted:
            continue
        for control in framework.controls:
            counts: Counter[Status] = Counter()
            for check_id in control.checks:
                counts.update(by_check.get(check_id, Counter()))
            state, reason = _state_for(control, counts)
            statuses.append(
                ControlStatus(control, state, {s.value: counts.get(s, 0) for s in Status}, reason)
            )
    return statuses
