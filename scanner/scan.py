"""Turn an inventory into a ScanReport: choose the checks, evaluate, roll up to controls.

Source-agnostic: the Terraform, AWS and Kubernetes commands all load an inventory their own way
and then call `build_report`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from scanner import __version__
from scanner.controls import Catalog, rollup_controls
from scanner.engine import evaluate
from scanner.model import Resource, ScanError, ScanWarning, Severity
from scanner.registry import CheckSpec, Registry
from scanner.results import ScanReport


class SelectionError(Exception):
    """The user asked for a framework or check that does not exist."""


@dataclass
class ScanOptions:
    frameworks: list[str] = field(default_factory=list)
    severity_threshold: Severity = Severity.INFO
    only_checks: list[str] = field(default_factory=list)
    skip_checks: list[str] = field(default_factory=list)


def _resolve_ids(registry: Registry, ids: Iterable[str], flag: str) -> set[str]:
    resolved: set[str] = set()
    for check_id in ids:
        current = registry.resolve(check_id)
        if current is None:
            raise SelectionError(
                f"{flag}: no check with id {check_id!r} (see `comply checks list`)"
            )
        resolved.add(current)
    return resolved


def select_checks(registry: Registry, catalog: Catalog, options: ScanOptions) -> list[CheckSpec]:
    unknown = [f for f in options.frameworks if f not in catalog.frameworks]
    if unknown:
        known = ", ".join(sorted(catalog.frameworks))
        raise SelectionError(f"unknown framework {unknown[0]!r}; known: {known}")
    only = _resolve_ids(registry, options.only_checks, "--check")
    skip = _resolve_ids(registry, options.skip_checks, "--skip-check")
    in_frameworks = (
        set(catalog.controls_by_check(options.frameworks)) if options.frameworks else None
    )
    selected = []
    for spec in registry:
        if only and spec.id not in only:
            continue
        if spec.id in skip:
            continue
        # A user's own check mapped to no framework still runs unless the user scoped by framework.
        if in_frameworks is not None and spec.id not in in_frameworks:
            continue
        selected.append(spec)
    return selected


def build_report(
    *,
    source: str,
    targets: Sequence[str],
    root: str,
    sarif_prefix: str = "",
    started_at: datetime,
    inventory: Sequence[Resource],
    load_errors: Sequence[ScanError],
    load_warnings: Sequence[ScanWarning],
    files_scanned: int,
    registry: Registry,
    catalog: Catalog,
    options: ScanOptions,
) -> ScanReport:
    checks = select_checks(registry, catalog, options)
    controls_by_check = catalog.controls_by_check(options.frameworks or None)
    evaluation = evaluate(inventory, checks, registry, controls_by_check)
    return ScanReport(
        tool_version=__version__,
        source=source,
        targets=list(targets),
        root=root,
        sarif_prefix=sarif_prefix,
        started_at=started_at,
        finished_at=datetime.now(UTC),
        findings=evaluation.findings,
        checks={spec.id: spec for spec in checks},
        errors=list(load_errors),
        warnings=[*load_warnings, *evaluation.warnings],
        controls=rollup_controls(catalog, evaluation.findings, options.frameworks or None),
        frameworks=list(options.frameworks),
        severity_threshold=options.severity_threshold,
        resources_scanned=len(inventory),
        files_scanned=files_scanned,
    )
