"""Framework catalogs (controls/*.yaml, plus user folders): loading, validation and scoping.

Loading validates what would make a report wrong: an unknown check id, a duplicated control id, a
built-in check mapped nowhere, a `standard` or `related` entry that points at nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from scanner.core.model import ControlRef
from scanner.core.paths import controls_dir
from scanner.core.registry import Registry
from scanner.core.wording import did_you_mean
from scanner.core.yaml_files import YamlFileError, load_yaml_file

AUTOMATION_LEVELS = ("automated", "partial", "manual")
HIPAA_SPECIFICATION_KINDS = ("required", "addressable")
SOC2_CATEGORIES = (
    "security",
    "availability",
    "confidentiality",
    "processing_integrity",
    "privacy",
)


class CatalogError(Exception):
    """A framework catalog is malformed or names checks or controls that do not exist."""


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
    related: tuple[ControlRef, ...] = ()  # explicit crosswalk entries

    @property
    def ref(self) -> ControlRef:
        return ControlRef(self.framework, self.id)

    @property
    def has_manual_part(self) -> bool:
        return self.automation != "automated"


@dataclass(frozen=True)
class Framework:
    id: str
    name: str
    version: str
    controls: tuple[Control, ...]
    source: str = ""  # the file it was loaded from


@dataclass(frozen=True)
class Scope:
    """Which controls a run reports on: frameworks and (SOC 2) categories; empty means all."""

    frameworks: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()

    def includes(self, control: Control) -> bool:
        if self.frameworks and control.framework not in self.frameworks:
            return False
        # Categories scope the frameworks that have them; a framework without categories is
        # kept whole (HIPAA has none), unless the user also limited the frameworks.
        return not (
            self.categories
            and control.category is not None
            and control.category not in self.categories
        )


@dataclass
class Catalog:
    frameworks: dict[str, Framework] = field(default_factory=dict)

    def controls(self, scope: Scope | None = None) -> list[Control]:
        scope = scope or Scope()
        return [
            control
            for framework in self.frameworks.values()
            for control in framework.controls
            if scope.includes(control)
        ]

    def controls_by_check(self, scope: Scope | None = None) -> dict[str, list[ControlRef]]:
        mapping: dict[str, list[ControlRef]] = defaultdict(list)
        for control in self.controls(scope):
            for check_id in control.checks:
                mapping[check_id].append(control.ref)
        return dict(mapping)

    def with_checks(self, extra: Mapping[ControlRef, Iterable[str]]) -> Catalog:
        """This catalog with more check ids under some controls: a second engine's checks
        (`checkov.CKV_AWS_184`), mapped by their own file, so that the roll-up counts them like
        comply's checks mapped there."""
        frameworks = {
            key: replace(
                framework,
                controls=tuple(
                    replace(control, checks=(*control.checks, *sorted(set(extra[control.ref]))))
                    if extra.get(control.ref)
                    else control
                    for control in framework.controls
                ),
            )
            for key, framework in self.frameworks.items()
        }
        return Catalog(frameworks)

    def find(self, control_id: str, framework: str | None = None) -> Control:
        """One control by id (`CC6.1`) or qualified id (`soc2:CC6.1`)."""
        if framework is None and ":" in control_id:
            framework, control_id = control_id.split(":", 1)
        matches = [
            c
            for c in self.controls(Scope(frameworks=(framework,) if framework else ()))
            if c.id == control_id
        ]
        if not matches:
            scope = Scope(frameworks=(framework,) if framework else ())
            known = (
                [c.id for c in self.controls(scope)]
                if framework in (None, *self.frameworks)
                else []
            )
            raise CatalogError(
                f"no control {control_id!r}"
                + (f" in {framework}" if framework else "")
                + did_you_mean(control_id, known)
            )
        if len(matches) > 1:
            names = ", ".join(f"{c.framework}:{c.id}" for c in matches)
            raise CatalogError(f"control id {control_id!r} is ambiguous ({names}); qualify it")
        return matches[0]

    def validate_scope(self, scope: Scope) -> None:
        for framework in scope.frameworks:
            if framework not in self.frameworks:
                known = ", ".join(sorted(self.frameworks))
                raise CatalogError(f"unknown framework {framework!r}; known: {known}")
        known_categories = {c.category for c in self.controls() if c.category}
        for category in scope.categories:
            if category not in known_categories:
                known = ", ".join(sorted(known_categories))
                raise CatalogError(f"unknown category {category!r}; known: {known}")


