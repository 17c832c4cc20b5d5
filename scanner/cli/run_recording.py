"""`--store` and `--notify` for scan commands: announce the run when the scan starts, store it
when it ends, then tell Slack or a webhook what changed.

A store that cannot be used never stops the scan: the reports are written first, then the store
problem is an error (exit 2). A notification that cannot be delivered is a warning.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scanner import __version__
from scanner.compliance.results import ScanReport
from scanner.core.provenance import command_line, repository_state

RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")


@dataclass(frozen=True)
class ScanScope:
    """What a scan covers, as a key that stays the same from one night to the next."""

    source: str
    targets: list[str]
    root: Path | None = None  # where to read the commit from (file sources)
    shard_index: int = 0
    shard_total: int = 1

    @property
    def key(self) -> str:
        return f"{self.source}:{' '.join(self.targets)}"


def file_scope(source: str, paths: Sequence[Path | str], root: Path | None) -> ScanScope:
    return ScanScope(source, [Path(p).as_posix() if str(p) != "-" else "-" for p in paths], root)


@dataclass
class RunRecorder:
    """Holds the open store and this shard's handle between the start and the end of a scan."""

    store_value: str | None
    notify_values: list[str]
    notify_unchanged: bool
    run_id: str | None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    _store: Any = None
    _handle: Any = None
    _targets: list[Any] = field(default_factory=list)

    def start(self, scope: ScanScope, started_at: datetime) -> None:
        if self.notify_values and self.store_value is None:
            self.errors.append(
                "--notify needs --store: what changed is computed from the stored history"
            )
            return
        if self.store_value is None:
            return
        if self.run_id is not None and not RUN_ID.match(self.run_id):
            self.errors.append(
                f"--run-id {self.run_id[:70]!r}: use 1-64 letters, digits, '.', '_', ':' or '-'"
            )
            return
        from scanner.history.model import ShardStart
        from scanner.history.operator import current_operator
        from scanner.history.recording import begin_shard
        from scanner.history.store import HistoryStore, StoreError
        from scanner.notify import NotifyTargetError, parse_targets

        try:
            self._targets = parse_targets(self.notify_values)
        except NotifyTargetError as exc:
            self.errors.append(str(exc))
        commit = repository_state(scope.root).get("commit") if scope.root else None
        try:
            self._store = HistoryStore.open(self.store_value)
            self._handle = begin_shard(
                self._store,
                ShardStart(
                    scope=scope.key,
                    source=scope.source,
                    started_at=started_at,
                    tool_version=__version__,
                    arguments=command_line(),
                    targets=scope.targets,
                    run_id=self.run_id,
                    shard_index=scope.shard_index,
                    shard_total=scope.shard_total,
                    commit=commit,
                    operator=current_operator(),
                ),
            )
        except (StoreError, ValueError) as exc:
            self.errors.append(str(exc))
            self.close()

    def finish(self, report: ScanReport) -> None:
        """Store the shard; when that completed the run, notify. Problems go to errors/warnings."""
        if self._store is None or self._handle is None:
            return
        from scanner.history.recording import ShardReport, complete_shard
        from scanner.history.store import StoreError

        accounts, regions = _accounts_and_regions(report.context)
        try:
            completed = complete_shard(
                self._store,
                self._handle,
                report,
                ShardReport(datetime.now(UTC), accounts, regions),
            )
            if completed and self._targets:
                self._notify()
        except StoreError as exc:
            self.errors.append(str(exc))
        finally:
            self.close()

    def _notify(self) -> None:
        from scanner.history.diff import compute_diff
        from scanner.history.runs import previous_complete_run, run_info
        from scanner.notify import notify

        with self._store.reading() as connection:
            after = run_info(connection, self._handle.run_id)
            previous = previous_complete_run(connection, after.scope, before_run=after.run_id)
            before = run_info(connection, previous) if previous else None
            diff = compute_diff(connection, before, after)
        for delivery in notify(diff, self._targets, unchanged=self.notify_unchanged):
            warning = delivery.warning()
            if warning:
                self.warnings.append(warning)

    @property
    def run_label(self) -> str | None:
        if self._handle is None:
            return None
        handle = self._handle
        return f"{handle.run_id} (shard {handle.shard_index + 1}/{handle.shard_total})"

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


def _accounts_and_regions(context: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The AWS accounts and regions a live scan or snapshot covered (empty for files)."""
    aws = context.get("aws")
    if not isinstance(aws, dict):
        return [], []
    accounts = [str(a.get("account")) for a in aws.get("accounts", []) if isinstance(a, dict)]
    regions = {
        str(r) for a in aws.get("accounts", []) if isinstance(a, dict) for r in a.get("regions", [])
    }
    regions.update(str(r) for r in aws.get("regions", []) or [])
    return accounts, sorted(regions)
