"""What the history store gives back: runs and their shards, as plain data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

COMPLETE = "complete"
RUNNING = "running"
# A run whose shards have not all reported: crashed, killed, or still going. Never clean.
INCOMPLETE = "incomplete"


@dataclass(frozen=True)
class Operator:
    """Who ran a scan: the user and host, or the CI run that did."""

    user: str | None = None
    host: str | None = None
    ci_run_url: str | None = None


@dataclass(frozen=True)
class ShardStart:
    """A shard announcing itself when its scan starts (so that a crash leaves a trace)."""

    scope: str
    source: str
    started_at: datetime
    tool_version: str
    arguments: list[str]
    targets: list[str]
    run_id: str | None = None  # None: a new run with a fresh id
    shard_index: int = 0
    shard_total: int = 1
    commit: str | None = None
    operator: Operator = field(default_factory=Operator)


@dataclass(frozen=True)
class ShardHandle:
    run_id: str
    shard_index: int
    shard_total: int
    scope: str


@dataclass(frozen=True)
class ShardInfo:
    index: int
    status: str  # running | complete
    started_at: datetime
    finished_at: datetime | None
    targets: list[str]
    accounts: list[str]
    regions: list[str]
    summary: dict[str, int]
    errors: list[dict[str, Any]]


@dataclass(frozen=True)
class RunInfo:
    """One run as `comply history runs` lists it."""

    run_id: str
    scope: str
    source: str
    status: str  # complete | incomplete
    started_at: datetime
    finished_at: datetime | None  # when the last shard reported; None until complete
    shard_total: int
    shards_reported: int
    tool_version: str
    arguments: list[str]
    targets: list[str]
    accounts: list[str]
    regions: list[str]
    commit: str | None
    operator: Operator
    summary: dict[str, int]  # by status, over the shards that reported
    error_count: int

    @property
    def complete(self) -> bool:
        return self.status == COMPLETE

    def to_dict(self) -> dict[str, Any]:
        from scanner.history.timestamps import iso

        return {
            "run_id": self.run_id,
            "scope": self.scope,
            "source": self.source,
            "status": self.status,
            "started_at": iso(self.started_at),
            "finished_at": iso(self.finished_at) if self.finished_at else None,
            "shards": {"total": self.shard_total, "reported": self.shards_reported},
            "tool_version": self.tool_version,
            "arguments": self.arguments,
            "targets": self.targets,
            "accounts": self.accounts,
            "regions": self.regions,
            "commit": self.commit,
            "operator": {
                "user": self.operator.user,
                "host": self.operator.host,
                "ci_run_url": self.operator.ci_run_url,
            },
            "summary": self.summary,
            "errors": self.error_count,
        }