def _require(entry: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in entry or entry[key] in (None, ""):
        raise CatalogError(f"{where}: missing required field {key!r}")
    return entry[key]


def _string_list(entry: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = entry.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CatalogError(f"{where}: {key} must be a list of strings")
    return tuple(value)


def _parse_related(values: Sequence[str], where: str) -> tuple[ControlRef, ...]:
    refs = []
    for value in values:
        framework, sep, control_id = value.partition(":")
        if not sep or not framework or not control_id:
            raise CatalogError(
                f"{where}: related entry {value!r} is not '<framework>:<control id>'"
            )
        refs.append(ControlRef(framework, control_id))
    return tuple(refs)


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
    category = entry.get("category")
    if category is not None and category not in SOC2_CATEGORIES:
        raise CatalogError(f"{where}: category must be one of {', '.join(SOC2_CATEGORIES)}")
    return Control(
        framework=framework_id,
        id=control_id,
        title=str(_require(entry, "title", where)),
        requirement=str(_require(entry, "requirement", where)).strip(),
        automation=automation,
        checks=_string_list(entry, "checks", where),
        standard=entry.get("standard"),
        specification=specification,
        category=category,
        manual_evidence=_string_list(entry, "manual_evidence", where),
        related=_parse_related(_string_list(entry, "related", where), where),
    )


def load_framework(path: Path) -> Framework:
    try:
        document = load_yaml_file(path)
    except YamlFileError as exc:
        raise CatalogError(str(exc)) from exc
    if not isinstance(document, Mapping) or not isinstance(document.get("framework"), Mapping):
        raise CatalogError(f"{path}: expected a mapping with 'framework' and 'controls'")
    meta = document["framework"]
    where = str(path.name)
    framework_id = str(_require(meta, "id", where))
    controls = tuple(_parse_control(framework_id, c, where) for c in document.get("controls") or [])
    ids = [c.id for c in controls]
    for control in controls:
        if ids.count(control.id) > 1:
            raise CatalogError(f"{where}: duplicate control id {control.id}")
        if control.standard is not None and control.standard not in ids:
            raise CatalogError(
                f"{where} control {control.id}: standard {control.standard!r} is not in the catalog"
            )
    return Framework(
        id=framework_id,
        name=str(_require(meta, "name", where)),
        version=str(meta.get("version", "")),
        controls=controls,
        source=str(path),
    )


def _validate_cross_references(catalog: Catalog, registry: Registry) -> None:
    mapped: set[str] = set()
    for control in catalog.controls():
        where = f"{control.framework} control {control.id}"
        for check_id in control.checks:
            current = registry.resolve(check_id)
            if current is None:
                raise CatalogError(f"{where} maps unknown check id {check_id!r}")
            mapped.add(current)
        for ref in control.related:
            framework = catalog.frameworks.get(ref.framework)
            if framework is None or all(c.id != ref.id for c in framework.controls):
                raise CatalogError(f"{where}: related control {ref.framework}:{ref.id} not found")
    unmapped = [
        spec.id
        for spec in registry
        if spec.module.startswith("policies.") and spec.id not in mapped
    ]
    if unmapped:
        raise CatalogError(f"built-in checks mapped to no control: {', '.join(sorted(unmapped))}")


def load_catalog(
    registry: Registry, folder: Path | None = None, extra_folders: Iterable[Path] = ()
) -> Catalog:
    """Load the built-in frameworks and any user framework folders, and validate them."""
    catalog = Catalog()
    folders = [folder or controls_dir(), *extra_folders]
    for directory in folders:
        if not directory.is_dir():
            raise CatalogError(f"framework folder {directory} does not exist")
        for path in sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")]):
            framework = load_framework(path)
            if framework.id in catalog.frameworks:
                other = catalog.frameworks[framework.id].source
                raise CatalogError(
                    f"{path}: framework {framework.id!r} is already defined in {other}"
                )
            catalog.frameworks[framework.id] = framework
    _validate_cross_references(catalog, registry)
    return catalog
