"""Two writers at once never corrupt the store or lose a run: real processes, on SQLite (WAL,
busy timeout, BEGIN IMMEDIATE, retries) and on PostgreSQL. The store is fresh, so the writers
also race to run the migrations."""

from __future__ import annotations

import os
import subprocess
import sys

import sqlalchemy as sa

from scanner.history import schema
from scanner.history.runs import RunFilter, list_runs, run_info
from scanner.history.store import HistoryStore
from tests.conftest import REPO_ROOT


def _spawn(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.history.writer", *args],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait(processes: list[subprocess.Popen[str]]) -> None:
    for process in processes:
        _, stderr = process.communicate(timeout=240)
        assert process.returncode == 0, stderr


def test_three_processes_writing_runs_lose_nothing(store_url):
    _wait([_spawn(store_url, name, "4", "400") for name in ("p1", "p2", "p3")])
    with HistoryStore.open(store_url) as store, store.reading() as connection:
        runs = list_runs(connection, RunFilter())
        counts = dict(
            connection.execute(
                sa.select(schema.findings.c.run_id, sa.func.count()).group_by(
                    schema.findings.c.run_id
                )
            ).all()
        )
    assert sorted(r.run_id for r in runs) == sorted(
        f"{p}-{k}" for p in ("p1", "p2", "p3") for k in range(4)
    )
    assert all(run.complete for run in runs)
    assert all(
        run.summary == {"pass": 200, "fail": 200, "unknown": 0, "error": 0, "skipped": 0}
        for run in runs
    )
    assert set(counts.values()) == {400}


def test_four_shards_reporting_at_once_make_one_complete_run(store_url):
    _wait([_spawn(store_url, "shard", "1", "300", "night-1", str(i), "4") for i in range(4)])
    with HistoryStore.open(store_url) as store, store.reading() as connection:
        run = run_info(connection, "night-1")
        total = connection.execute(
            sa.select(sa.func.count()).select_from(schema.findings)
        ).scalar_one()
        assert [r.run_id for r in list_runs(connection, RunFilter())] == ["night-1"]
    assert run.complete and (run.shards_reported, run.shard_total) == (4, 4)
    assert total == 1200
    assert run.summary["fail"] == 4 * 200 and run.summary["pass"] == 4 * 100
