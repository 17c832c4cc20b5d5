"""The console report, for people: what needs attention, grouped by file and resource.

Passes are counted, not listed (a list of passes is noise on a pull request). Then scan errors and
warnings, the counts, one line per control framework and how many failures block the run.
Rendered with rich into a string; colour only when asked (the CLI asks on a terminal only).
Messages are printed as plain text, never as rich markup, so `[brackets]` in a message are safe.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from io import StringIO

from rich.console import Console
from rich.text import Text

from scanner.compliance.results import ScanReport
from scanner.compliance.rollup import ControlState, ControlStatus
from scanner.core.model import Finding, ScanError, Severity, Status
from scanner.core.wording import plural

WIDTH = 120

# Listing order within a resource: what needs action first.
_STATUS_ORDER = [Status.ERROR, Status.FAIL, Status.UNKNOWN, Status.SKIPPED, Status.PASS]
_STATUS_STYLE = {
    Status.FAIL: "bold red",
    Status.ERROR: "bold magenta",
    Status.UNKNOWN: "yellow",
    Status.SKIPPED: "dim",
    Status.PASS: "green",
}
_SEVERITY_STYLE = {
    Severity.CRITICAL: "bold red",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}
_STATE_ORDER = [
    ControlState.NOT_SATISFIED,
    ControlState.INCOMPLETE,
    ControlState.ATTESTED,
    ControlState.SATISFIED,
    ControlState.NOT_APPLICABLE,
]
_SUMMARY_WORDS = {
    Status.PASS: "passed",
    Status.FAIL: "failed",
    Status.UNKNOWN: "unknown",
    Status.ERROR: "errored",
    Status.SKIPPED: "suppressed",
}


def _group_label(finding: Finding) -> str:
    location = finding.location
    if location.file:
        return location.file
    where = "/".join(p for p in (location.account, location.region) if p)
    return f"{finding.resource.source} {where}".strip() if where else finding.resource.source


def _sort_key(finding: Finding) -> tuple[int, int, str, str]:
    line = finding.location.start_line or 0
    return (line, _STATUS_ORDER.index(finding.status), finding.resource.id, finding.check_id)


def _finding_line(finding: Finding) -> Text:
    line = finding.location.start_line
    text = Text("    ")
    text.append(f"{finding.status.value.upper():<8}", style=_STATUS_STYLE[finding.status])
    text.append(f" {finding.severity.value:<8}", style=_SEVERITY_STYLE[finding.severity])
    text.append(f" {finding.check_id}", style="bold")
    text.append(f"  line {line}" if line is not None else "", style="dim")
    text.append(f"  {finding.message}")
    if finding.status is Status.SKIPPED:
        original = f" {finding.original_status.value}" if finding.original_status else ""
        reason = finding.suppression_reason or "no reason given"
        text.append(f"  (suppressed{original}: {reason})", style="dim")
    return text


def _print_findings(console: Console, findings: list[Finding]) -> None:
    groups: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        groups[_group_label(finding)].append(finding)
    if not groups:
        console.print(Text("No finding needs attention.", style="green"))
        console.print()
    # Files first, in path order; then live-cloud locations (account/region).
    for label in sorted(groups, key=lambda g: (groups[g][0].location.file is None, g)):
        console.print(Text(label, style="bold underline"))
        by_resource: dict[str, list[Finding]] = defaultdict(list)
        for finding in sorted(groups[label], key=_sort_key):
            by_resource[finding.resource.id].append(finding)
        for resource_id, resource_findings in by_resource.items():
            console.print(Text(f"  {resource_id}", style="bold"))
            for finding in resource_findings:
                console.print(_finding_line(finding))
        console.print()


def _problem_line(problem: ScanError) -> Text:
    where = problem.target if problem.line is None else f"{problem.target}:{problem.line}"
    text = Text("  ")
    text.append(where, style="bold")
    text.append(f"  {problem.message}")
    return text


def _print_problems(console: Console, title: str, problems: list[ScanError], style: str) -> None:
    if not problems:
        return
    console.print(Text(f"{title} ({len(problems)})", style=style))
    for problem in problems:
        console.print(_problem_line(problem))
    console.print()


SKIPPED_SHOWN = 20


def _print_skipped(console: Console, report: ScanReport) -> None:
    """Inputs not judged on purpose: each one that needs an action (a chart to render, a
    template, a Component), then a count per kind; files that hold no object only as a count."""
    skipped = report.skipped_inputs
    if not skipped:
        return
    counts = Counter(item.category for item in skipped)
    kinds = ", ".join(f"{n} {category.replace('_', ' ')}" for category, n in sorted(counts.items()))
    console.print(Text(f"Skipped ({len(skipped)}: {kinds})", style="dim"))
    worth_a_line = [item for item in skipped if item.category != "not_kubernetes"]
    for item in worth_a_line[:SKIPPED_SHOWN]:
        text = Text("  ")
        text.append(item.target, style="bold")
        text.append(f"  {item.reason}")
        console.print(text)
    if len(worth_a_line) > SKIPPED_SHOWN:
        console.print(Text(f"  ... and {len(worth_a_line) - SKIPPED_SHOWN} more (see -o json)"))
    console.print()


def framework_lines(controls: list[ControlStatus], order: list[str] | None = None) -> list[str]:
    """`hipaa: 14 controls — 3 not satisfied, 5 incomplete, 4 satisfied, 2 not applicable`."""
    by_framework: dict[str, Counter[ControlState]] = defaultdict(Counter)
    for status in controls:
        by_framework[status.control.framework][status.state] += 1
    names = [f for f in order or [] if f in by_framework]
    names += [f for f in by_framework if f not in names]
    lines = []
    for name in names:
        counts = by_framework[name]
        parts = ", ".join(
            f"{counts[state]} {state.value.replace('_', ' ')}" for state in _STATE_ORDER
        )
        total = sum(counts.values())
        lines.append(f"{name}: {plural(total, 'control')} — {parts}")
    return lines


def _summary(report: ScanReport) -> Text:
    counts = report.summary()
    text = Text()
    text.append("Summary: ", style="bold")
    parts = [(f"{counts[s.value]} {_SUMMARY_WORDS[s]}", s) for s in Status]
    for index, (part, status) in enumerate(parts):
        if index:
            text.append(", ")
        text.append(part, style=_STATUS_STYLE[status] if counts[status.value] else "")
    scope = f" ({plural(report.resources_scanned, 'resource')}"
    if report.files_scanned:
        scope += f" in {plural(report.files_scanned, 'file')}"
    if report.files_skipped:
        scope += f", {report.files_skipped} skipped"
    text.append(scope + f", {plural(len(report.checks), 'check')})")
    return text


def _verdict(report: ScanReport) -> Text:
    threshold = report.severity_threshold.value
    blocking = len(report.blocking_failures())
    if blocking:
        text = Text(
            f"{plural(blocking, 'blocking failure')} at or above severity {threshold}",
            style="bold red",
        )
    else:
        text = Text(f"No blocking failure at or above severity {threshold}", style="green")
    reasons = Counter(
        reason for f in report.findings if (reason := report.non_blocking_reason(f)) is not None
    )
    if reasons:
        text.append(" (" + ", ".join(f"{n} {why}" for why, n in sorted(reasons.items())) + ")")
    if report.errors:
        text.append(
            f"; scan incomplete: {plural(len(report.errors), 'error')}",
            style="bold magenta",
        )
    return text


def baseline_line(report: ScanReport) -> Text | None:
    """`Baseline .comply-baseline.json: 29 of 30 entries still fail (accepted), 1 fixed; 2 new
    failures` - always printed with a baseline, so a baseline that matches nothing shows."""
    comparison = report.baseline
    if comparison is None:
        return None
    new = sum(1 for f in report.findings if f.status is Status.FAIL and report.is_new(f))
    text = Text()
    text.append(f"Baseline {comparison.path}: ", style="bold")
    text.append(
        f"{comparison.matched} of {plural(comparison.entries, 'entry')} still "
        f"{'fails' if comparison.matched == 1 else 'fail'} (accepted), "
        f"{len(comparison.fixed)} fixed; {plural(new, 'new failure')}"
    )
    if comparison.entries and not comparison.matched and new:
        text.append(" - the baseline matched nothing (see the warning)", style="bold yellow")
    return text


def render(report: ScanReport, *, color: bool = False) -> str:
    buffer = StringIO()
    console = Console(
        file=buffer,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        width=WIDTH,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=True,  # one finding, one line: no wrapping in logs or files
    )
    listed = [f for f in report.findings if f.status is not Status.PASS]
    _print_findings(console, listed)
    _print_problems(console, "Errors", list(report.errors), "bold magenta")
    _print_problems(console, "Warnings", list(report.warnings), "yellow")
    _print_skipped(console, report)
    console.print(_summary(report))
    lines = framework_lines(list(report.controls), report.frameworks)
    if lines:
        console.print(Text("Controls:", style="bold"))
        for line in lines:
            console.print(Text(f"  {line}"))
    baseline = baseline_line(report)
    if baseline is not None:
        console.print(baseline)
    console.print(_verdict(report))
    return buffer.getvalue()
