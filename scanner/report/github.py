"""GitHub Actions workflow commands: one annotation per finding that needs a look.

`::error file=<path>,line=<start>,endLine=<end>,title=<check id>::<message>` — `error` for a
blocking failure, `warning` for a failure that does not block (accepted by the baseline, below the
severity threshold, or outside the changed resources), `notice` for a check that could not evaluate
(unknown). A check that crashed and a scan error (a file that could not be parsed) are errors:
the run is incomplete. Passes and suppressed findings are not annotated.

Paths are relative to the repository (the checkout): the scanned root as seen from the working
directory (`report.sarif_prefix`) joined with the finding's root-relative file, as for SARIF.
Values are escaped as the Actions runner unescapes them (`%`, CR, LF; in properties also `:` and
`,`), so a message cannot end the command early or inject a second one.

GitHub shows at most 10 annotations of each level per step in the UI (all of them stay in the log),
so annotations are ordered by importance: blocking failures first, most severe first.
"""

from __future__ import annotations

from pathlib import PurePath, PurePosixPath, PureWindowsPath

from scanner.compliance.results import ScanReport
from scanner.core.model import Finding, ScanError, Status

SCAN_ERROR_TITLE = "comply: scan error"
SCAN_WARNING_TITLE = "comply: scan warning"


def escape_data(text: str) -> str:
    """The message part of a workflow command (after `::`)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value (`file=`, `title=`, ...): also `:` and `,`, which end a property."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _native(path: str) -> PurePath:
    windows = PureWindowsPath(path)
    return windows if windows.drive or "\\" in path else PurePosixPath(path)


def repository_path(file: str, report: ScanReport) -> str:
    """A finding's file as seen from the repository root, posix: `infra/modules/s3.tf`.

    Findings carry paths relative to the scanned root; `report.sarif_prefix` is that root relative
    to the working directory (the checkout in CI). An absolute path under the root is made
    relative first; one outside it is returned as it is (posix), since nothing better is known.
    """
    path = _native(file)
    if path.is_absolute():
        try:
            path = path.relative_to(_native(report.root))
        except ValueError:
            return path.as_posix()
    relative = PurePosixPath(*path.parts).as_posix()
    if relative in ("", "."):
        relative = ""
    prefix = report.sarif_prefix.strip("/")
    if prefix and relative:
        return f"{prefix}/{relative}"
    return relative or prefix


def finding_rank(report: ScanReport, finding: Finding) -> tuple[int, int, str, int, str, str]:
    """Sort key: blocking before non-blocking, most severe first, then by place and id."""
    location = finding.location
    return (
        0 if report.is_blocking(finding) else 1,
        -finding.severity.rank,
        location.file or "\uffff",  # live-cloud findings (no file) after files
        location.start_line or 0,
        finding.check_id,
        finding.resource.id,
    )


def _level(report: ScanReport, finding: Finding) -> str | None:
    if finding.status is Status.FAIL:
        return "error" if report.is_blocking(finding) else "warning"
    if finding.status is Status.UNKNOWN:
        return "notice"
    if finding.status is Status.ERROR:
        return "error"
    return None


def _properties(pairs: list[tuple[str, str | int | None]]) -> str:
    parts = [f"{key}={escape_property(str(value))}" for key, value in pairs if value is not None]
    return " " + ",".join(parts) if parts else ""


def _place(
    file: str | None, start: int | None, end: int | None, report: ScanReport
) -> list[tuple[str, str | int | None]]:
    if not file:
        return []
    path = repository_path(file, report)
    line = start if start is not None and start >= 1 else None
    end_line = end if line is not None and end is not None and end >= line else None
    return [("file", path), ("line", line), ("endLine", end_line)]


def _qualifier(report: ScanReport, finding: Finding) -> str:
    if finding.status is Status.UNKNOWN:
        return "could not evaluate"
    if finding.status is Status.ERROR:
        return "check error"
    if report.is_blocking(finding):
        return "blocking"
    return ", ".join(non_blocking_reasons(report, finding))


def non_blocking_reasons(report: ScanReport, finding: Finding) -> list[str]:
    """Why a failure does not gate the merge (empty for a blocking one)."""
    reasons = []
    if not report.is_new(finding):
        reasons.append("accepted in baseline")
    if not finding.severity.at_least(report.severity_threshold):
        reasons.append(f"below threshold {report.severity_threshold.value}")
    if (
        report.changed_resource_ids is not None
        and finding.resource.id not in report.changed_resource_ids
    ):
        reasons.append("resource not changed")
    return reasons


def controls_text(finding: Finding) -> str:
    """`hipaa 164.312(a)(2)(iv), soc2 CC6.1`, sorted, without duplicates."""
    refs = sorted({(ref.framework, ref.id) for ref in finding.controls})
    return ", ".join(f"{framework} {control_id}" for framework, control_id in refs)


def _message(report: ScanReport, finding: Finding) -> str:
    details = [finding.severity.value, _qualifier(report, finding)]
    controls = controls_text(finding)
    if controls:
        details.append(controls)
    return f"{finding.resource.id}: {finding.message} ({'; '.join(details)})"


def _finding_command(report: ScanReport, finding: Finding, level: str) -> str:
    location = finding.location
    properties = _place(location.file, location.start_line, location.end_line, report)
    properties.append(("title", finding.check_id))
    return f"::{level}{_properties(properties)}::{escape_data(_message(report, finding))}"


def _problem_command(report: ScanReport, problem: ScanError, level: str, title: str) -> str:
    # Targets are root-relative files, except for problems with the scanned path itself (which
    # may be a folder): only a file gets `file=`; the message always names the target.
    is_file = bool(PurePosixPath(problem.target.replace("\\", "/")).suffix)
    properties = _place(problem.target, problem.line, None, report) if is_file else []
    properties.append(("title", title))
    where = problem.target if problem.line is None else f"{problem.target}:{problem.line}"
    return f"::{level}{_properties(properties)}::{escape_data(f'{where}: {problem.message}')}"


_LEVEL_ORDER = {"error": 0, "warning": 1, "notice": 2}


def render(report: ScanReport, *, color: bool = False) -> str:
    """One workflow command per line; empty when nothing needs a look."""
    del color
    annotated = [
        (level, finding)
        for finding in report.findings
        if (level := _level(report, finding)) is not None
    ]
    annotated.sort(key=lambda pair: (_LEVEL_ORDER[pair[0]], finding_rank(report, pair[1])))
    lines = [_problem_command(report, e, "error", SCAN_ERROR_TITLE) for e in report.errors]
    lines += [_finding_command(report, finding, level) for level, finding in annotated]
    lines += [_problem_command(report, w, "warning", SCAN_WARNING_TITLE) for w in report.warnings]
    return "".join(line + "\n" for line in lines)


__all__ = [
    "controls_text",
    "escape_data",
    "escape_property",
    "finding_rank",
    "non_blocking_reasons",
    "render",
    "repository_path",
]
