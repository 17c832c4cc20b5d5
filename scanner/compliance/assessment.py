"""Turn an inventory into a ScanReport: choose the checks, evaluate, roll up to controls.

Source-agnostic: the Terraform, AWS and Kubernetes commands all load an inventory their own way
and then call `build_report`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from scanner import __version__
from scanner.compliance.attestations import Attestation, attestations_by_control
from scanner.compliance.catalog import Catalog, CatalogError, Scope
from scanner.compliance.results import ScanReport
from scanner.compliance.rollup import rollup_controls
from scanner.compliance.suppressions import evaluate_with_suppressions
from scanner.compliance.waivers import Waiver
from scanner.core.model import Resource, ScanError, ScanWarning, Severity, SkippedInput
from scanner.core.registry import CheckSpec, Registry
from scanner.core.wording import did_you_mean


class SelectionError(Exception):
    """The user asked for a framework, category or check that does not exist."""


@dataclass
class ScanOptions:
    frameworks: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    severity_threshold: Severity = Severity.INFO
    only_checks: list[str] = field(default_factory=list)
    skip_checks: list[str] = field(default_factory=list)
    attestations: list[Attestation] = field(default_factory=list)
    waivers: list[Waiver] = field(default_factory=list)
    allow_inline_skips: bool = True
    today: date | None = None  # the evaluation date (attestation and skip expiry); default: today

    @property
    def scope(self) -> Scope:
        return Scope(frameworks=tuple(self.frameworks), categories=tuple(self.categories))

    @property
    def scoped(self) -> bool:
        return bool(self.frameworks or self.categories)


def _resolve_ids(registry: Registry, ids: Iterable[str], flag: str) -> set[str]:
    resolved: set[str] = set()
    for check_id in ids:
        current = registry.resolve(check_id)
        if current is None:
            known = [*registry.checks, *registry.aliases]
            hint = did_you_mean(check_id, known) or " (see `comply checks list`)"
            raise SelectionError(f"{flag}: no check with id {check_id!r}{hint}")
        resolved.add(current)
    return resolved


def select_checks(registry: Registry, catalog: Catalog, options: ScanOptions) -> list[CheckSpec]:
    try:
        catalog.validate_scope(options.scope)
    except CatalogError as exc:
        raise SelectionError(str(exc)) from None
    only = _resolve_ids(registry, options.only_checks, "--check")
    skip = _resolve_ids(registry, options.skip_checks, "--skip-check")
    in_scope = set(catalog.controls_by_check(options.scope)) if options.scoped else None
    selected = []
    for spec in registry:
        if only and spec.id not in only:
            continue
        if spec.id in skip:
            continue
        # A user's own check mapped to no framework still runs unless the user scoped the run.
        if in_scope is not None and spec.id not in in_scope:
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
    files_skipped: int = 0,
    skipped_inputs: Sequence[SkippedInput] = (),
    catalog: Catalog,
    options: ScanOptions,
) -> ScanReport:
    today = options.today or started_at.astimezone(UTC).date()
    checks = select_checks(registry, catalog, options)
    controls_by_check = catalog.controls_by_check(options.scope)
    evaluation = evaluate_with_suppressions(
        inventory,
        checks,
        registry,
        controls_by_check,
        today=today,
        waivers=options.waivers,
        allow_inline_skips=options.allow_inline_skips,
    )
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
        controls=rollup_controls(
            catalog,
            evaluation.findings,
            today=today,
            scope=options.scope,
            attestations=attestations_by_control(options.attestations),
        ),
        frameworks=list(options.frameworks) or list(catalog.frameworks),
        severity_threshold=options.severity_threshold,
        resources_scanned=len(inventory),
        inventory=list(inventory),
        files_scanned=files_scanned,
        files_skipped=files_skipped,
        skipped_inputs=list(skipped_inputs),
    )
