"""The console report, for people: what needs attention, grouped by file and resource.

Passes are counted, not listed (a list of passes is noise on a pull request). Files come first,
by their path in the repository (as in SARIF and GitHub annotations); live-cloud findings follow,
grouped by check, with account- and region-level findings of one check folded into one line per
message (four checks x seventeen empty regions is four lines, not sixty-eight). Then a one-line
"how to fix" per failing check, scan errors and warnings, the counts, one line per control
framework, the baseline's outcome and how many failures block the run.

Width: with a width (a terminal, or COLUMNS) lines are wrapped at words with a hanging indent,
and below NARROW columns each finding becomes a block (its header, then its message). Without
one (a log, a file), one finding is one line. Messages are plain text, never rich markup, so
`[brackets]` in a message are safe. Colour only when asked (the CLI asks on a terminal only).
"""

from __future__ import annotations

import textwrap
from collections import Counter, defaultdict
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

from rich.console import Console
from rich.text import Text

from scanner.compliance.results import ScanReport
from scanner.compliance.rollup import ControlState, ControlStatus
from scanner.core.control_chars import neutralise_controls
from scanner.core.model import Finding, ScanError, Severity, Status
from scanner.core.remediation import one_line_fix, shorten
from scanner.core.wording import plural
from scanner.report.console_live import live_lines
from scanner.report.github import repository_path

NARROW = 100  # below this many columns, one finding per block
UNLIMITED = 10_000  # "no width": rich never wraps a line this long

