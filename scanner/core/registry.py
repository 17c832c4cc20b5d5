"""The `@check` decorator and discovery of checks in built-in and user policy folders.

The decorator only attaches a CheckSpec to the function: nothing is registered at import time,
so importing a policy module twice, or in a test, has no global side effect. Discovery imports
modules and collects the functions that carry a spec.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import pkgutil
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from scanner.core.model import Severity

SPEC_ATTRIBUTE = "__comply_check__"
CHECK_ID_PATTERN = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")
BUILTIN_POLICY_PACKAGE = "policies"


class RegistryError(Exception):
    """A policy module or check definition is malformed."""


@dataclass(frozen=True)
class CheckSpec:
    id: str
    title: str
    severity: Severity
    resource_types: tuple[str, ...]
    function: Callable[..., Any]
    references: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # "resource": called once per matching resource; "inventory": called once with every
    # resource of the listed types and yields (resource, Result) pairs (cross-resource checks).
    scope: str = "resource"
    aliases: tuple[str, ...] = ()
    module: str = ""
    # Inventory checks only: types the function also receives as evidence but does not judge
    # (NetworkPolicies for "is every workload selected by one").
    context_types: tuple[str, ...] = ()
    # The sources whose resources this check can judge; empty means every source that produces
    # its types. A check reading data only a live API returns (an IAM user's MFA devices) names
    # "aws", so a Terraform resource of the same type is never judged on absent data.
    sources: tuple[str, ...] = ()
    # Which resources of its types the check judges; None means all. The others get no finding,
    # so a control is never satisfied by passes on resources the check does not concern (a
    # kube-apiserver flag check on an nginx Deployment). A pure function of one resource.
    applies_to: Callable[[Any], bool] | None = None

    @property
    def doc(self) -> str:
        return inspect.cleandoc(self.function.__doc__ or "")

    @property
    def rationale(self) -> str:
        """The docstring up to the `Remediation:` paragraph."""
        return self.doc.split("Remediation:", 1)[0].strip()

    @property
    def remediation(self) -> str:
        parts = self.doc.split("Remediation:", 1)
        return parts[1].strip() if len(parts) == 2 else ""

    @property
    def service(self) -> str:
        return self.id.split("_", 1)[0]


def check(
    *,
    id: str,
    title: str,
    severity: str,
    resource_types: Iterable[str],
    references: Mapping[str, Iterable[str]] | None = None,
    scope: str = "resource",
    aliases: Iterable[str] = (),
    context_types: Iterable[str] = (),
    sources: Iterable[str] = (),
    applies_to: Callable[[Any], bool] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a function as a check. See docs/writing-checks.md."""

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        if not CHECK_ID_PATTERN.match(id):
            raise RegistryError(f"check id {id!r} is not <service>_<resource>_<state> snake case")
        if scope not in ("resource", "inventory"):
            raise RegistryError(f"check {id}: scope must be 'resource' or 'inventory'")
        try:
            level = Severity(severity)
        except ValueError:
            raise RegistryError(f"check {id}: unknown severity {severity!r}") from None
        types = tuple(resource_types)
        if not types:
            raise RegistryError(f"check {id}: resource_types is empty")
        context = tuple(context_types)
        declared_sources = tuple(sources)
        unknown_sources = set(declared_sources) - {"terraform", "aws", "kubernetes"}
        if unknown_sources:
            raise RegistryError(f"check {id}: unknown source(s) {sorted(unknown_sources)}")
        if context and scope != "inventory":
            raise RegistryError(f"check {id}: context_types needs scope='inventory'")
        spec = CheckSpec(
            id=id,
            title=title,
            severity=level,
            resource_types=types,
            function=function,
            references={k: tuple(v) for k, v in (references or {}).items()},
            scope=scope,
            aliases=tuple(aliases),
            module=function.__module__,
            context_types=context,
            sources=declared_sources,
            applies_to=applies_to,
        )
        setattr(function, SPEC_ATTRIBUTE, spec)
        return function

    return decorate


def specs_in_module(module: ModuleType) -> Iterator[CheckSpec]:
    for value in vars(module).values():
        spec = getattr(value, SPEC_ATTRIBUTE, None)
        # Only functions defined here: a module that imports another's check must not duplicate it.
        if isinstance(spec, CheckSpec) and spec.module == module.__name__:
            yield spec


def _builtin_modules() -> Iterator[ModuleType]:
    package = importlib.import_module(BUILTIN_POLICY_PACKAGE)
    for info in pkgutil.walk_packages(package.__path__, prefix=f"{BUILTIN_POLICY_PACKAGE}."):
        yield importlib.import_module(info.name)


def _user_modules(folder: Path) -> Iterator[ModuleType]:
    if not folder.is_dir():
        raise RegistryError(f"policy folder {folder} does not exist or is not a directory")
    for path in sorted(folder.rglob("*.py")):
        if any(part.startswith((".", "__")) for part in path.relative_to(folder).parts):
            continue
        relative = path.relative_to(folder).with_suffix("")
        name = "comply_user_policies." + ".".join(relative.parts)
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise RegistryError(f"{path}: cannot be imported as a policy module")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as exc:  # a user's module: report which file, not a traceback
            sys.modules.pop(name, None)
            raise RegistryError(f"{path}: failed to import: {type(exc).__name__}: {exc}") from exc
        yield module


@dataclass
class Registry:
    checks: dict[str, CheckSpec] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)

    def add(self, spec: CheckSpec) -> None:
        if spec.id in self.checks or spec.id in self.aliases:
            other = self.checks.get(spec.id) or self.checks[self.aliases[spec.id]]
            raise RegistryError(
                f"check id {spec.id!r} defined twice: in {other.module} and in {spec.module}"
            )
        self.checks[spec.id] = spec
        for alias in spec.aliases:
            self.aliases[alias] = spec.id

    def resolve(self, check_id: str) -> str | None:
        """The current id for an id or a retired alias, or None when it names no check."""
        if check_id in self.checks:
            return check_id
        return self.aliases.get(check_id)

    def __iter__(self) -> Iterator[CheckSpec]:
        return iter(sorted(self.checks.values(), key=lambda s: s.id))

    def __len__(self) -> int:
        return len(self.checks)


def load_registry(user_folders: Iterable[Path] = (), *, builtin: bool = True) -> Registry:
    registry = Registry()
    modules: list[ModuleType] = list(_builtin_modules()) if builtin else []
    for folder in user_folders:
        modules.extend(_user_modules(folder))
    for module in modules:
        for spec in specs_in_module(module):
            registry.add(spec)
    return registry
