"""The outcome of one scan, as every report format and the exit code see it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from scanner.model import Finding, ScanError, ScanWarning, Severity, Status
from scanner.registry import CheckSpec
from scanner.rollup import ControlStatus

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_INCOMPLETE = 2


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
    # The root as seen from the working directory (`infra` for `comply scan terraform infra/` run
    # at the repository root). Code scanning resolves SARIF paths against the checkout, so SARIF
    # paths carry it; empty when the root is the working directory or lies outside it.
    sarif_prefix: str = ""

    def summary(self) -> dict[str, int]:
        counts = Counter(f.status for f in self.findings)
        return {status.value: counts.get(status, 0) for status in Status}

    def blocking_failures(self) -> list[Finding]:
        return [
            f
            for f in self.findings
            if f.status is Status.FAIL and f.severity.at_least(self.severity_threshold)
        ]

    def exit_code(self, *, soft_fail: bool = False) -> int:
        # A check that crashed did not do what was asked either: as incomplete as a parse error.
        if self.errors or any(f.status is Status.ERROR for f in self.findings):
            return EXIT_INCOMPLETE
        if self.blocking_failures() and not soft_fail:
            return EXIT_FINDINGS
        return EXIT_OK
