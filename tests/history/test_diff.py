"""What changed between runs: every category, "since when", matching by fingerprint across line
moves and re-ordering, default run selection, and the honesty rules (never a false resolved)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.history.diff import CATEGORIES, compute_diff, diff_runs, diff_to_dict
from scanner.history.runs import RunNotFoundError, resolve_run
from scanner.history.store import HistoryStore
from tests.history.factories import F, night, report, resource
from tests.history.helpers import record, start


def keys(items):
    return sorted((i.finding.check_id, i.finding.resource_id) for i in items)


@pytest.fixture
def nightly(store_url):
    """Three nights of one scope, plus an incomplete run and a run of another scope."""
    with HistoryStore.open(store_url) as store:
        record(
            store,
            report(
                [
                    F("enc", "r.a", "fail", severity="critical"),
                    F("enc", "r.b", "fail"),
                    F("enc", "r.c", "pass"),
                    F("enc", "r.d", "fail"),
                    F("enc", "r.e", "fail"),
                    F("log", "r.f", "fail"),
                ],
                started=night(1),
            ),
            run_id="n1",
        )
        record(
            store,
            report(
                [
                    F("enc", "r.a", "fail", severity="critical", line=90),  # moved: same finding
                    F("enc", "r.b", "pass"),  # fixed
                    F("enc", "r.c", "fail"),  # broke, never failed before
                    # r.d is gone from the population: resolved by removal
                    F("enc", "r.e", "unknown"),  # cannot tell: not resolved
                    F("log", "r.f", "skipped"),  # waived: not resolved either
                    F("enc", "r.g", "pass"),  # a new resource
                ],
                started=night(2),
            ),
            run_id="n2",
        )
        record(
            store,
            report(
                [F("enc", "r.a", "fail", severity="critical"), F("enc", "r.b", "fail")],
                started=night(3),
                population=[resource("r.a"), resource("r.b")],
            ),
            run_id="n3",
        )
        start(store, report([], started=night(4)), run_id="crashed")
        record(store, report([F("enc", "r.z", "fail")], started=night(5)), scope="terraform:x")
        yield store


def test_every_category(nightly):
    with nightly.reading() as connection:
        diff = diff_runs(connection, "n1", "n2")
    assert keys(diff.still_failing) == [("enc", "r.a")]
    assert keys(diff.new) == [("enc", "r.c")]
    assert keys(diff.regressed) == []
    assert keys(diff.resolved) == [("enc", "r.b"), ("enc", "r.d")]
    assert {i.finding.resource_id: i.reason for i in diff.resolved} == {
        "r.b": "passes now",
        "r.d": "resource no longer exists",
    }
    assert {i.finding.resource_id: i.after for i in diff.not_evaluated} == {
        "r.e": "unknown",
        "r.f": "skipped",
    }
    assert [r.id for r in diff.appeared] == ["r.g"]
    assert [r.id for r in diff.disappeared] == ["r.d"]
    assert diff.warnings == []


def test_a_fixed_failure_that_returns_is_regressed_and_its_streak_restarts(nightly):
    with nightly.reading() as connection:
        diff = diff_runs(connection, "n2", "n3")
    assert keys(diff.regressed) == [("enc", "r.b")]
    assert diff.regressed[0].failing_since == night(3)
    assert keys(diff.resolved) == [("enc", "r.c")]  # r.c's resource is gone
    [still] = diff.still_failing
    # r.a has failed every night since the first: "since when?" is night 1, two days ago.
    assert (still.finding.resource_id, still.failing_since, still.age_days) == ("r.a", night(1), 2)


def test_default_is_the_last_two_complete_runs_of_the_newest_scope(nightly):
    with nightly.reading() as connection:
        # The newest complete run is of terraform:x, which has no earlier run.
        with pytest.raises(RunNotFoundError, match="first complete run"):
            diff_runs(connection)
        diff = diff_runs(connection, scope="terraform:infra")
        assert (diff.before.run_id, diff.after.run_id) == ("n2", "n3")  # "crashed" is skipped
        one = diff_runs(connection, "n2")
        assert (one.before.run_id, one.after.run_id) == ("n1", "n2")


def test_an_incomplete_run_is_flagged_and_never_resolves_anything(nightly):
    with nightly.reading() as connection:
        diff = diff_runs(connection, "n3", "crashed")
    assert diff.resolved == []
    assert keys(diff.not_evaluated) == [("enc", "r.a"), ("enc", "r.b")]
    assert any("crashed is incomplete" in w for w in diff.warnings)


def test_unknown_run_ids_are_clear_errors(nightly):
    with nightly.reading() as connection, pytest.raises(RunNotFoundError, match="no run 'n9'"):
        diff_runs(connection, "n1", "n9")


def test_json_diff_shape(nightly):
    with nightly.reading() as connection:
        document = diff_to_dict(diff_runs(connection, "n1", "n2"))
    assert document["schema_version"] == "1"
    assert document["counts"] == {
        "new": 1,
        "regressed": 0,
        "resolved": 2,
        "not_evaluated": 2,
        "still_failing": 1,
        "appeared": 1,
        "disappeared": 1,
    }
    [new] = document["new"]
    assert new["resource"] == {"id": "r.c", "type": "r"}
    assert new["before"] == "pass" and new["after"] == "fail"
    assert new["controls"] == ["hipaa:164.312(b)", "soc2:CC7.2"]
    assert document["severity"]["new"]["high"] == 1


def test_reordered_findings_match_by_fingerprint(store_url):
    items = [F("enc", f"r.{n}", "fail", line=n) for n in range(20)]
    moved = [F(i.check, i.resource, i.status, line=500 - i.line) for i in reversed(items)]
    with HistoryStore.open(store_url) as store:
        record(store, report(items, started=night(1)), run_id="a")
        record(store, report(moved, started=night(2)), run_id="b")
        with store.reading() as connection:
            diff = diff_runs(connection, "a", "b")
    assert not diff.changed
    assert len(diff.still_failing) == 20


STATUSES = st.sampled_from(["pass", "fail", "unknown", "error", "skipped", None])


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    before=st.lists(STATUSES, min_size=8, max_size=8),
    after=st.lists(STATUSES, min_size=8, max_size=8),
)
def test_categories_partition_the_failures_honestly(tmp_path_factory, before, after):
    """Every failure of either run lands in exactly one category, and `resolved` only ever
    holds a failure that now passes or whose resource is gone."""
    folder = tmp_path_factory.mktemp("prop")
    with HistoryStore.open(str(folder / "h.db")) as store:
        a = [F("c", f"r.{i}", s) for i, s in enumerate(before) if s]
        b = [F("c", f"r.{i}", s) for i, s in enumerate(after) if s]
        record(store, report(a, started=night(1)), run_id="a")
        record(store, report(b, started=night(2)), run_id="b")
        with store.reading() as connection:
            diff = compute_diff(
                connection, resolve_run(connection, "a"), resolve_run(connection, "b")
            )
    placed = [key for name in CATEGORIES for key in keys(diff.category(name))]
    assert len(placed) == len(set(placed))
    failing = {("c", f"r.{i}") for i, s in enumerate(after) if s == "fail"}
    failed = {("c", f"r.{i}") for i, s in enumerate(before) if s == "fail"}
    assert set(placed) == failing | failed
    for item in diff.resolved:
        index = int(item.finding.resource_id.split(".")[1])
        assert after[index] in ("pass", None)
    assert set(keys(diff.new)) == {k for k in failing if k not in failed}
    assert diff.regressed == []  # no run before "a"


def test_first_run_diff_calls_every_failure_new(store_url):
    with HistoryStore.open(store_url) as store:
        record(store, report([F("c", "r.a", "fail"), F("c", "r.b", "pass")]), run_id="only")
        with store.reading() as connection:
            diff = compute_diff(connection, None, resolve_run(connection, "only"))
    assert keys(diff.new) == [("c", "r.a")]
    assert diff.appeared == [] and diff.before is None and diff.resolved == []
