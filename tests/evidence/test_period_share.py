"""The share of satisfied runs counts only runs that had something to judge.

A run in which no resource of a fully automated control's checks existed (`not_applicable`)
neither satisfies nor fails the control: a control with nothing in scope in any run has no share,
not 0%. A control with a manual part rolls up per run as a point-in-time bundle would: `attested`
when an attestation is current on the run's date, else `incomplete`, never `satisfied`.
"""

from __future__ import annotations

import datetime as dt
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from scanner.cli.common import load_policies
from scanner.compliance.attestations import Attestation
from scanner.core.model import ControlRef
from scanner.evidence.period import PeriodRun, build_period
from scanner.evidence.period_files import status_streaks

CHECK = "k8s_rbac_cluster_admin_not_bound"
CONTROL = "164.308(a)(4)(ii)(C)"  # partial; its only check that sees Kubernetes is CHECK
T0 = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)
# Every built-in control has a manual part; these show a fully automated one beside a partial one.
KUBE = f"""\
framework: {{id: kube, name: Cluster baseline, version: "1"}}
controls:
  - id: KUBE-1
    title: No cluster-admin bindings
    requirement: Nobody is bound to cluster-admin.
    automation: automated
    checks: [{CHECK}]
  - id: KUBE-2
    title: No cluster-admin bindings, reviewed
    requirement: Nobody is bound to cluster-admin, and bindings are reviewed.
    automation: partial
    checks: [{CHECK}]
    manual_evidence: [Access review sign-off]
  - id: KUBE-3
    title: KMS keys rotate
    requirement: Keys rotate yearly.
    automation: automated
    checks: [kms_key_rotation_enabled]
"""


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


def attestation(control: ControlRef, signed: str, expires: str) -> Attestation:
    return Attestation(
        control=control,
        statement="reviewed",
        owner="lead@example.com",
        date=dt.date.fromisoformat(signed),
        expires=dt.date.fromisoformat(expires),
        evidence=(),
        source="attestations.yaml entry 1",
    )


@pytest.fixture(scope="module")
def kube(tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder: Path = tmp_path_factory.mktemp("frameworks")
    (folder / "kube.yaml").write_text(KUBE)
    registry, catalog = load_policies((), (folder,))
    runs = [run(0, "pass"), run(1, "fail"), run(2), run(3, "pass")]  # r2: the binding was gone
    return build_period(
        framework="kube",
        catalog=catalog,
        registry=registry,
        runs=runs,
        start=T0 - timedelta(hours=3),
        end=T0 + timedelta(days=4),
        cadence=timedelta(days=1),
        tool_version="test",
        # Current on 11-02 and 11-03 only: it starts and lapses inside the period.
        attestations={ControlRef("kube", "KUBE-2"): [attestation(ControlRef("kube", "KUBE-2"),
                                                                 "2026-11-02", "2026-11-03")]},
    )  # fmt: skip


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


def test_a_run_with_nothing_in_scope_is_left_out_of_the_share(kube: Any) -> None:
    control = next(c for c in kube.controls if c.id == "KUBE-1")
    assert control.statuses == ("satisfied", "not_satisfied", "not_applicable", "satisfied")
    assert (control.runs, control.judged_runs, control.satisfied_runs) == (4, 3, 2)
    assert control.share_satisfied == 0.6667  # 2 of 3, not 2 of 4


def test_a_partial_control_is_attested_only_on_the_days_its_attestation_is_current(
    kube: Any,
) -> None:
    """Same findings as KUBE-1: 11-01 passes but is not yet attested (incomplete), 11-02 fails,
    11-03 has no resource but the manual part is attested (attested, as a point-in-time bundle
    says of a partial control with no resource), 11-04 passes after the attestation lapsed."""
    control = next(c for c in kube.controls if c.id == "KUBE-2")
    assert control.statuses == ("incomplete", "not_satisfied", "attested", "incomplete")
    assert (control.judged_runs, control.satisfied_runs, control.attested_runs) == (4, 1, 1)
    assert control.share_satisfied == 0.25
    assert [(a.date.isoformat(), a.expires.isoformat()) for a in control.attestations] == [
        ("2026-11-02", "2026-11-03")
    ]


def test_a_control_with_nothing_in_scope_in_any_run_has_no_share(kube: Any, period: Any) -> None:
    # KUBE-3 is judged by an AWS check that saw no resource in these Kubernetes runs.
    control = next(c for c in kube.controls if c.id == "KUBE-3")
    assert control.checks and set(control.statuses) == {"not_applicable"}
    assert control.judged_runs == 0 and control.share_satisfied is None
    # 164.312(e)(1) has a manual part: with no attestation it is incomplete in every run (as in
    # a point-in-time bundle), never satisfied and never left out.
    partial = next(c for c in period.controls if c.id == "164.312(e)(1)")
    assert set(partial.statuses) == {"incomplete"}
    assert partial.judged_runs == 4 and partial.share_satisfied == 0.0


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
