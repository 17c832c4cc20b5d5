"""Run checkov concurrently with comply's own scan and fold its results into the report.

A thread waits on the checkov process and parses its report, another loads the mapping, while
comply loads and evaluates: what is left after checkov exits is parsing its report and the merge.
Whatever goes wrong with checkov becomes a scan error naming the engine (exit 2); comply's own
findings are reported all the same.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from scanner.compliance.assessment import ScanOptions
from scanner.compliance.attestations import attestations_by_control
from scanner.compliance.catalog import Catalog
from scanner.compliance.results import ScanReport
from scanner.compliance.rollup import rollup_controls
from scanner.core.gc_pause import cyclic_gc_paused
from scanner.core.model import ControlRef, ScanError
from scanner.core.registry import Registry
from scanner.engines import checkov_cache
from scanner.engines.checkov_findings import merge_checkov_results
from scanner.engines.checkov_mapping import (
    EngineMapping,
    MappingError,
    load_checkov_mapping,
    require_known_controls,
)
from scanner.engines.checkov_runner import (
    DEFAULT_TIMEOUT_SECONDS,
    ENGINE,
    CheckovResult,
    EngineError,
    checkov_options,
    find_checkov,
    installed_version,
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
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="checkov")
        self._future: Future[list[CheckovResult]] = self._pool.submit(
            cached_run, folder, source, executable, timeout, cache_dir
        )
        # Loaded while checkov runs, not after it exits: then it is on no one's path.
        self._mapping: Future[EngineMapping] = self._pool.submit(load_checkov_mapping)
        self._pool.shutdown(wait=False)

    engine = ENGINE

    def add_to(
        self, report: ScanReport, *, registry: Registry, catalog: Catalog, options: ScanOptions
    ) -> bool:
        """Merge checkov's findings into `report`; False when there were none to give (the
        error is in the report)."""
        try:
            results, mapping = self._future.result(), self._mapping.result()
            require_known_controls(mapping, {control.ref for control in catalog.controls()})
        except (EngineError, MappingError) as exc:
            report.errors.append(ScanError(target=ENGINE, message=str(exc)))
            return False
        with cyclic_gc_paused():  # thousands of findings that all live on: no cyclic garbage
            self._merge(
                report, results, mapping, registry=registry, catalog=catalog, options=options
            )
        return True

    def _merge(
        self,
        report: ScanReport,
        results: list[CheckovResult],
        mapping: EngineMapping,
        *,
        registry: Registry,
        catalog: Catalog,
        options: ScanOptions,
    ) -> None:
        today = options.today or report.started_at.astimezone(UTC).date()
        outcome = merge_checkov_results(
            rebased(results, self.folder, Path(report.root)),
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
        by_control: dict[ControlRef, set[str]] = defaultdict(set)
        for finding in added:
            for ref in finding.controls:
                by_control[ref].add(finding.check_id)
        report.controls = rollup_controls(
            catalog.with_checks(by_control),
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
        file_set = checkov_cache.file_set_digest(folder)
    except OSError:
        return run_checkov(folder, source, executable=executable, timeout=timeout)
    version = checkov_cache.remembered_version(cache_dir, executable)
    if version is None:
        version = installed_version(executable)
        if version is None:  # a checkov that cannot say its version: its results are not kept
            return run_checkov(folder, source, executable=executable, timeout=timeout)
        checkov_cache.remember_version(cache_dir, executable, version)
    key = checkov_cache.results_key(file_set, version, checkov_options(source))
    cached = checkov_cache.load(cache_dir, key)
    if cached is not None:
        return cached
    results = run_checkov(folder, source, executable=executable, timeout=timeout)
    checkov_cache.store(cache_dir, key, results)
    return results


def rebased(results: list[CheckovResult], scanned: Path, root: Path) -> list[CheckovResult]:
    """checkov's path is relative to the folder it scanned (Terraform), to the working directory
    (Kubernetes), or absolute, always without its leading slash here; comply's locations are
    relative to the report's root. Each file is located once: thousands of results share it."""
    folder = scanned if scanned.is_dir() else scanned.parent
    cwd, resolved_root = Path.cwd(), root.resolve()
    located: dict[tuple[str, str], str | None] = {}

    def relative(result: CheckovResult) -> str | None:
        candidates = [Path(result.absolute_path)] if result.absolute_path else []
        candidates += [folder / result.file_path, cwd / result.file_path]
        candidates.append(Path("/") / result.file_path)
        for candidate in candidates:
            if candidate.is_file():
                try:
                    return candidate.resolve().relative_to(resolved_root).as_posix()
                except ValueError:
                    return None
        return None

    out = []
    for result in results:
        where = (result.file_path, result.absolute_path)
        if where not in located:
            located[where] = relative(result)
        path = located[where]
        if path is None or path == result.file_path:
            out.append(result)
        else:
            out.append(dataclasses.replace(result, file_path=path))
    return out
