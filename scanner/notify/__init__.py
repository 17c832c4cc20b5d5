"""Telling people what changed after a stored run: Slack (Block Kit) and generic webhooks.

Layer: imports scanner.core, scanner.compliance and scanner.history (for the diff it is handed;
docs/architecture.md). A delivery that fails is a warning, never an exception.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from scanner.core.redaction import redact
from scanner.history.diff import RunDiff, diff_to_dict
from scanner.notify.delivery import Delivery, post_json
from scanner.notify.slack import slack_payload
from scanner.notify.targets import NotifyTarget, NotifyTargetError, parse_target, parse_targets


def worth_sending(diff: RunDiff) -> bool:
    """New, regressed, resolved, or no-longer-evaluated failures, or the first run of a scope."""
    return diff.before is None or bool(
        diff.new or diff.regressed or diff.resolved or diff.not_evaluated
    )


def payload_for(target: NotifyTarget, diff: RunDiff) -> dict[str, Any]:
    if target.kind == "slack":
        return slack_payload(diff)
    document: dict[str, Any] = redact(diff_to_dict(diff))
    return document


def notify(
    diff: RunDiff,
    targets: Sequence[NotifyTarget],
    *,
    unchanged: bool = False,
    sleep: Callable[[float], None] | None = None,
) -> list[Delivery]:
    """Deliver to every target; an unchanged diff only when `unchanged` asks for it."""
    if not targets or not (unchanged or worth_sending(diff)):
        return []
    extra: dict[str, Any] = {} if sleep is None else {"sleep": sleep}
    return [post_json(target, payload_for(target, diff), **extra) for target in targets]


__all__ = [
    "Delivery",
    "NotifyTarget",
    "NotifyTargetError",
    "notify",
    "parse_target",
    "parse_targets",
    "payload_for",
    "worth_sending",
]