# Listing order within a resource: what needs action first.
STATUS_ORDER = [Status.ERROR, Status.FAIL, Status.UNKNOWN, Status.SKIPPED, Status.PASS]
STATUS_STYLE = {
    Status.FAIL: "bold red",
    Status.ERROR: "bold magenta",
    Status.UNKNOWN: "yellow",
    Status.SKIPPED: "dim",
    Status.PASS: "green",
}
SEVERITY_STYLE = {
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


@dataclass(frozen=True)
class Layout:
    """How wide the output may be: None is a log or a file (never wrapped)."""

    width: int | None

    @property
    def narrow(self) -> bool:
        return self.width is not None and self.width < NARROW

    def wrap(self, head: Text, body: str, indent: int) -> list[Text]:
        """`head` followed by `body`, wrapped at words; continuation lines indented by `indent`."""
        if self.width is None:
            return [head + Text(body)]
        first_width = max(self.width - head.cell_len, 20)
        lines = textwrap.wrap(body, first_width, break_on_hyphens=False) or [""]
        out = [head + Text(lines[0])]
        rest = " ".join(lines[1:])
        if rest:
            out += [
                Text(" " * indent + line)
                for line in textwrap.wrap(
                    rest, max(self.width - indent, 20), break_on_hyphens=False
                )
            ]
        return out

    def block(self, body: str, indent: int) -> list[Text]:
        """`body` alone, indented, wrapped at words when there is a width."""
        if self.width is None:
            return [Text(" " * indent + body)]
        width = max(self.width - indent, 20)
        return [Text(" " * indent + line) for line in textwrap.wrap(body, width) or [""]]


def status_head(finding: Finding, layout: Layout, indent: int = 4) -> Text:
    text = Text(" " * indent)
    status = finding.status.value.upper()
    severity = finding.severity.value
    if layout.narrow:
        text.append(status, style=STATUS_STYLE[finding.status])
        text.append(f" {severity}", style=SEVERITY_STYLE[finding.severity])
    else:
        text.append(f"{status:<8}", style=STATUS_STYLE[finding.status])
        text.append(f" {severity:<8}", style=SEVERITY_STYLE[finding.severity])
    text.append(f" {finding.check_id}", style="bold")
    line = finding.location.start_line
    if line is not None:
        text.append(f"  line {line}", style="dim")
    return text


def one_line(text: str) -> str:
    """A message on one console line: a newline in it is shown as `\\n`, so that no text from
    the input can start a line of its own (a CI runner reads `::error ...` lines as commands)."""
    return neutralise_controls(text)


def finding_message(finding: Finding) -> str:
    message = one_line(finding.message)
    if finding.status is Status.SKIPPED:
        original = f" {finding.original_status.value}" if finding.original_status else ""
        reason = one_line(finding.suppression_reason or "no reason given")
        message += f"  (suppressed{original}: {reason})"
    return message


def finding_lines(finding: Finding, layout: Layout) -> list[Text]:
    head = status_head(finding, layout)
    if layout.narrow:  # one finding per block: the header, then the message under it
        return [head, *layout.block(finding_message(finding), 6)]
    return layout.wrap(head + Text("  "), finding_message(finding), 6)


def _sort_key(finding: Finding) -> tuple[int, int, str, str]:
    line = finding.location.start_line or 0
    return (line, STATUS_ORDER.index(finding.status), finding.resource.id, finding.check_id)


def _print_file_findings(console: Console, report: ScanReport, layout: Layout) -> None:
    groups: dict[str, list[Finding]] = defaultdict(list)
    for finding in report.findings:
        if finding.status is not Status.PASS and finding.location.file:
            groups[repository_path(finding.location.file, report)].append(finding)
    for label in sorted(groups):
        console.print(Text(label, style="bold underline"))
        by_resource: dict[str, list[Finding]] = defaultdict(list)
        for finding in sorted(groups[label], key=_sort_key):
            by_resource[finding.resource.id].append(finding)
        for resource_id, resource_findings in by_resource.items():
            console.print(Text(f"  {resource_id}", style="bold"))
            for finding in resource_findings:
                for line in finding_lines(finding, layout):
                    console.print(line)
        console.print()


def fix_lines(report: ScanReport, layout: Layout) -> list[Text]:
    """One line per failing check: what to change (full text: `comply checks show ID`)."""
    failing = sorted({f.check_id for f in report.findings if f.status is Status.FAIL})
    lines = []
    for check_id in failing:
        spec = report.checks.get(check_id)
        fix = one_line_fix(spec.remediation) if spec is not None else ""
        if not fix:
            continue
        head = Text("  ")
        head.append(check_id, style="bold")
        head.append(": ")
        room = (layout.width or 200) - head.cell_len
        if layout.narrow:  # the id alone on its line, the fix under it: still one line each
            label = Text("  ")
            label.append(check_id, style="bold")
            lines += [label, Text("    " + shorten(fix, (layout.width or 80) - 4))]
        else:
            lines.append(head + Text(shorten(fix, max(room, 40))))
    if lines:
        title = Text("How to fix", style="bold")
        title.append(" (details: comply checks show CHECK_ID)", style="dim")
        lines.insert(0, title)
    return lines


def problem_target(problem: ScanError, report: ScanReport) -> str:
    """A file of the scanned tree by its path in the repository, as findings are; any other
    target (a folder, `waivers.yaml entry 2`, `s3:GetBucketAcl us-east-1`) as it is."""
    target = problem.target
    if report.root and not Path(target).is_absolute() and (Path(report.root) / target).is_file():
        return repository_path(target, report)
    return target


def _print_problems(
    console: Console,
    title: str,
    problems: list[ScanError],
    style: str,
    layout: Layout,
    report: ScanReport,
) -> None:
    if not problems:
        return
    console.print(Text(f"{title} ({len(problems)})", style=style))
    for problem in problems:
        target = problem_target(problem, report)
        where = target if problem.line is None else f"{target}:{problem.line}"
        head = Text("  ")
        head.append(where, style="bold")
        head.append("  ")
        for line in layout.wrap(head, one_line(problem.message), 4):
            console.print(line)
    console.print()


SKIPPED_SHOWN = 20


def _print_skipped(console: Console, report: ScanReport, layout: Layout) -> None:
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
        head = Text("  ")
        head.append(item.target, style="bold")
        head.append("  ")
        for line in layout.wrap(head, one_line(item.reason), 4):
            console.print(line)
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


def _summary(report: ScanReport) -> str:
    counts = report.summary()
    parts = ", ".join(f"{counts[s.value]} {_SUMMARY_WORDS[s]}" for s in Status)
    scope = f"{plural(report.resources_scanned, 'resource')}"
    if report.files_scanned:
        scope += f" in {plural(report.files_scanned, 'file')}"
    if report.files_skipped:
        scope += f", {report.files_skipped} skipped"
    return f"Summary: {parts} ({scope}, {plural(len(report.checks), 'check')})"


def _verdict(report: ScanReport) -> tuple[str, str]:
    threshold = report.severity_threshold.value
    blocking = len(report.blocking_failures())
    if blocking:
        text = f"{plural(blocking, 'blocking failure')} at or above severity {threshold}"
        style = "bold red"
    else:
        text, style = f"No blocking failure at or above severity {threshold}", "green"
    reasons = Counter(
        reason for f in report.findings if (reason := report.non_blocking_reason(f)) is not None
    )
    if reasons:
        text += " (" + ", ".join(f"{n} {why}" for why, n in sorted(reasons.items())) + ")"
    if report.errors:
        text += f"; scan incomplete: {plural(len(report.errors), 'error')}"
    return text, style


def baseline_text(report: ScanReport) -> str | None:
    """`Baseline .comply-baseline.json: 29 of 30 entries still fail (accepted), 1 fixed; 2 new
    failures` - always printed with a baseline, so a baseline that matches nothing shows."""
    comparison = report.baseline
    if comparison is None:
        return None
    new = sum(1 for f in report.findings if f.status is Status.FAIL and report.is_new(f))
    text = (
        f"Baseline {comparison.path}: {comparison.matched} of "
        f"{plural(comparison.entries, 'entry')} still "
        f"{'fails' if comparison.matched == 1 else 'fail'} (accepted), "
        f"{len(comparison.fixed)} fixed; {plural(new, 'new failure')}"
    )
    if comparison.entries and not comparison.matched and new:
        text += " - the baseline matched nothing (see the warning)"
    return text


def render(report: ScanReport, *, color: bool = False, width: int | None = None) -> str:
    """The console report; `width` in columns (None: never wrap, for logs and files)."""
    layout = Layout(width)
    buffer = StringIO()
    console = Console(
        file=buffer,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        width=width or UNLIMITED,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=width is None,  # no width: one finding, one line
    )
    if not any(f.status is not Status.PASS for f in report.findings):
        console.print(Text("No finding needs attention.", style="green"))
        console.print()
    _print_file_findings(console, report, layout)
    live = live_lines(report, layout)
    for line in live:
        console.print(line)
    fixes = fix_lines(report, layout)
    for line in fixes:
        console.print(line)
    if fixes:
        console.print()
    _print_problems(console, "Errors", list(report.errors), "bold magenta", layout, report)
    _print_problems(console, "Warnings", list(report.warnings), "yellow", layout, report)
    _print_skipped(console, report, layout)
    for line in layout.wrap(Text(), _summary(report), 2):
        console.print(line)
    lines = framework_lines(list(report.controls), report.frameworks)
    if lines:
        console.print(Text("Controls:", style="bold"))
        for framework_line in lines:
            for wrapped in layout.wrap(Text("  "), framework_line, 4):
                console.print(wrapped)
    baseline = baseline_text(report)
    if baseline is not None:
        for line in layout.wrap(Text(), baseline, 2):
            console.print(line)
    verdict, style = _verdict(report)
    for line in layout.wrap(Text(), verdict, 2):
        line.stylize(style)
        console.print(line)
    return buffer.getvalue()
