"""`comply evidence export --from --to --store`: a SOC 2 Type II style bundle from stored runs.

A simulated period with fixed clock dates: one resource fails, is fixed, is waived, regresses and is
fixed again; another always passes; one run crashes (incomplete); one run is before the period.
Every number below is computed by hand from that story, not by the code under test.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest
import yaml

from scanner.core.model import Location, Resource
from scanner.history.store import HistoryStore
from tests.history.factories import F, night, report, resource
from tests.history.helpers import record, start

ROOT = Path(__file__).resolve().parents[2]
CHECK = "k8s_rbac_cluster_admin_not_bound"
CONTROL = "164.308(a)(4)(ii)(C)"  # hipaa, partial: CHECK plus a manual access review

# The manual part is attested from 11-02 through 11-04: it starts mid-period and expires before
# the end, so the 11-06 run is `incomplete` although its findings all pass.
ATTESTATIONS = """\
attestations:
  - control: "164.308(a)(4)(ii)(C)"
    framework: hipaa
    statement: Access review of the cluster's bindings done; tickets SEC-1 to SEC-4.
    owner: security-lead@example.com
    date: 2026-11-02
    expires: 2026-11-04
"""

# night(n) is 2026-11-0(1+n) 03:00 UTC.
STORY = {
    -1: "fail",  # 2026-10-31: before the period, ignored
    0: "fail",  # 2026-11-01: failing
    1: "pass",  # 2026-11-02: fixed
    2: "skipped",  # 2026-11-03: waived (a waiver applies to failures only)
    3: "fail",  # 2026-11-04: regressed (the waiver expired)
    # 4: 2026-11-05: the run crashed: incomplete, not judged
    5: "pass",  # 2026-11-06: fixed again
}


def comply(*args: object, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scanner", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(ROOT / ".pytest_cache" / "home"),
            "PYTHONPATH": str(ROOT),
        },
    )


def fill(
    store_url: str,
    extra: Mapping[int, list[F]] | None = None,
    unread: Mapping[int, list[Resource]] | None = None,
) -> None:
    """STORY; `extra` adds findings to some nights, `unread` resources no check reads."""
    with HistoryStore.open(store_url) as store:
        for n, status in STORY.items():
            items = [F(CHECK, "crb.bad", status), F(CHECK, "crb.ok", "pass")]
            items += (extra or {}).get(n, [])
            scan = report(items, started=night(n))
            scan.inventory.extend((unread or {}).get(n, []))
            record(store, scan, run_id=f"night-{n}")
        start(store, report([F(CHECK, "crb.bad", "pass")], started=night(4)), run_id="night-4")


def attestations_file(folder: Path) -> Path:
    path = folder / "attestations.yaml"
    path.write_text(ATTESTATIONS)
    return path


def export(
    store_url: str, out: Path, *extra: object, framework: str = "hipaa", cwd: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    return comply(
        "evidence", "export", "--framework", framework, "--from", "2026-11-01", "--to",
        "2026-11-06", "--store", store_url, "--out", out, *extra, cwd=cwd,
    )  # fmt: skip


@pytest.fixture
def bundle(store_url: str, tmp_path: Path) -> Path:
    fill(store_url)
    out = tmp_path / "period"
    result = export(store_url, out, "--attestations", attestations_file(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "5 complete runs, 1 incomplete run, 1 gap longer than 1d" in result.stdout
    return out


def test_period_share_exceptions_gaps_and_timeline_match_the_hand_computed_answer(
    bundle: Path, store_url: str, tmp_path: Path
) -> None:
    document = json.loads((bundle / "period" / "controls.json").read_text())
    assert document["period"] == {"start": "2026-11-01T00:00:00Z", "end": "2026-11-07T00:00:00Z"}
    assert document["gaps"] == [
        {"start": "2026-11-04T03:00:00Z", "end": "2026-11-06T03:00:00Z", "hours": 48.0}
    ]
    control = next(c for c in document["controls"] if c["id"] == CONTROL)
    # A partial control: each run rolls up as a point-in-time bundle of it would, with the
    # attestation current on the run's date; attested runs meet the control, the rest do not.
    assert control["automation"] == "partial"
    assert control["runs"] == 5
    assert control["satisfied_runs"] == 2  # met: satisfied or attested
    assert control["attested_runs"] == 2
    assert control["share_satisfied"] == 0.4
    assert [(t["started_at"], t["status"]) for t in control["timeline"]] == [
        ("2026-11-01T03:00:00Z", "not_satisfied"),  # failing beats the (not yet) attestation
        ("2026-11-02T03:00:00Z", "attested"),  # passing, attestation dated 11-02
        ("2026-11-03T03:00:00Z", "attested"),  # crb.bad waived, crb.ok passing
        ("2026-11-04T03:00:00Z", "not_satisfied"),  # attested that day, but failing
        ("2026-11-06T03:00:00Z", "incomplete"),  # passing, attestation expired on 11-04
    ]
    assert [(a["owner"], a["date"], a["expires"]) for a in control["attestations"]] == [
        ("security-lead@example.com", "2026-11-02", "2026-11-04")
    ]
    # Another partial control of the same check, never attested: passing runs never meet it.
    unattested = next(c for c in document["controls"] if c["id"] == "164.308(a)(4)(ii)(B)")
    assert [t["status"] for t in unattested["timeline"]] == [
        "not_satisfied", "incomplete", "incomplete", "not_satisfied", "incomplete",
    ]  # fmt: skip
    assert (unattested["satisfied_runs"], unattested["share_satisfied"]) == (0, 0.0)
    assert unattested["attestations"] == []
    assert control["exceptions"] == [
        {
            "check_id": CHECK,
            "resource_id": "crb.bad",
            "severity": "high",
            "first_seen": "2026-11-01T03:00:00Z",
            "last_seen": "2026-11-01T03:00:00Z",
            "resolved": "2026-11-02T03:00:00Z",
            "days_to_remediate": 1.0,
            "failing_runs": 1,
            "waived_runs": 0,
            "state": "resolved",
        },
        {
            "check_id": CHECK,
            "resource_id": "crb.bad",
            "severity": "high",
            "first_seen": "2026-11-03T03:00:00Z",
            "last_seen": "2026-11-04T03:00:00Z",
            "resolved": "2026-11-06T03:00:00Z",
            "days_to_remediate": 3.0,
            "failing_runs": 1,
            "waived_runs": 1,
            "state": "resolved",
        },
    ]
    runs = json.loads((bundle / "period" / "runs.json").read_text())
    assert [r["run_id"] for r in runs["complete"]] == [f"night-{n}" for n in (0, 1, 2, 3, 5)]
    assert [(r["run_id"], r["shards"]) for r in runs["incomplete"]] == [
        ("night-4", "0/1 shards reported")
    ]
    rows = list(csv.DictReader(io.StringIO((bundle / "period" / "exceptions.csv").read_text())))
    mine = [r for r in rows if r["control"] == CONTROL]  # the check maps to other controls too
    assert [(r["first_seen"], r["resolved"], r["days_to_remediate"]) for r in mine] == [
        ("2026-11-01T03:00:00Z", "2026-11-02T03:00:00Z", "1.0"),
        ("2026-11-03T03:00:00Z", "2026-11-06T03:00:00Z", "3.0"),
    ]
    # Still verifiable and byte-reproducible for the same inputs.
    verified = comply("evidence", "verify", bundle)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert (bundle / "attestations" / "attestations.yaml").read_text() == ATTESTATIONS
    again = tmp_path / "again"
    assert (
        export(store_url, again, "--attestations", tmp_path / "attestations.yaml").returncode == 0
    )
    files = sorted(p.relative_to(bundle) for p in bundle.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    assert all((bundle / f).read_bytes() == (again / f).read_bytes() for f in files)


SECRET = "hunter2-population-secret"


def test_the_period_population_lists_every_resource_with_its_first_and_last_run(
    store_url: str, tmp_path: Path
) -> None:
    """population.csv: every resource the complete runs of the period scanned, including those
    no check reads and those only some runs saw, with its first and last run and how many runs
    saw it; runs.json says what each run scanned. Hand-computed from the story below."""
    widget = {  # no check reads a `widget`; it moved from line 7 to line 9
        n: [resource("widget.cm", line, {"name": "cm", "password": SECRET})]
        for n, line in ((1, 7), (5, 9))
    }
    key = Resource("aws_kms_alias", "alias/app", "aws", Location(account="123456789012",
                   region="eu-west-1"), {"token": SECRET})  # fmt: skip
    fill(
        store_url,
        extra={
            -1: [F(CHECK, "crb.old", "fail")],  # before the period: not in its population
            2: [F(CHECK, "crb.new", "pass")],  # created on 11-03, deleted after 11-04
            3: [F(CHECK, "crb.new", "pass")],
            4: [F(CHECK, "crb.crashed", "pass")],  # the incomplete run: not in it either
        },
        unread={**widget, 3: [key]},
    )
    out = tmp_path / "period"
    result = export(store_url, out)
    assert result.returncode == 0, result.stderr
    text = (out / "population.csv").read_text()
    first = "night-0,2026-11-01T03:00:00Z"
    last = "night-5,2026-11-06T03:00:00Z"
    assert text.splitlines() == [
        "source,type,id,file,start_line,account,region,scope,first_run,first_seen,last_run,"
        "last_seen,runs,read_by_a_check",
        "aws,aws_kms_alias,alias/app,,,123456789012,eu-west-1,terraform:infra,"
        "night-3,2026-11-04T03:00:00Z,night-3,2026-11-04T03:00:00Z,1,no",
        f"terraform,crb,crb.bad,main.tf,1,,,terraform:infra,{first},{last},5,yes",
        "terraform,crb,crb.new,main.tf,1,,,terraform:infra,"
        "night-2,2026-11-03T03:00:00Z,night-3,2026-11-04T03:00:00Z,2,yes",
        f"terraform,crb,crb.ok,main.tf,1,,,terraform:infra,{first},{last},5,yes",
        "terraform,widget,widget.cm,main.tf,9,,,terraform:infra,"
        f"night-1,2026-11-02T03:00:00Z,{last},2,no",
    ]
    scanned = json.loads((out / "population" / "scanned.json").read_text())
    assert scanned == {
        "resources": 5,
        "by_source": {"aws": 1, "terraform": 4},
        "by_type": {"aws_kms_alias": 1, "crb": 3, "widget": 1},
        "files": {"terraform": ["main.tf"]},
        "targets": {f"night-{n}": ["infra"] for n in (0, 1, 2, 3, 5)},
        "accounts": [],
        "regions": [],
        "runs": 5,
    }
    runs = json.loads((out / "period" / "runs.json").read_text())
    assert [(r["run_id"], r["targets"], r["resources"]) for r in runs["complete"]] == [
        ("night-0", ["infra"], 2),
        ("night-1", ["infra"], 3),  # the widget
        ("night-2", ["infra"], 3),  # crb.new
        ("night-3", ["infra"], 4),  # crb.new and the key
        ("night-5", ["infra"], 3),  # the widget
    ]
    assert [(r["run_id"], r["resources"]) for r in runs["incomplete"]] == [("night-4", None)]
    assert all((r["accounts"], r["regions"]) == ([], []) for r in runs["complete"])
    index = " ".join((out / "index.html").read_text().split())
    assert "5 resources scanned by the complete runs of the period" in index
    assert "3 of them were not seen by every complete run; 2 were read by no check" in index
    assert "infra; 4 resources" in index  # night-3's row in the runs table
    # Listed in the manifest, verifiable, no secret anywhere, byte-reproducible.
    manifest = json.loads((out / "manifest.json").read_text())
    assert {"population.csv", "population/scanned.json"} <= {f["path"] for f in manifest["files"]}
    verified = comply("evidence", "verify", out)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert not [p for p in out.rglob("*") if p.is_file() and SECRET.encode() in p.read_bytes()]
    again = tmp_path / "again"
    assert export(store_url, again).returncode == 0
    for name in ("population.csv", "population/scanned.json", "period/runs.json"):
        assert (out / name).read_bytes() == (again / name).read_bytes()


def test_a_cadence_of_two_days_has_no_gap_and_bad_arguments_fail_cleanly(
    store_url: str, tmp_path: Path
) -> None:
    fill(store_url)
    result = export(store_url, tmp_path / "b", "--cadence", "2d")
    assert result.returncode == 0, result.stderr
    assert json.loads((tmp_path / "b" / "period" / "controls.json").read_text())["gaps"] == []
    bad = export(store_url, tmp_path / "c", "--cadence", "often")
    assert bad.returncode == 2 and "cadence 'often'" in bad.stderr
    reversed_period = comply(
        "evidence", "export", "--framework", "hipaa", "--from", "2026-11-06", "--to",
        "2026-11-01", "--store", store_url, "--out", tmp_path / "d",
    )  # fmt: skip
    assert reversed_period.returncode == 2 and "before it starts" in reversed_period.stderr


SYSTEM_YAML = """\
system:
  name: Patient portal
  subservice_organizations: [AWS (IaaS, carved out)]
  categories: [availability]
  not_applicable:
    - control: hipaa:164.308(a)(4)(ii)(C)
      justification: No workforce member may grant cluster access; the cluster is managed.
      approver: ciso@example.com
