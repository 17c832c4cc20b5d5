"""The store itself, on SQLite and PostgreSQL: migrations on open, what a run holds, shards,
crashed runs, append-only, and clear errors for a store comply cannot use."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from scanner.core.model import ScanError
from scanner.history import schema
from scanner.history.model import COMPLETE, INCOMPLETE
from scanner.history.recording import RunConflictError, begin_shard, complete_shard
from scanner.history.runs import RunFilter, RunNotFoundError, list_runs, resolve_run, run_info
from scanner.history.store import HistoryStore, StoreError, schema_head
from tests.history.factories import F, night, report, resource
from tests.history.helpers import record, start


def test_open_migrates_to_the_schema_the_code_describes(store_url):
    with HistoryStore.open(store_url) as store, store.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert context.get_current_heads() == (schema_head(),)
        # schema.py (what the code reads and writes) and the migrations (what the database
        # has) describe the same tables, columns, types and indexes.
        assert compare_metadata(context, schema.metadata) == []
    # Opening again is a no-op at the same revision.
    with HistoryStore.open(store_url) as store, store.engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_heads() == (schema_head(),)


def test_a_schema_from_a_newer_comply_is_refused(store_url):
    HistoryStore.open(store_url).close()
    engine = sa.create_engine(
        store_url.replace("postgresql://", "postgresql+psycopg://"), poolclass=sa.NullPool
    )
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(StoreError, match=r"schema revision 9999, newer than this comply knows"):
        HistoryStore.open(store_url)


def test_a_run_holds_metadata_findings_and_redacted_population(store_url):
    secret_bucket = resource(
        "aws_s3_bucket.a",
        attributes={
            "bucket": "a",
            "db_password": "hunter2",
            "tags": {"owner": "AKIAABCDEFGHIJKLMNOP"},
        },
    )
    scan = report(
        [
            F("s3_enc", "aws_s3_bucket.a", "fail", message="key AKIAABCDEFGHIJKLMNOP found"),
            F("s3_log", "aws_s3_bucket.a", "pass"),
        ],
        started=night(1),
        population=[secret_bucket],
        errors=[ScanError("broken.tf", "cannot parse")],
    )
    with HistoryStore.open(store_url) as store:
        handle, completed = record(store, scan)
        assert completed
        with store.reading() as connection:
            run = run_info(connection, handle.run_id)
            rows = connection.execute(sa.select(schema.findings)).mappings().all()
            population = connection.execute(sa.select(schema.resources)).mappings().all()
    assert run.status == COMPLETE
    assert run.started_at == night(1)
    assert run.finished_at is not None and run.finished_at > run.started_at
    assert run.summary == {"pass": 1, "fail": 1, "unknown": 0, "error": 0, "skipped": 0}
    assert run.error_count == 1
    assert (run.tool_version, run.commit, run.targets) == ("0.1.0", "0" * 40, ["infra"])
    assert run.operator.ci_run_url == "https://ci.example.test/runs/1"
    assert run.arguments == ["comply", "scan", "terraform", "infra"]
    by_check = {row["check_id"]: row for row in rows}
    assert set(by_check) == {"s3_enc", "s3_log"}
    assert by_check["s3_enc"]["message"] == "key <redacted> found"
    assert json.loads(by_check["s3_enc"]["controls"]) == ["hipaa:164.312(b)", "soc2:CC7.2"]
    assert by_check["s3_enc"]["failing_since"] is not None
    assert by_check["s3_log"]["failing_since"] is None
    [stored] = population
    attributes = json.loads(stored["attributes"])
    assert attributes == {
        "bucket": "a",
        "db_password": "<redacted>",
        "tags": {"owner": "<redacted>"},
    }
    assert "hunter2" not in json.dumps([dict(r) for r in rows] + [dict(stored)], default=str)


def test_a_run_that_never_reported_is_incomplete_never_clean(store_url):
    with HistoryStore.open(store_url) as store:
        handle = start(store, report([F("c", "aws_s3_bucket.a", "fail")], started=night(1)))
        with store.reading() as connection:
            run = run_info(connection, handle.run_id)
            assert list_runs(connection, RunFilter(complete_only=True)) == []
    assert run.status == INCOMPLETE
    assert run.finished_at is None
    assert run.summary == {}  # nothing is claimed for it: not "0 failures"


def test_shards_make_one_run_complete_only_when_all_reported(store_url):
    with HistoryStore.open(store_url) as store:
        first = report([F("c", "r.one", "fail")], started=night(1))
        second = report([F("c", "r.two", "pass")], started=night(1))
        _, done_first = record(store, first, run_id="nightly-1", shard=(1, 2))
        with store.reading() as connection:
            assert run_info(connection, "nightly-1").status == INCOMPLETE
        _, done_second = record(store, second, run_id="nightly-1", shard=(0, 2))
        with store.reading() as connection:
            run = run_info(connection, "nightly-1")
            assert [r.run_id for r in list_runs(connection, RunFilter())] == ["nightly-1"]
    assert (done_first, done_second) == (False, True)
    assert run.status == COMPLETE
    assert (run.shards_reported, run.shard_total) == (2, 2)
    assert run.summary["fail"] == 1 and run.summary["pass"] == 1


def test_runs_are_append_only(store_url):
    scan = report([F("c", "r.one", "fail")], started=night(1))
    with HistoryStore.open(store_url) as store:
        handle, _ = record(store, scan, run_id="fixed-id")
        with pytest.raises(RunConflictError, match="already reported"):
            start(store, scan, run_id="fixed-id")
        with pytest.raises(RunConflictError, match="not running"):
            complete_shard(store, handle, scan, _shard_report(scan))
        with pytest.raises(RunConflictError, match="same arguments"):
            start(store, scan, run_id="fixed-id", scope="terraform:elsewhere")
        with pytest.raises(RunConflictError, match="same arguments"):
            start(store, scan, run_id="fixed-id", shard=(0, 3))


def test_a_crashed_shard_can_be_retried(store_url):
    """A Job's pod that died is restarted with the same index: the retry takes the shard over."""
    scan = report([F("c", "r.one", "fail")], started=night(1))
    with HistoryStore.open(store_url) as store:
        start(store, scan, run_id="retry", shard=(0, 1))  # the first attempt dies here
        handle = start(store, scan, run_id="retry", shard=(0, 1))
        assert complete_shard(store, handle, scan, _shard_report(scan))


