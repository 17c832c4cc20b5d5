"""Text views of runs, diffs and timelines: console (plain, aligned) and Markdown.

JSON views are the `*_to_dict` functions next to each model. Markdown cells are escaped: ids and
messages come from scanned files and must not turn into links, HTML or table breaks.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from scanner.history.diff import CATEGORIES, DiffItem, RunDiff
from scanner.history.model import RunInfo
from scanner.history.timeline import Timeline
from scanner.history.timestamps import iso

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]#!|<>~])")
_BREAKS = re.compile(r"[\r\n\t\x00-\x08\x0b-\x1f\x7f]+")
HEADINGS = {
    "new": "New failures",
    "regressed": "Regressed (fixed once, failing again)",
    "resolved": "Resolved",
    "not_evaluated": "Failed before, not evaluated now (not resolved)",
    "still_failing": "Still failing",
}


def cell(text: object) -> str:
    plain = _BREAKS.sub(" ", str(text))
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(plain, quote=False))


def code(text: object) -> str:
    """An id as a code span: nothing inside renders; `|` is escaped for the table."""
    plain = _BREAKS.sub(" ", str(text)).replace("`", "'").replace("|", "\\|")
    return f"`{plain}`" if plain else ""


def _table(
    headers: Sequence[str], rows: Sequence[Sequence[object]], ids: Sequence[int] = ()
) -> list[str]:
    """A Markdown table; the columns numbered in `ids` hold identifiers (code spans)."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += [
        "| " + " | ".join(code(v) if i in ids else cell(v) for i, v in enumerate(row)) + " |"
        for row in rows
    ]
    return lines


def _columns(rows: Sequence[Sequence[object]]) -> list[str]:
    texts = [[_BREAKS.sub(" ", str(v)) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in texts) for i in range(len(texts[0]))] if texts else []
    return [
        "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in texts
    ]


def _run_row(run: RunInfo) -> list[object]:
    summary = run.summary
    shards = f"{run.shards_reported}/{run.shard_total}"
    return [
        run.run_id,
        iso(run.started_at),
        run.status,
        shards,
        run.scope,
        summary.get("fail", 0),
        summary.get("pass", 0),
        summary.get("unknown", 0) + summary.get("error", 0),
        run.error_count,
    ]


RUN_HEADERS = ["run", "started", "status", "shards", "scope", "fail", "pass", "unknown", "errors"]


def runs_console(runs: Sequence[RunInfo]) -> str:
    if not runs:
        return "no runs in the history store\n"
    return "\n".join(_columns([RUN_HEADERS, *(_run_row(r) for r in runs)])) + "\n"


def runs_markdown(runs: Sequence[RunInfo]) -> str:
    lines = ["## Scan history", ""]
    if not runs:
        return "\n".join([*lines, "No runs in the history store.", ""])
    return "\n".join([*lines, *_table(RUN_HEADERS, [_run_row(r) for r in runs], (0, 4)), ""])


def _item_row(item: DiffItem) -> list[object]:
    f = item.finding
    since = iso(item.failing_since)[:10] if item.failing_since else ""
    age = f"{item.age_days} d" if item.age_days is not None else ""
    return [f.severity, f.check_id, f.resource_id, ", ".join(f.controls), since, age, item.reason]


ITEM_HEADERS = ["severity", "check", "resource", "controls", "failing since", "age", "note"]


def _diff_header(diff: RunDiff) -> list[str]:
    before = f"{diff.before.run_id} ({iso(diff.before.started_at)})" if diff.before else "(none)"
    after = f"{diff.after.run_id} ({iso(diff.after.started_at)})"
    return [f"scope:  {diff.after.scope}", f"before: {before}", f"after:  {after}"]


def _counts_line(diff: RunDiff) -> str:
    parts = [f"{len(diff.category(name))} {name.replace('_', ' ')}" for name in CATEGORIES]
    parts += [f"{len(diff.appeared)} appeared", f"{len(diff.disappeared)} disappeared"]
    return ", ".join(parts)


def diff_console(diff: RunDiff) -> str:
    lines = [*_diff_header(diff), _counts_line(diff)]
    lines += [f"warning: {w}" for w in diff.warnings]
    for name in CATEGORIES:
        items = diff.category(name)
        if items:
            lines += ["", f"{HEADINGS[name]} ({len(items)})"]
            lines += [
                "  " + line for line in _columns([ITEM_HEADERS, *(_item_row(i) for i in items)])
            ]
    for title, refs in (
        ("Resources appeared", diff.appeared),
        ("Resources gone", diff.disappeared),
    ):
        if refs:
            lines += ["", f"{title} ({len(refs)})", *(f"  {r.type}  {r.id}" for r in refs)]
    if not diff.changed:
        lines += ["", "no change"]
    return "\n".join(lines) + "\n"


def diff_markdown(diff: RunDiff) -> str:
    lines = ["## What changed", "", *(f"- {cell(line)}" for line in _diff_header(diff))]
    lines += ["", cell(_counts_line(diff)), ""]
    lines += [f"> **Warning:** {cell(w)}" for w in diff.warnings]
    for name in CATEGORIES:
        items = diff.category(name)
        if items:
            lines += ["", f"### {HEADINGS[name]} ({len(items)})", ""]
            lines += _table(ITEM_HEADERS, [_item_row(i) for i in items], (1, 2))
    for title, refs in (
        ("Resources appeared", diff.appeared),
        ("Resources gone", diff.disappeared),
    ):
        if refs:
            lines += ["", f"### {title} ({len(refs)})", ""]
            lines += _table(["type", "resource"], [[r.type, r.id] for r in refs], (0, 1))
    if not diff.changed:
        lines += ["", "No change."]
    return "\n".join(lines) + "\n"


def _timeline_rows(timeline: Timeline) -> list[list[object]]:
    rows: list[list[object]] = []
    for entry in timeline.entries:
        for status, first, last, count in entry.periods(timeline.runs):
            span = iso(first.started_at)[:10]
            if count > 1:
                span += f" .. {iso(last.started_at)[:10]}"
            rows.append([entry.check_id, entry.resource_id, status, span, count])
    return rows


TIMELINE_HEADERS = ["check", "resource", "status", "runs from .. to", "runs"]


def timeline_console(timeline: Timeline) -> str:
    head = f"{timeline.subject.describe()}: {len(timeline.runs)} run(s)"
    if not timeline.entries:
        return head + ", no findings\n"
    body = _columns([TIMELINE_HEADERS, *_timeline_rows(timeline)])
    return "\n".join([head, *body]) + "\n"


def timeline_markdown(timeline: Timeline) -> str:
    lines = [f"## History of {cell(timeline.subject.describe())}", ""]
    if not timeline.entries:
        return "\n".join([*lines, f"No findings in {len(timeline.runs)} run(s).", ""])
    return "\n".join([*lines, *_table(TIMELINE_HEADERS, _timeline_rows(timeline), (0, 1)), ""])