"""


def test_the_period_export_follows_the_system_section_like_the_point_in_time_one(
    store_url: str, tmp_path: Path
) -> None:
    """In-scope SOC 2 categories filter the controls and a control marked not applicable shows
    as such (justification, approver), never as a share of runs, with its exceptions still listed;
    the same `system:` gives the point-in-time export the same controls."""
    from scanner.cli.common import load_policies
    from scanner.evidence.model import ModelInputs, build_model
    from scanner.evidence.system import parse_system
    from tests.evidence.test_evidence_model import report as evidence_report

    fill(store_url)
    work = tmp_path / "work"
    work.mkdir()
    (work / ".comply.yaml").write_text(SYSTEM_YAML)
    result = export(store_url, tmp_path / "hipaa", cwd=work)
    assert result.returncode == 0, result.stderr
    document = json.loads((tmp_path / "hipaa" / "period" / "controls.json").read_text())
    assert document["system"]["name"] == "Patient portal"
    control = next(c for c in document["controls"] if c["id"] == CONTROL)
    assert control["not_applicable"] == (
        "not applicable: No workforce member may grant cluster access; the cluster is managed. "
        "(approved by ciso@example.com); note: 2 exception(s) of its checks"
    )
    assert control["runs"] == 0 and control["share_satisfied"] is None
    assert {t["status"] for t in control["timeline"]} == {"not_applicable"}
    assert len(control["exceptions"]) == 2  # said, not hidden
    others = [c for c in document["controls"] if c["id"] != CONTROL]
    assert all(c["not_applicable"] is None for c in others)
    index = (tmp_path / "hipaa" / "index.html").read_text()
    assert "ciso@example.com" in index and "Patient portal" in index
    assert "AWS (IaaS, carved out)" in index
    # Who exported and with which configuration, as in a point-in-time bundle.
    metadata = json.loads((tmp_path / "hipaa" / "run" / "metadata.json").read_text())
    assert metadata["bundle"]["kind"] == "period"
    assert set(metadata["export"]["operator"]) == {"user", "host", "ci_run_url"}
    assert metadata["export"]["configuration"]["settings"]["system"]["name"] == "Patient portal"
    assert metadata["export"]["period"] == {"from": "2026-11-01", "to": "2026-11-06"}

    result = export(store_url, tmp_path / "soc2", framework="soc2", cwd=work)
    assert result.returncode == 0, result.stderr
    soc2 = json.loads((tmp_path / "soc2" / "period" / "controls.json").read_text())
    registry, catalog = load_policies((), ())
    category = {c.id: c.category for c in catalog.controls() if c.framework == "soc2"}
    exported = [c["id"] for c in soc2["controls"]]
    assert exported and {category[c] for c in exported} == {"availability"}
    assert len(exported) < len(category)
    point_in_time = build_model(
        ModelInputs(
            framework="soc2",
            reports=[evidence_report("a.json", "2026-11-06T03:00:00Z", [])],
            catalog=catalog,
            registry=registry,
            tool_version="test",
            policies_sha256="p" * 64,
            catalog_sha256="c" * 64,
            system=parse_system(yaml.safe_load(SYSTEM_YAML)["system"]),
        )
    )
    assert exported == [c.id for c in point_in_time.controls]


def doc_blocks() -> dict[str, str]:
    """The worked example's blocks in docs/evidence.md, by their `worked-example:` marker."""
    text = (ROOT / "docs" / "evidence.md").read_text()
    found = re.findall(r"<!-- worked-example: ([\w-]+) -->\n```\w+\n(.*?)```", text, re.S)
    return dict(found)


