"""`--notify slack=URL`, `--notify webhook=URL` and the `notify:` list of .comply.yaml.

A webhook URL is a credential (whoever has a Slack incoming-webhook URL can post to the channel),
so `env:NAME` reads it from an environment variable (a Kubernetes Secret, a CI secret) and
nothing comply prints or stores shows more of it than the scheme and host.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

KINDS = ("slack", "webhook")


class NotifyTargetError(ValueError):
    """A --notify value comply cannot use; the message never contains the URL itself."""


@dataclass(frozen=True)
class NotifyTarget:
    kind: str  # slack | webhook
    url: str

    @property
    def shown(self) -> str:
        """What may be printed: `slack (hooks.slack.com)`."""
        return f"{self.kind} ({urlsplit(self.url).hostname or '?'})"


def parse_target(value: str) -> NotifyTarget:
    kind, separator, where = value.partition("=")
    kind = kind.strip().lower()
    if not separator or kind not in KINDS:
        raise NotifyTargetError(
            f"--notify {kind or value[:10]}...: expected slack=URL or webhook=URL "
            "(or slack=env:VARIABLE)"
        )
    where = where.strip()
    if where.startswith("env:"):
        name = where[4:]
        where = os.environ.get(name, "").strip()
        if not where:
            raise NotifyTargetError(f"--notify {kind}=env:{name}: {name} is not set or empty")
    parts = urlsplit(where)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise NotifyTargetError(f"--notify {kind}=...: not an http(s) URL")
    return NotifyTarget(kind, where)


def parse_targets(values: Iterable[str]) -> list[NotifyTarget]:
    return [parse_target(value) for value in values]
