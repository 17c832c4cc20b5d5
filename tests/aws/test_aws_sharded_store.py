"""Four `comply scan aws --shard I/4` processes at once, against one moto server and one
PostgreSQL store, make one run whose findings and population equal a single-process run's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from scanner.history import schema
from scanner.history.runs import run_info
from scanner.history.store import HistoryStore
from scanner.sources.aws.sharding import Shard, ShardError
from tests.conftest import REPO_ROOT
from tests.history.conftest import postgres_url  # noqa: F401  (the fixture)

# s3control addresses the account as a host name, which only this process resolves to moto.
SERVICES = ["ec2", "iam", "kms", "sqs", "sns", "logs", "dynamodb", "rds", "cloudtrail"]
REGIONS = ["us-east-1", "eu-west-1", "us-west-2"]


def _seed(clients) -> None:
    for region in REGIONS:
        clients("ec2", region).create_volume(AvailabilityZone=f"{region}a", Size=1)
        clients("kms", region).create_key()
        clients("sqs", region).create_queue(QueueName=f"queue-{region}")
        clients("logs", region).create_log_group(logGroupName=f"/app/{region}")
    clients("iam").create_user(UserName="reader")
    clients("iam").create_access_key(UserName="reader")


def _scan(store: str, run_id: str, *extra: str) -> subprocess.Popen[str]:
    args = ["scan", "aws", "--store", store, "--run-id", run_id, "-o", "json=/dev/null"]
    for region in REGIONS:
        args += ["--region", region]
    for service in SERVICES:
        args += ["--service", service]
    return subprocess.Popen(
        [sys.executable, "-m", "scanner", *args, *extra],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT), "HOME": str(REPO_ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(process: subprocess.Popen[str]) -> None:
    _, stderr = process.communicate(timeout=300)
    assert process.returncode in (0, 1), stderr  # 2 would be a scan or store failure


def _stored(store: HistoryStore, run_id: str) -> tuple[set[tuple[str, ...]], set[str]]:
    with store.reading() as connection:
        findings = {
            (row.fingerprint, row.check_id, row.resource_id, row.status, row.message)
            for row in connection.execute(
                sa.select(schema.findings).where(schema.findings.c.run_id == run_id)
            )
        }
        population = set(
            connection.execute(
                sa.select(schema.resources.c.resource_id).where(schema.resources.c.run_id == run_id)
            ).scalars()
        )
    return findings, population


def test_four_shards_equal_one_process(clients, postgres_url):  # noqa: F811
    _seed(clients)
    single = _scan(postgres_url, "single")
    _finish(single)
    shards = [_scan(postgres_url, "sharded", "--shard", f"{i}/4") for i in range(4)]
    for process in shards:
        _finish(process)
    with HistoryStore.open(postgres_url) as store:
        with store.reading() as connection:
            sharded = run_info(connection, "sharded")
            alone = run_info(connection, "single")
        merged_findings, merged_population = _stored(store, "sharded")
        single_findings, single_population = _stored(store, "single")
    assert sharded.complete and (sharded.shards_reported, sharded.shard_total) == (4, 4)
    assert alone.complete and alone.shard_total == 1
    assert len(single_findings) > 20 and len(single_population) > 10
    assert merged_findings == single_findings
    assert merged_population == single_population
    assert sharded.summary == alone.summary
    assert sharded.scope == alone.scope  # one scope: the runs compare with each other


def test_shards_split_the_pairs_exactly():
    pairs = [(a, r) for a in ("111", "222", "333") for r in ("global", "eu-west-1", "us-east-1")]
    parts = [Shard(i, 4).select(pairs) for i in range(4)]
    assert set().union(*parts) == set(pairs)
    assert sum(len(p) for p in parts) == len(pairs)  # disjoint
    assert [len(p) for p in parts] == [3, 2, 2, 2]
    assert Shard(1, 4).select(reversed(pairs)) == parts[1]  # the order given does not matter
    assert Shard.parse(" 3/4 ") == Shard(3, 4)
    for bad in ("4/4", "1", "-1/4", "0/0", "a/b"):
        with pytest.raises(ShardError, match="--shard"):
            Shard.parse(bad)


def test_a_shard_that_never_reports_leaves_the_run_incomplete(clients, tmp_path: Path):
    _seed(clients)
    store = str(tmp_path / "h.db")
    for i in (0, 2):
        _finish(_scan(store, "partial", "--shard", f"{i}/3"))
    with HistoryStore.open(store) as opened, opened.reading() as connection:
        run = run_info(connection, "partial")
    assert not run.complete and (run.shards_reported, run.shard_total) == (2, 3)