def test_one_fingerprint_twice_in_a_run_keeps_the_failure(store_url):
    scan = report(
        [F("c", "Deployment/x/api", "pass", line=1), F("c", "Deployment/x/api", "fail", line=40)]
    )
    with HistoryStore.open(store_url) as store:
        handle, _ = record(store, scan)
        with store.reading() as connection:
            statuses = connection.execute(
                sa.select(schema.findings.c.status).where(schema.findings.c.run_id == handle.run_id)
            ).all()
    assert statuses == [("fail",)]


def test_unknown_and_ambiguous_run_ids_are_clear_errors(store_url):
    with HistoryStore.open(store_url) as store:
        record(store, report([F("c", "r", "pass")]), run_id="20261101-aaa")
        record(store, report([F("c", "r", "pass")], started=night(1)), run_id="20261101-aab")
        with store.reading() as connection:
            assert resolve_run(connection, "20261101-aab").run_id == "20261101-aab"
            with pytest.raises(RunNotFoundError, match="no run 'nope'"):
                resolve_run(connection, "nope")
            with pytest.raises(RunNotFoundError, match="ambiguous"):
                resolve_run(connection, "20261101-aa")
            with pytest.raises(RunNotFoundError, match="no run"):
                run_info(connection, "nope")


def test_runs_filter_by_source_target_scope_and_date(store_url):
    with HistoryStore.open(store_url) as store:
        record(store, report([F("c", "r", "pass")], started=night(1)), run_id="a")
        record(store, report([F("c", "r", "pass")], started=night(3)), run_id="b")
        record(
            store, report([F("c", "r", "pass")], started=night(5)), run_id="c", scope="terraform:x"
        )
        with store.reading() as connection:

            def ids(**where):
                return [r.run_id for r in list_runs(connection, RunFilter(**where))]

            assert ids() == ["c", "b", "a"]
            assert ids(scope="terraform:infra") == ["b", "a"]
            assert ids(target="terraform:x") == ["c"]
            assert ids(source="kubernetes") == []
            assert ids(since=night(2)) == ["c", "b"]
            assert ids(since=night(2), until=night(4)) == ["b"]
            assert ids(limit=1) == ["c"]


