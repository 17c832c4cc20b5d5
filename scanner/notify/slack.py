"""The Slack message: a Block Kit summary of what changed since the previous run of the scope.

Sent: counts by severity, and the top items with resource, check and controls. Never sent: a
finding's message, a resource's attributes or any other raw evidence; every string still goes
through redaction, since ids come from scanned files.
"""

from __future__ import annotations

from typing import Any

from scanner import __version__
from scanner.core.model import Severity
from scanner.core.redaction import redact
from scanner.history.diff import DiffItem, RunDiff
from scanner.history.timestamps import iso

TOP_ITEMS = 10
# Slack rejects a section text over 3,000 characters; keep well inside it.
SECTION_LIMIT = 2900
SEVERITY_EMOJI = {
    "critical": ":red_circle:",
    "high": ":large_orange_circle:",
    "medium": ":large_yellow_circle:",
    "low": ":white_circle:",
    "info": ":white_circle:",
}


def escape(text: object) -> str:
    """Slack mrkdwn control characters, after redaction."""
    plain = str(redact(str(text)))
    return plain.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _code(text: object) -> str:
    return "`" + escape(text).replace("`", "'") + "`"


def _severity_line(counts: dict[str, int]) -> str:
    parts = [f"{name} {counts[name]}" for name in (s.value for s in reversed(Severity))]
    return " · ".join(p for p in parts if not p.endswith(" 0")) or "none"


def _item_line(item: DiffItem, note: str = "") -> str:
    f = item.finding
    controls = ", ".join(escape(c) for c in f.controls) or "no control"
    emoji = SEVERITY_EMOJI.get(f.severity, "")
    suffix = f" _({note})_" if note else ""
    what = f"{_code(f.check_id)} on {_code(f.resource_id)}"
    return f"{emoji} *{escape(f.severity)}* {what} — {controls}{suffix}"


def _section(title: str, items: list[tuple[DiffItem, str]]) -> dict[str, Any]:
    lines = [f"*{title}*"]
    for item, note in items[:TOP_ITEMS]:
        line = _item_line(item, note)
        if sum(len(x) + 1 for x in lines) + len(line) > SECTION_LIMIT - 40:
            break
        lines.append(line)
    shown = len(lines) - 1
    if len(items) > shown:
        lines.append(f"… and {len(items) - shown} more")
    return {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)}}


def headline(diff: RunDiff) -> str:
    failing = len(diff.new) + len(diff.regressed)
    if diff.before is None:
        return f"comply: first run of this scope, {failing} failure(s)"
    if not (failing or diff.resolved or diff.not_evaluated):
        return "comply: no change since the previous run"
    return f"comply: {failing} new failure(s), {len(diff.resolved)} resolved"


def slack_payload(diff: RunDiff) -> dict[str, Any]:
    after = diff.after
    compared = f" compared with {_code(diff.before.run_id)}" if diff.before else ""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": escape(headline(diff))[:150]}},
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": f"*Scope:* {_code(after.scope)}\n*Run:* {_code(after.run_id)} "
                f"({iso(after.started_at)}){compared}",
            },
        },
    ]
    failing = [(i, "") for i in diff.new] + [(i, "regressed") for i in diff.regressed]
    failing.sort(key=lambda pair: -Severity(pair[0].finding.severity).rank)
    new_counts = diff.severity_counts("new")
    for name, count in diff.severity_counts("regressed").items():
        new_counts[name] += count
    blocks.append(
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": f"*New failures*\n{_severity_line(new_counts)}"},
                {
                    "type": "mrkdwn",
                    "text": f"*Resolved*\n{_severity_line(diff.severity_counts('resolved'))}",
                },
            ],
        }
    )
    if failing:
        blocks.append(_section(f"New failures ({len(failing)})", failing))
    if diff.resolved:
        blocks.append(
            _section(f"Resolved ({len(diff.resolved)})", [(i, "") for i in diff.resolved])
        )
    context = [f"still failing: {len(diff.still_failing)}"]
    if diff.not_evaluated:
        context.append(f"failed before and not evaluated now: {len(diff.not_evaluated)}")
    if after.error_count:
        context.append(f"scan errors: {after.error_count}")
    context.append(f"comply {__version__}")
    blocks.append(
        {"type": "context", "elements": [{"type": "mrkdwn", "text": escape(" · ".join(context))}]}
    )
    return {"text": escape(headline(diff)), "blocks": blocks}
