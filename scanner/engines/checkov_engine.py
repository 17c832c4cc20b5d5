"""Run checkov concurrently with comply's own scan and fold its results into the report.

A thread waits on the checkov process while comply loads and evaluates: the total is about
checkov's own time. Whatever goes wrong with checkov becomes a scan error naming the engine
(exit 2); comply's own findings are reported all the same.
"""

from __future__ import annotations

import dataclasses
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from scanner.compliance.assessment import ScanOptions
from scanner.compliance.attestations import attestations_by_control
from scanner.compliance.catalog import Catalog
from scanner.compliance.results import ScanReport
from scanner.compliance.rollup import rollup_controls
from scanner.core.model import Finding, ScanError
from scanner.core.registry import Registry
from scanner.engines import checkov_cache
from scanner.engines.checkov_cache import file_set_key
from scanner.engines.checkov_findings import merge_checkov_results
from scanner.engines.checkov_mapping import MappingError, load_checkov_mapping
from scanner.engines.checkov_runner import (
    DEFAULT_TIMEOUT_SECONDS,
    ENGINE,
    CheckovResult,
    EngineError,
    find_checkov,
    run_checkov,
)
from scanner.engines.installs import locate

ENGINES = ("comply", ENGINE)


class CheckovRun:
    """checkov on `folder`, started now in a thread; `add_to` waits for it and merges."""

    def __init__(
        self,
        folder: Path,
        source: str,
        *,
        executable: Path | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        cache_dir: Path | None = None,
    ) -> None:
        self.folder = folder
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="checkov")
        self._future: Future[list[CheckovResult]] = self._pool.submit(
            cached_run, folder, source, executable, timeout, cache_dir
        )
        self._pool.shutdown(wait=False)

    def add_to(
        self, report: ScanReport, *, registry: Registry, catalog: Catalog, options: ScanOptions
    ) -> None:
        try:
            results = self._future.result()
            known = {control.ref for control in catalog.controls()}
            mapping = load_checkov_mapping(known_controls=known)
        except (EngineError, MappingError) as exc:
            report.errors.append(ScanError(target=ENGINE, message=str(exc)))
            return
        today = options.today or report.started_at.astimezone(UTC).date()
        outcome = merge_checkov_results(
            [rebased(result, self.folder, Path(report.root)) for result in results],
            source=report.source,
            mapping=mapping,
            comply_findings=report.findings,
            inventory=report.inventory,
            registry=registry,
            unreadable_files=[error.target for error in report.errors],
            waivers=options.waivers,
            today=today,
        )
        in_scope = {control.ref for control in catalog.controls(options.scope)}
        for finding in outcome.findings:
            # Scoped like comply's checks: only the controls the run reports on.
            finding.controls = [ref for ref in finding.controls if ref in in_scope]
        added = [finding for finding in outcome.findings if finding.controls]
        report.findings.extend(added)
        report.warnings.extend(outcome.warnings)
        report.controls = rollup_controls(
            catalog_with_engine_findings(catalog, added),
            report.findings,
            today=today,
            scope=options.scope,
            attestations=attestations_by_control(options.attestations),
        )
        report.finished_at = datetime.now(UTC)


def cached_run(
    folder: Path, source: str, executable: Path | None, timeout: float, cache_dir: Path | None
) -> list[CheckovResult]:
    """checkov's results for this file set: from the cache when it has them, else a run."""
    if executable is None:
        executable = locate(ENGINE) or find_checkov()
    if cache_dir is None:
        return run_checkov(folder, source, executable=executable, timeout=timeout)
    try:
        key = file_set_key(folder, source, executable)
    except OSError:
        return run_checkov(folder, source, executable=executable, timeout=timeout)
    results = checkov_cache.load(cache_dir, key)
    if results is None:
        results = run_checkov(folder, source, executable=executable, timeout=timeout)
        checkov_cache.store(cache_dir, key, results)
    return results


def rebased(result: CheckovResult, scanned: Path, root: Path) -> CheckovResult:
    """checkov's path is relative to the folder it scanned (Terraform), to the working directory
    (Kubernetes), or absolute, always without its leading slash here; comply's locations are
    relative to the report's root."""
    folder = scanned if scanned.is_dir() else scanned.parent
    candidates = [Path(result.absolute_path)] if result.absolute_path else []
    candidates += [folder / result.file_path, Path.cwd() / result.file_path]
    candidates.append(Path("/") / result.file_path)
    for candidate in candidates:
        if candidate.is_file():
            try:
                relative = candidate.resolve().relative_to(root.resolve())
            except ValueError:
                return result
            return dataclasses.replace(result, file_path=relative.as_posix())
    return result


def catalog_with_engine_findings(catalog: Catalog, findings: list[Finding]) -> Catalog:
    """The catalog with each engine finding's check id added to the controls it maps to, so
    that the roll-up counts it like a comply check mapped there."""
    by_control: dict[tuple[str, str], set[str]] = {}
    for finding in findings:
        for ref in finding.controls:
            by_control.setdefault((ref.framework, ref.id), set()).add(finding.check_id)
    frameworks = {}
    for key, framework in catalog.frameworks.items():
        controls = tuple(
            dataclasses.replace(
                control,
                checks=(
                    *control.checks,
                    *sorted(by_control.get((control.framework, control.id), ())),
                ),
            )
            for control in framework.controls
        )
        frameworks[key] = dataclasses.replace(framework, controls=controls)
    return Catalog(frameworks)
