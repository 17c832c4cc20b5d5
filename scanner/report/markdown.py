"""A compact Markdown summary for a pull-request comment or `$GITHUB_STEP_SUMMARY`.

Top to bottom, in the order a reviewer needs it: a heading with the verdict, one line of counts,
the blocking (new) failures, the non-blocking failures collapsed in `<details>` (accepted by the
baseline, below the severity threshold, or on resources the change did not touch), what could not
be evaluated (unknown: never a silent pass), errors, what the baseline lists as fixed, and a table
of control status per framework.

Only what the scan concluded is written — check ids, resource ids, locations, messages, control
ids — never a resource's attributes. Cell text is escaped (HTML, Markdown punctuation, `|`, line
breaks), long cells are cut, and tables are truncated with an "… and N more" line so that the
whole summary stays under GitHub's 65,536-character comment limit. Output is deterministic.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass

from scanner.compliance.results import ScanReport
from scanner.compliance.rollup import ControlState
from scanner.core.model import Finding, ScanError, Status
from scanner.report.github import (
    controls_text,
    finding_rank,
    non_blocking_reasons,
    repository_path,
)

# GitHub rejects comment bodies over 65,536 characters; leave room for what a workflow adds.
MAX_CHARS = 60_000
CELL_MAX = 300  # characters of a message kept in one cell

_STATE_COLUMNS = [
    (ControlState.NOT_SATISFIED, "Not satisfied"),
    (ControlState.INCOMPLETE, "Incomplete"),
    (ControlState.ATTESTED, "Attested"),
    (ControlState.SATISFIED, "Satisfied"),
    (ControlState.NOT_APPLICABLE, "Not applicable"),
]
_SUMMARY_WORDS = [
    (Status.FAIL, "failed"),
    (Status.UNKNOWN, "unknown"),
    (Status.ERROR, "errored"),
    (Status.SKIPPED, "suppressed"),
    (Status.PASS, "passed"),
]


@dataclass(frozen=True)
class Limits:
    """How many rows each table may show before "… and N more"."""

    blocking: int = 100
    non_blocking: int = 50
    unknown: int = 50
    errors: int = 50
    warnings: int = 25
    fixed: int = 50
    cell: int = CELL_MAX

    def halved(self) -> Limits:
        def half(value: int) -> int:
            return max(1, value // 2)

        return Limits(
            blocking=half(self.blocking),
            non_blocking=half(self.non_blocking),
            unknown=half(self.unknown),
            errors=half(self.errors),
            warnings=half(self.warnings),
            fixed=half(self.fixed),
            cell=max(40, self.cell // 2),
        )


# --- escaping ---------------------------------------------------------------------------------

_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Markdown punctuation that could start emphasis, links, code, strikethrough or a table cell.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]~|#!])")


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def cell(text: str, limit: int = CELL_MAX) -> str:
    """Plain text for a table cell: HTML and Markdown inert, `|` escaped, breaks as `<br>`."""
    text = _CONTROL_CHARS.sub("", _shorten(text, limit))
    text = html.escape(text, quote=False)
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return _LINE_BREAK.sub("<br>", text).strip()


def code(text: str, limit: int = CELL_MAX) -> str:
    """An id as a code span that survives backticks and `|` inside a table."""
    text = _LINE_BREAK.sub(" ", _CONTROL_CHARS.sub("", _shorten(text, limit))).replace("|", "\\|")
    if not text:
        return ""
    runs = [len(run) for run in re.findall(r"`+", text)]
    fence = "`" * (max(runs, default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


# --- pieces -----------------------------------------------------------------------------------


def _location(report: ScanReport, finding: Finding, limit: int) -> str:
    location = finding.location
    if location.file:
        where = repository_path(location.file, report)
        if location.start_line is not None and location.start_line >= 1:
            where += f":{location.start_line}"
        return cell(where, limit)
    where = "/".join(p for p in (location.account, location.region) if p)
    return cell(where or finding.resource.source, limit)


def _table(header: list[str], rows: list[list[str]], total: int) -> list[str]:
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    lines.append("")
    if total > len(rows):
        lines += [f"_… and {total - len(rows)} more (see the full report)_", ""]
    return lines


def _failure_row(
    report: ScanReport, finding: Finding, limits: Limits, *, why: bool = False
) -> list[str]:
    row = [
        finding.severity.value,
        code(finding.check_id, limits.cell),
        code(finding.resource.id, limits.cell),
        _location(report, finding, limits.cell),
    ]
    if why:
        row.append(cell(", ".join(non_blocking_reasons(report, finding)), limits.cell))
    row += [cell(finding.message, limits.cell), cell(controls_text(finding), limits.cell)]
    return row


def _problem_where(problem: ScanError) -> str:
    return problem.target if problem.line is None else f"{problem.target}:{problem.line}"


def _error_count(report: ScanReport) -> int:
    return len(report.errors) + sum(f.status is Status.ERROR for f in report.findings)


def _heading(report: ScanReport, blocking: int) -> str:
    errors = _error_count(report)
    parts = []
    if blocking:
        parts.append(f"❌ {_plural(blocking, 'blocking failure')}")
    if errors:
        parts.append(f"⚠️ scan incomplete: {_plural(errors, 'error')}")
    if not parts:
        parts.append("✅ no blocking failures")
    return "## comply: " + " · ".join(parts)


def _summary_line(report: ScanReport) -> str:
    counts = report.summary()
    total = sum(counts.values())
    statuses = ", ".join(f"{counts[status.value]} {word}" for status, word in _SUMMARY_WORDS)
    scope = _plural(report.resources_scanned, "resource")
    if report.files_scanned:
        scope += f" in {_plural(report.files_scanned, 'file')}"
    if report.files_skipped:
        scope += f" ({report.files_skipped} skipped)"
    checks = _plural(len(report.checks), "check")
    threshold = report.severity_threshold.value
    return (
        f"{_plural(total, 'finding')} ({statuses}) · {scope}, {checks}"
        f" · severity threshold: **{threshold}**"
    )


def _blocking_rule_line(report: ScanReport) -> str | None:
    parts = []
    if report.baseline is not None:
        known = len(report.baseline.known)
        parts.append(
            f"baseline {code(report.baseline.path)}: "
            f"{_plural(known, 'accepted failure')} still failing, "
            f"{len(report.baseline.fixed)} fixed"
        )
    if report.changed_resource_ids is not None:
        since = f" since {code(report.changed_since)}" if report.changed_since else ""
        parts.append(
            f"changed{since}: {_plural(len(report.changed_resource_ids), 'resource')}; "
            "failures on other resources do not block"
        )
    if not parts:
        return None
    return "Only new failures block — " + " · ".join(parts)


def _section_blocking(report: ScanReport, failures: list[Finding], limits: Limits) -> list[str]:
    if not failures:
        return []
    rows = [_failure_row(report, f, limits) for f in failures[: limits.blocking]]
    header = ["Severity", "Check", "Resource", "Location", "Message", "Controls"]
    return [
        f"### Blocking failures ({len(failures)})",
        "",
        *_table(header, rows, len(failures)),
    ]


def _section_non_blocking(report: ScanReport, failures: list[Finding], limits: Limits) -> list[str]:
    if not failures:
        return []
    rows = [_failure_row(report, f, limits, why=True) for f in failures[: limits.non_blocking]]
    header = ["Severity", "Check", "Resource", "Location", "Not blocking", "Message", "Controls"]
    return [
        "<details>",
        f"<summary>Non-blocking failures ({len(failures)}): accepted in the baseline, below the "
        "severity threshold, or on resources the change did not touch</summary>",
        "",
        *_table(header, rows, len(failures)),
        "</details>",
        "",
    ]


def _section_unknown(report: ScanReport, unknown: list[Finding], limits: Limits) -> list[str]:
    if not unknown:
        return []
    rows = [
        [
            code(f.check_id, limits.cell),
            code(f.resource.id, limits.cell),
            _location(report, f, limits.cell),
            cell(f.message, limits.cell),
            cell(controls_text(f), limits.cell),
        ]
        for f in unknown[: limits.unknown]
    ]
    header = ["Check", "Resource", "Location", "Why", "Controls"]
    return [
        f"### Could not evaluate ({len(unknown)})",
        "",
        "Neither passed nor failed: the value could not be known (an unresolved variable, a "
        "computed value, a denied API call). The controls they map to stay incomplete.",
        "",
        *_table(header, rows, len(unknown)),
    ]


def _section_errors(report: ScanReport, crashed: list[Finding], limits: Limits) -> list[str]:
    rows_all = [
        [cell(_problem_where(e), limits.cell), cell(e.message, limits.cell)] for e in report.errors
    ]
    rows_all += [
        [
            f"{code(f.check_id, limits.cell)} on {code(f.resource.id, limits.cell)}",
            cell(f.message, limits.cell),
        ]
        for f in crashed
    ]
    if not rows_all:
        return []
    return [
        f"### Errors ({len(rows_all)})",
        "",
        "The scan could not do all it was asked; the run exits 2 until these are fixed.",
        "",
        *_table(["Where", "Message"], rows_all[: limits.errors], len(rows_all)),
    ]


def _section_warnings(report: ScanReport, limits: Limits) -> list[str]:
    warnings = list(report.warnings)
    if not warnings:
        return []
    rows = [
        [cell(_problem_where(w), limits.cell), cell(w.message, limits.cell)]
        for w in warnings[: limits.warnings]
    ]
    return [
        "<details>",
        f"<summary>Warnings ({len(warnings)})</summary>",
        "",
        *_table(["Where", "Message"], rows, len(warnings)),
        "</details>",
        "",
    ]


def _section_fixed(report: ScanReport, limits: Limits) -> list[str]:
    if report.baseline is None or not report.baseline.fixed:
        return []
    fixed = sorted(report.baseline.fixed, key=lambda e: (e.check_id, e.resource_id, e.fingerprint))
    rows = [
        [code(e.check_id, limits.cell), code(e.resource_id, limits.cell)]
        for e in fixed[: limits.fixed]
    ]
    return [
        f"### Fixed since baseline ({len(fixed)})",
        "",
        *_table(["Check", "Resource"], rows, len(fixed)),
    ]


def _section_controls(report: ScanReport) -> list[str]:
    by_framework: dict[str, Counter[ControlState]] = {}
    for status in report.controls:
        by_framework.setdefault(status.control.framework, Counter())[status.state] += 1
    if not by_framework:
        return []
    names = [f for f in report.frameworks if f in by_framework]
    names += [f for f in by_framework if f not in names]
    rows = [
        [cell(name), *(str(by_framework[name][state]) for state, _ in _STATE_COLUMNS)]
        for name in names
    ]
    header = ["Framework", *(title for _, title in _STATE_COLUMNS)]
    return ["### Controls", "", *_table(header, rows, len(rows))]


def _compose(report: ScanReport, limits: Limits) -> str:
    ordered = sorted(report.findings, key=lambda f: finding_rank(report, f))
    failures = [f for f in ordered if f.status is Status.FAIL]
    blocking = [f for f in failures if report.is_blocking(f)]
    non_blocking = [f for f in failures if not report.is_blocking(f)]
    unknown = [f for f in ordered if f.status is Status.UNKNOWN]
    crashed = [f for f in ordered if f.status is Status.ERROR]
    lines = [_heading(report, len(blocking)), "", _summary_line(report), ""]
    rule = _blocking_rule_line(report)
    if rule:
        lines += [rule, ""]
    lines += _section_blocking(report, blocking, limits)
    lines += _section_non_blocking(report, non_blocking, limits)
    lines += _section_unknown(report, unknown, limits)
    lines += _section_errors(report, crashed, limits)
    lines += _section_warnings(report, limits)
    lines += _section_fixed(report, limits)
    lines += _section_controls(report)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n"


def render(report: ScanReport, *, color: bool = False, max_chars: int = MAX_CHARS) -> str:
    """The summary; tables shrink (halving their row limits) until it fits in `max_chars`."""
    del color
    limits = Limits()
    text = _compose(report, limits)
    while len(text) > max_chars:
        smaller = limits.halved()
        if smaller == limits:
            notice = "\n\n_… summary cut to fit; see the full report._\n"
            return text[: max_chars - len(notice)].rstrip() + notice
        limits = smaller
        text = _compose(report, limits)
    return text


__all__ = ["CELL_MAX", "MAX_CHARS", "Limits", "cell", "code", "render"]
