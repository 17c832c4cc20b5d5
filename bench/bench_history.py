"""History store timings: storing a run of 100,000 findings (SQLite, PostgreSQL) and
`history diff` of two such runs. Prints numbers; asserts nothing.

    .venv/bin/python bench/bench_history.py                       # SQLite only
    source .ci/postgres.sh && .venv/bin/python bench/bench_history.py   # + PostgreSQL

Targets (issue 15): store < 5 s on SQLite, < 10 s on local PostgreSQL; diff < 2 s.
The run: 10,000 resources x 10 checks; the second run changes 1 % of the statuses.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scanner.compliance.results import ScanReport
from scanner.core.model import (
    ControlRef,
    Finding,
    Location,
    Resource,
    Severity,
    Status,
)
from scanner.history.diff import diff_runs
from scanner.history.model import ShardStart
from scanner.history.recording import ShardReport, begin_shard, complete_shard
from scanner.history.store import HistoryStore

CHECKS = [f"bench_check_{n:02d}" for n in range(10)]
SEVERITIES = list(Severity)


def build_report(resources: int, night: int, flip_every: int | None) -> ScanReport:
    started = datetime(2026, 11, 1, 3, tzinfo=UTC) + timedelta(days=night)
    inventory = [
        Resource(
            type="aws_s3_bucket",
            id=f"arn:aws:s3:::bench-bucket-{n:06d}",
            source="aws",
            location=Location(account="123456789012", region="us-east-1"),
            attributes={
                "bucket": f"bench-bucket-{n:06d}",
                "versioning": {"enabled": n % 2 == 0},
                "tags": {"team": "claims", "env": "prod"},
            },
        )
        for n in range(resources)
    ]
    findings = []
    index = 0
    for resource in inventory:
        for check in CHECKS:
            failing = index % 4 == 0
            if flip_every and index % flip_every == 0:
                failing = not failing
            findings.append(
                Finding(
                    check_id=check,
                    title=f"title of {check}",
                    severity=SEVERITIES[index % len(SEVERITIES)],
                    status=Status.FAIL if failing else Status.PASS,
                    message=f"{check}: {resource.id} is {'not ' if failing else ''}compliant",
                    resource=resource,
                    controls=[
                        ControlRef("hipaa", "164.312(a)(2)(iv)"),
                        ControlRef("soc2", "CC6.1"),
                    ],
                )
            )
            index += 1
    return ScanReport(
        tool_version="bench",
        source="aws",
        targets=["123456789012/us-east-1"],
        root=".",
        started_at=started,
        finished_at=started + timedelta(minutes=5),
        findings=findings,
        checks={},
        inventory=inventory,
    )


class Timer:
    """Wall time, and this process's CPU time: on a shared, loaded machine the wall time
    includes waiting for a core, the CPU time does not (nor I/O or server time)."""

    def __enter__(self) -> Timer:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu

    def __str__(self) -> str:
        return f"{self.wall:5.2f} s (cpu {self.cpu:5.2f} s)"


def store_run(store: HistoryStore, report: ScanReport, run_id: str) -> Timer:
    handle = begin_shard(
        store,
        ShardStart("aws:bench", "aws", report.started_at, "bench", [], [], run_id=run_id),
    )
    with Timer() as timer:
        complete_shard(store, handle, report, ShardReport(report.finished_at, ["123456789012"], []))
    return timer


def bench(label: str, url: str, first: ScanReport, second: ScanReport) -> None:
    with HistoryStore.open(url) as store:
        stored = store_run(store, first, f"{label}-1")
        stored_again = store_run(store, second, f"{label}-2")
        with Timer() as diffed, store.reading() as connection:
            diff = diff_runs(connection, f"{label}-1", f"{label}-2")
    size = ""
    if label == "sqlite":
        size = f" | file {Path(url).stat().st_size / 1e6:.0f} MB for both runs"
    print(
        f"{label:10s} store {len(first.findings):,} findings: {stored} "
        f"| second run {stored_again} | diff: {diffed} "
        f"({len(diff.new)} new, {len(diff.resolved)} resolved, "
        f"{len(diff.still_failing):,} still failing){size}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--postgres", default=os.environ.get("COMPLY_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    began = time.perf_counter()
    first = build_report(args.resources, 1, None)
    second = build_report(args.resources, 2, 101)
    load = os.getloadavg()[0]
    print(
        f"built two runs of {len(first.findings):,} findings in "
        f"{time.perf_counter() - began:.1f} s; load average {load:.1f} on {os.cpu_count()} cores"
    )
    with tempfile.TemporaryDirectory() as folder:
        bench("sqlite", str(Path(folder) / "history.db"), first, second)
    if args.postgres:
        import secrets

        import sqlalchemy as sa

        name = f"comply_bench_{secrets.token_hex(4)}"
        admin = sa.create_engine(
            sa.make_url(args.postgres).set(drivername="postgresql+psycopg"),
            isolation_level="AUTOCOMMIT",
        )
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            url = sa.make_url(args.postgres).set(database=name)
            bench("postgresql", url.render_as_string(hide_password=False), first, second)
        finally:
            with admin.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
            admin.dispose()
    else:
        print("postgresql skipped: set COMPLY_TEST_POSTGRES_URL (source .ci/postgres.sh)")


if __name__ == "__main__":
    main()