def test_an_unreachable_postgres_is_a_clear_error():
    with pytest.raises(StoreError) as caught:
        HistoryStore.open("postgresql://comply:sekret@127.0.0.1:1/comply")
    message = str(caught.value)
    assert "127.0.0.1:1" in message and "sekret" not in message and "***" in message


def test_wrong_postgres_credentials_are_a_clear_error(postgres_url):
    wrong = sa.make_url(postgres_url).set(password="not-the-password")
    with pytest.raises(StoreError, match="password authentication failed") as caught:
        HistoryStore.open(wrong.render_as_string(hide_password=False))
    assert "not-the-password" not in str(caught.value)


def test_a_sqlite_store_in_an_unwritable_place_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="cannot create the folder"):
        HistoryStore.open(f"sqlite:///{blocker / 'sub' / 'history.db'}")
    with pytest.raises(StoreError, match="unsupported database 'mysql'"):
        HistoryStore.open("mysql://u:p@localhost/db")
    with pytest.raises(StoreError, match="no history store at"):
        HistoryStore.open(str(tmp_path / "missing.db"), create=False)


def _shard_report(scan):
    from scanner.history.recording import ShardReport

    return ShardReport(scan.finished_at, [], [])


def test_begin_shard_rejects_an_index_outside_the_count(store_url):
    from scanner.history.model import ShardStart

    with HistoryStore.open(store_url) as store, pytest.raises(ValueError, match="outside"):
        begin_shard(
            store,
            ShardStart("s", "aws", night(1), "0.1.0", [], [], shard_index=2, shard_total=2),
        )


def test_a_suppressed_finding_keeps_its_original_status(store_url):
    """A waived failure and an inline skip of a pass are both `skipped`; the store keeps what
    each was, so a period export can tell an exception from a skipped pass."""
    from scanner.core.model import Status
    from scanner.history.period import findings_of_runs

    scanned = report(
        [
            F("k8s_rbac_cluster_admin_not_bound", "crb.waived", "skipped"),
            F("k8s_rbac_cluster_admin_not_bound", "crb.skipped", "skipped"),
            F("k8s_rbac_cluster_admin_not_bound", "crb.failing", "fail"),
        ]
    )
    originals = {"crb.waived": Status.FAIL, "crb.skipped": Status.PASS}
    for finding in scanned.findings:
        finding.original_status = originals.get(finding.resource.id)
    with HistoryStore.open(store_url) as store:
        record(store, scanned, run_id="r1")
        with store.reading() as connection:
            rows = findings_of_runs(connection, ["r1"])["r1"]
    assert {r["resource_id"]: (r["status"], r["original_status"]) for r in rows} == {
        "crb.failing": ("fail", None),
        "crb.skipped": ("skipped", "pass"),
        "crb.waived": ("skipped", "fail"),
    }


def test_the_period_population_counts_runs_not_shards_and_orders_runs_by_time(store_url):
    """A resource two shards of one run report is one sighting; first and last run go by start
    time, not by run id; the latest run's location wins."""
    from scanner.history.period import population_of_runs, runs_in_period

    with HistoryStore.open(store_url) as store:
        record(store, report([], started=night(0), population=[resource("r.a")]), run_id="z-1st")
        later = [resource("r.a", line=5), resource("r.b")]
        for shard in ((0, 2), (1, 2)):  # both shards of the second run saw r.a
            scan = report([], started=night(1), population=later[: 2 - shard[0]])
            record(store, scan, run_id="a-2nd", shard=shard)
        with store.reading() as connection:
            runs = runs_in_period(connection, night(-1), night(2))
            population = population_of_runs(connection, [r for r in runs if r.complete])
    assert [r.run_id for r in runs] == ["z-1st", "a-2nd"]
    assert population.per_run == {"z-1st": 1, "a-2nd": 2}
    assert [
        (r["resource_id"], r["first_run"], r["last_run"], r["runs"], r["location"]["start_line"])
        for r in population.resources
    ] == [("r.a", "z-1st", "a-2nd", 2, 5), ("r.b", "a-2nd", "a-2nd", 1, 1)]
