"""Ids and baselines do not depend on the folder a scan starts from (the README's own flow)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.compliance.results import BaselineEntry
from scanner.core.model import Finding, Location, Resource, Severity, Status, fingerprint
from scanner.premerge.baseline import baseline_warnings, compare
from tests.conftest import FIXTURES

MIXED = FIXTURES / "cli" / "mixed"


def git_repository(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(MIXED, repo / "infra")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    return repo


def failing_ids(document: dict) -> set[tuple[str, str]]:
    return {
        (f["check_id"], f["resource"]["id"]) for f in document["findings"] if f["status"] == "fail"
    }


def test_ids_are_relative_to_the_repository_whatever_the_scan_root(comply, tmp_path: Path):
    repo = git_repository(tmp_path)
    from_infra = comply("scan", "terraform", "infra/", "-o", "json", "--no-cache", cwd=repo)
    from_top = comply("scan", "terraform", ".", "-o", "json", "--no-cache", cwd=repo)
    assert failing_ids(from_infra.json()) == failing_ids(from_top.json())
    ids = {resource for _, resource in failing_ids(from_top.json())}
    assert "infra:aws_kms_key.not_rotated" in ids
    assert all(i.startswith("infra:") for i in ids)


def test_readme_flow_baseline_from_a_subfolder_gates_a_scan_of_the_repository(
    comply, tmp_path: Path
):
    repo = git_repository(tmp_path)
    first = comply(
        "scan", "terraform", "infra/", "-o", "json=findings.json", "--no-cache", cwd=repo
    )
    assert first.exit_code == 1
    created = comply("baseline", "create", "findings.json", cwd=repo)
    assert created.exit_code == 0, created.stderr
    failures = len(json.loads((repo / ".comply-baseline.json").read_text())["failures"])
    again = comply(
        "scan", "terraform", ".", "--baseline", ".comply-baseline.json", "--no-cache", cwd=repo
    )
    assert again.exit_code == 0, again.stdout  # every failure is accepted: nothing blocks
    assert (
        f"Baseline .comply-baseline.json: {failures} of {failures} entries still fail "
        "(accepted), 0 fixed; 0 new failures" in again.stdout
    )
    assert "matched none" not in again.stdout


def test_baseline_matches_across_scan_roots_without_a_repository(comply, tmp_path: Path):
    """No git: ids are relative to the scanned folder, and the baseline matches by address."""
    top = tmp_path / "work"
    shutil.copytree(MIXED, top / "infra")
    comply("scan", "terraform", top / "infra", "-o", f"json={tmp_path / 'r.json'}", "--no-cache")
    comply("baseline", "create", tmp_path / "r.json", "-o", tmp_path / "b.json")
    entries = json.loads((tmp_path / "b.json").read_text())["failures"]
    assert entries and all(":" not in e["resource_id"] for e in entries)  # bare addresses
    scan = comply(
        "scan", "terraform", top, "--baseline", tmp_path / "b.json", "-o", "json", "--no-cache"
    )
    assert scan.exit_code == 0, scan.stdout
    assert not [f for f in scan.json()["findings"] if f.get("blocking")]


def test_a_baseline_that_matches_nothing_warns_and_says_so_in_the_console(comply, tmp_path: Path):
    infra = tmp_path / "infra"
    shutil.copytree(MIXED, infra)
    baseline = tmp_path / "b.json"
    baseline.write_text(
        json.dumps(
            {
                "baseline_version": 1,
                "failures": [
                    {
                        "check_id": "kms_key_rotation_enabled",
                        "resource_id": "aws_kms_key.gone",
                        "fingerprint": fingerprint("kms_key_rotation_enabled", "aws_kms_key.gone"),
                    }
                ],
            }
        )
    )
    scan = comply("scan", "terraform", infra, "--baseline", baseline, "--no-cache")
    assert scan.exit_code == 1
    assert "the baseline matched none of its 1 entry while" in scan.stdout
    assert "0 of 1 entry still fail (accepted), 1 fixed" in scan.stdout


def _failure(check: str, resource_id: str) -> Finding:
    resource = Resource(
        type="aws_kms_key", id=resource_id, source="terraform", location=Location(), attributes={}
    )
    return Finding(
        check_id=check,
        title="t",
        severity=Severity.HIGH,
        status=Status.FAIL,
        message="m",
        resource=resource,
    )


def _entry(check: str, resource_id: str) -> BaselineEntry:
    return BaselineEntry(check, resource_id, fingerprint(check, resource_id))


def test_relocated_entries_match_only_one_compatible_finding():
    check = "kms_key_rotation_enabled"
    findings = [
        _failure(check, "envs/prod:aws_kms_key.a"),
        _failure(check, "envs/dev:aws_kms_key.a"),
    ]
    # A bare address could be either root module: accepting both would hide a new failure.
    ambiguous = compare(Path("b.json"), [_entry(check, "aws_kms_key.a")], findings)
    assert ambiguous.known == frozenset() and len(ambiguous.fixed) == 1
    assert baseline_warnings(ambiguous, findings)
    # A label that is a path suffix picks exactly one.
    suffix = compare(Path("b.json"), [_entry(check, "prod:aws_kms_key.a")], findings)
    assert suffix.known == frozenset({findings[0].fingerprint}) and suffix.relocated == 1
    # Another root module with the same address is not the same resource.
    other = compare(Path("b.json"), [_entry(check, "staging:aws_kms_key.a")], findings)
    assert other.known == frozenset()
    # An instance key with a colon is part of the address, not a label.
    keyed = [_failure(check, 'aws_kms_key.a["x:y"]')]
    exact = compare(Path("b.json"), [_entry(check, 'aws_kms_key.a["x:y"]')], keyed)
    assert exact.known == frozenset({keyed[0].fingerprint}) and exact.relocated == 0


# Open-ended input: any labels, addresses and instance keys.
_segment = st.text(alphabet="abcdefgh-_", min_size=1, max_size=6)
_label = st.lists(_segment, max_size=3).map("/".join)
_address = st.tuples(_segment, st.sampled_from(["", '["a:b"]', "[0]", '["x"]'])).map(
    lambda parts: f"aws_kms_key.{parts[0]}{parts[1]}"
)
_resource_id = st.tuples(_label, _address).map(lambda p: f"{p[0]}:{p[1]}" if p[0] else p[1])


@given(
    entries=st.lists(_resource_id, max_size=6, unique=True),
    failing=st.lists(_resource_id, max_size=6, unique=True),
)
@settings(max_examples=300, deadline=None)
def test_a_baseline_accepts_at_most_one_failure_per_entry(entries, failing):
    check = "kms_key_rotation_enabled"
    findings = [_failure(check, resource_id) for resource_id in failing]
    comparison = compare(Path("b.json"), [_entry(check, r) for r in entries], findings)
    failing_prints = {f.fingerprint for f in findings}
    assert comparison.known <= failing_prints  # only real failures are accepted
    assert len(comparison.known) + len(comparison.fixed) == len(entries)  # one each, at most
    assert comparison.matched == len(entries) - len(comparison.fixed)
    exact = {fingerprint(check, r) for r in entries} & failing_prints
    assert exact <= comparison.known  # an exact match is never lost
