"""Recording a report as one run (or one shard) in a few words."""

from __future__ import annotations

from datetime import timedelta

from scanner.compliance.results import ScanReport
from scanner.history.model import Operator, ShardHandle, ShardStart
from scanner.history.recording import ShardReport, begin_shard, complete_shard
from scanner.history.store import HistoryStore

SCOPE = "terraform:infra"


def start(
    store: HistoryStore,
    report: ScanReport,
    *,
    scope: str = SCOPE,
    run_id: str | None = None,
    shard: tuple[int, int] = (0, 1),
) -> ShardHandle:
    return begin_shard(
        store,
        ShardStart(
            scope=scope,
            source="terraform",
            started_at=report.started_at,
            tool_version="0.1.0",
            arguments=["comply", "scan", "terraform", "infra"],
            targets=["infra"],
            run_id=run_id,
            shard_index=shard[0],
            shard_total=shard[1],
            commit="0" * 40,
            operator=Operator("ci", "runner-1", "https://ci.example.test/runs/1"),
        ),
    )


def record(
    store: HistoryStore,
    report: ScanReport,
    *,
    scope: str = SCOPE,
    run_id: str | None = None,
    shard: tuple[int, int] = (0, 1),
    accounts: list[str] | None = None,
) -> tuple[ShardHandle, bool]:
    handle = start(store, report, scope=scope, run_id=run_id, shard=shard)
    done = complete_shard(
        store,
        handle,
        report,
        ShardReport(report.started_at + timedelta(minutes=1), accounts or [], []),
    )
    return handle, done
