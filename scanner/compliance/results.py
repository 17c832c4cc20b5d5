"""The outcome of one scan, as every report format and the exit code see it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from scanner.compliance.rollup import ControlStatus
from scanner.core.model import (
    Finding,
    Resource,
    ScanError,
    ScanWarning,
    Severity,
    SkippedInput,
    Status,
)
from scanner.core.registry import CheckSpec

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_INCOMPLETE = 2


@dataclass(frozen=True)
class BaselineEntry:
    check_id: str
    resource_id: str
    fingerprint: str


@dataclass
class BaselineComparison:
    """The scan's failures compared with an accepted baseline (by fingerprint, not line)."""

    path: str
    known: frozenset[str]  # fingerprints of baseline failures that still fail
    fixed: list[BaselineEntry]  # baseline failures that no longer fail
    entries: int = 0  # how many entries the baseline holds
    relocated: int = 0  # entries matched by address across scan roots, not by fingerprint
    # Entries of a second engine that did not run (or failed): neither still failing nor fixed.
    not_compared: Mapping[str, int] = field(default_factory=dict)  # engine -> entries

    @property
    def matched(self) -> int:
        return self.entries - len(self.fixed) - sum(self.not_compared.values())


@dataclass
class ScanReport:
    tool_version: str
    source: str  # terraform | aws | kubernetes | snapshot
    targets: list[str]
    # Findings' file paths are relative to this folder (SARIF wants them relative to the root).
    root: str
    started_at: datetime
    finished_at: datetime
    findings: list[Finding]
    checks: dict[str, CheckSpec]  # the checks that were run, by id (rules for SARIF, docs links)
    errors: list[ScanError] = field(default_factory=list)
    warnings: list[ScanWarning] = field(default_factory=list)
    controls: list[ControlStatus] = field(default_factory=list)
    frameworks: list[str] = field(default_factory=list)  # the frameworks the user scoped to
    severity_threshold: Severity = Severity.INFO
    resources_scanned: int = 0
    files_scanned: int = 0
    # Inputs not judged on purpose, with why (a values.yaml, an unrendered chart): not errors.
    files_skipped: int = 0
    skipped_inputs: list[SkippedInput] = field(default_factory=list)
    # The root as seen from the working directory (`infra` for `comply scan terraform infra/` run
    # at the repository root). Code scanning resolves SARIF paths against the checkout, so SARIF
    # paths carry it; empty when the root is the working directory or lies outside it.
    sarif_prefix: str = ""
    baseline: BaselineComparison | None = None
    # `--changed-since REF`: ids of the resources whose blocks changed; None when not diff-aware.
    changed_since: str | None = None
    changed_resource_ids: frozenset[str] | None = None
    inventory: list[Resource] = field(default_factory=list)  # every resource scanned
    # Where the inputs came from, for evidence: repository commit, AWS caller identity, accounts,
    # regions, the command line. JSON-able values only.
    context: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, int]:
        counts = Counter(f.status for f in self.findings)
        return {status.value: counts.get(status, 0) for status in Status}

    def is_new(self, finding: Finding) -> bool:
        """Not accepted by the baseline (every failure is new without one)."""
        return self.baseline is None or finding.fingerprint not in self.baseline.known

    def is_blocking(self, finding: Finding) -> bool:
        """A failure that gates the merge: at or above the threshold, new, and (in diff-aware
        mode) on a resource the change touched."""
        return (
            finding.status is Status.FAIL
            and finding.severity.at_least(self.severity_threshold)
            and self.is_new(finding)
            and (
                self.changed_resource_ids is None
                or finding.resource.id in self.changed_resource_ids
            )
        )

    def non_blocking_reason(self, finding: Finding) -> str | None:
        """Why a failure does not block (None when it blocks or is no failure)."""
        if finding.status is not Status.FAIL or self.is_blocking(finding):
            return None
        if not finding.severity.at_least(self.severity_threshold):
            return "below the threshold"
        if not self.is_new(finding):
            return "accepted by the baseline"
        return "on a resource the change did not touch"

    def blocking_failures(self) -> list[Finding]:
        return [f for f in self.findings if self.is_blocking(f)]

    def exit_code(self, *, soft_fail: bool = False) -> int:
        # A check that crashed did not do what was asked either: as incomplete as a parse error.
        if self.errors or any(f.status is Status.ERROR for f in self.findings):
            return EXIT_INCOMPLETE
        if self.blocking_failures() and not soft_fail:
            return EXIT_FINDINGS
        return EXIT_OK
