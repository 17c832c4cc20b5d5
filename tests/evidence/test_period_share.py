"""The share of satisfied runs counts only runs that had something to judge.

A run in which no resource of a control's checks existed (`not_applicable`) neither satisfies nor
fails the control: a control with nothing in scope in any run has no share, not 0%.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from scanner.cli.common import load_policies
from scanner.evidence.period import PeriodRun, build_period
from scanner.evidence.period_files import status_streaks

CHECK = "k8s_rbac_cluster_admin_not_bound"
CONTROL = "164.308(a)(4)(ii)(C)"  # its only check that sees Kubernetes is CHECK
T0 = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)


def run(n: int, *statuses: str, original: dict[int, str] | None = None) -> PeriodRun:
    return PeriodRun(
        run_id=f"r{n}",
        scope="kubernetes:k8s",
        source="kubernetes",
        started_at=T0 + timedelta(days=n),
        finished_at=T0 + timedelta(days=n, minutes=1),
        complete=True,
        shards="1/1 shards reported",
        tool_version="test",
        operator={},
        findings=tuple(
            {
                "check_id": CHECK,
                "resource_id": f"crb.{i}",
                "status": s,
                "severity": "high",
                "original_status": (original or {}).get(i),
            }
            for i, s in enumerate(statuses)
        ),
    )


@pytest.fixture(scope="module")
def period() -> Any:
    registry, catalog = load_policies((), ())
    runs = [run(0, "pass"), run(1, "fail"), run(2), run(3, "pass")]  # r2: the binding was gone
    return build_period(
        framework="hipaa",
        catalog=catalog,
        registry=registry,
        runs=runs,
        start=T0 - timedelta(hours=3),
        end=T0 + timedelta(days=4),
        cadence=timedelta(days=1),
        tool_version="test",
    )


def test_a_run_with_nothing_in_scope_is_left_out_of_the_share(period: Any) -> None:
    control = next(c for c in period.controls if c.id == CONTROL)
    assert control.statuses == ("satisfied", "not_satisfied", "not_applicable", "satisfied")
    assert (control.runs, control.judged_runs, control.satisfied_runs) == (4, 3, 2)
    assert control.share_satisfied == 0.6667  # 2 of 3, not 2 of 4


def test_a_control_with_nothing_in_scope_in_any_run_has_no_share(period: Any) -> None:
    # 164.312(e)(1) (transmission security) is judged by AWS/Terraform checks, none of which
    # saw a resource in these Kubernetes runs.
    control = next(c for c in period.controls if c.id == "164.312(e)(1)")
    assert control.checks and set(control.statuses) == {"not_applicable"}
    assert control.judged_runs == 0 and control.share_satisfied is None


def test_the_printed_timeline_groups_consecutive_runs_with_one_status(period: Any) -> None:
    statuses = ("satisfied", "satisfied", "not_applicable", "satisfied")
    assert status_streaks(period.runs, statuses) == [
        ("2026-11-01T03:00:00Z", "2026-11-02T03:00:00Z", "satisfied", 2),
        ("2026-11-03T03:00:00Z", "2026-11-03T03:00:00Z", "not_applicable", 1),
        ("2026-11-04T03:00:00Z", "2026-11-04T03:00:00Z", "satisfied", 1),
    ]


def test_an_inline_skip_of_a_pass_is_no_exception_and_resolves_one() -> None:
    """crb.0: fails, is waived (skipped, was fail), then skipped inline while passing: one
    exception, resolved by the passing run. crb.1: skipped inline while passing from the start:
    no exception. crb.2: skipped with no original status (stored before comply kept it): an
    exception, to be safe."""
    registry, catalog = load_policies((), ())
    runs = [
        run(0, "fail", "skipped", "skipped", original={1: "pass"}),
        run(1, "skipped", "skipped", "pass", original={0: "fail", 1: "pass"}),
        run(2, "skipped", "skipped", "pass", original={0: "pass", 1: "pass"}),
    ]
    period = build_period(
        framework="hipaa",
        catalog=catalog,
        registry=registry,
        runs=runs,
        start=T0 - timedelta(hours=3),
        end=T0 + timedelta(days=3),
        cadence=timedelta(days=1),
        tool_version="test",
    )
    control = next(c for c in period.controls if c.id == CONTROL)
    found = [
        (e.resource_id, e.first_seen, e.last_seen, e.resolved, e.failing_runs, e.waived_runs)
        for e in control.exceptions
    ]
    assert found == [
        ("crb.0", "2026-11-01T03:00:00Z", "2026-11-02T03:00:00Z", "2026-11-03T03:00:00Z", 1, 1),
        ("crb.2", "2026-11-01T03:00:00Z", "2026-11-01T03:00:00Z", "2026-11-02T03:00:00Z", 0, 1),
    ]