def test_the_worked_example_in_the_docs_is_what_comply_prints_and_writes(
    store_url: str, tmp_path: Path
) -> None:
    from scanner.cli.common import load_policies
    from scanner.compliance.catalog import Scope
    from scanner.compliance.rollup import rollup_controls
    from scanner.report.json_report import report_to_dict

    blocks = doc_blocks()
    assert set(blocks) == {"period-stdout", "period-control", "point-in-time-control"}
    fill(store_url)
    work = tmp_path / "work"  # no .comply.yaml: no system section
    work.mkdir()
    result = export(
        store_url, tmp_path / "period", "--attestations", attestations_file(work), cwd=work
    )
    assert result.returncode == 0, result.stderr
    assert blocks["period-stdout"].strip() in result.stdout.splitlines()
    document = json.loads((tmp_path / "period" / "period" / "controls.json").read_text())
    control = next(c for c in document["controls"] if c["id"] == CONTROL)
    excerpt = json.loads(blocks["period-control"])
    assert excerpt == {key: control[key] for key in excerpt}

    # Type I: the 11-06 night's report alone, as `comply scan -o json=` writes it.
    _, catalog = load_policies((), ())
    night5 = report([F(CHECK, "crb.bad", "pass"), F(CHECK, "crb.ok", "pass")], started=night(5))
    night5.controls = rollup_controls(
        catalog, night5.findings, today=night(5).date(), scope=Scope(frameworks=("hipaa",))
    )
    path = tmp_path / "night-5.json"
    path.write_text(json.dumps(report_to_dict(night5), default=str))
    out = tmp_path / "type-i"
    result = comply("evidence", "export", "--framework", "hipaa", path, "--out", out, cwd=work)
    assert result.returncode == 0, result.stderr
    findings = json.loads((out / "findings.json").read_text())
    point = next(c for c in findings["controls"] if c["id"] == CONTROL)
    excerpt = json.loads(blocks["point-in-time-control"])
    assert excerpt == {key: point[key] for key in excerpt}
