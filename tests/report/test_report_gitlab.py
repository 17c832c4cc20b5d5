from __future__ import annotations

import json
from typing import Any

from scanner.core.model import Location, Resource, Status
from scanner.report import render
from tests.report.test_report_support import (
    SECRET,
    assert_golden,
    build_pr_report,
    build_report,
    finding,
)

SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


def _issues(**overrides: Any) -> list[dict[str, Any]]:
    issues = json.loads(render("gitlab", build_pr_report(**overrides)))
    assert isinstance(issues, list)
    return issues


def test_matches_golden() -> None:
    assert_golden("gitlab_code_quality.json", render("gitlab", build_pr_report()))


def test_issue_structure() -> None:
    for issue in _issues():
        assert isinstance(issue["description"], str) and issue["description"]
        assert isinstance(issue["check_name"], str) and issue["check_name"]
        assert isinstance(issue["fingerprint"], str) and issue["fingerprint"]
        assert issue["severity"] in SEVERITIES
        location = issue["location"]
        assert isinstance(location["path"], str) and location["path"]
        assert isinstance(location["lines"]["begin"], int) and location["lines"]["begin"] >= 1
        if "end" in location["lines"]:
            assert location["lines"]["end"] >= location["lines"]["begin"]


def test_failures_only_with_severity_mapping_and_repository_paths() -> None:
    got = {(i["check_name"], i["location"]["path"], i["severity"]) for i in _issues()}
    assert got == {
        ("s3_bucket_public_access_blocked", "infra/modules/storage/s3.tf", "blocker"),
        ("s3_bucket_encrypted_at_rest", "infra/modules/storage/s3.tf", "critical"),
        ("s3_bucket_encrypted_at_rest", "infra/legacy.tf", "critical"),
        ("s3_bucket_versioning_enabled", "infra/modules/storage/s3.tf", "major"),
        (
            "cloudtrail_trail_multi_region",
            "arn:aws:cloudtrail:us-east-1:123456789012:trail/main",
            "blocker",
        ),
    }


def test_fingerprints_are_the_finding_fingerprints_and_unique() -> None:
    report = build_pr_report()
    expected = {f.fingerprint for f in report.findings if f.status is Status.FAIL}
    fingerprints = [i["fingerprint"] for i in _issues()]
    assert len(fingerprints) == len(set(fingerprints))
    assert set(fingerprints) == expected


def test_fingerprints_stay_unique_when_findings_repeat() -> None:
    resource = Resource(
        "aws_s3_bucket", "aws_s3_bucket.same", "terraform", Location("a.tf", 1, 2), {}
    )
    twice = [
        finding("s3_bucket_encrypted_at_rest", Status.FAIL, "no encryption", resource, [])
        for _ in range(3)
    ]
    issues = json.loads(render("gitlab", build_report(findings=twice)))
    fingerprints = [i["fingerprint"] for i in issues]
    assert len(set(fingerprints)) == 3
    assert fingerprints[0] == twice[0].fingerprint  # the first keeps the stable one


def test_lines_default_to_one_without_line_numbers() -> None:
    resource = Resource("aws_s3_bucket", "aws_s3_bucket.n", "terraform", Location("n.tf"), {})
    failing = finding("s3_bucket_encrypted_at_rest", Status.FAIL, "x", resource, [])
    (issue,) = json.loads(render("gitlab", build_report(findings=[failing])))
    assert issue["location"] == {"path": "n.tf", "lines": {"begin": 1}}


def test_empty_report_is_an_empty_array() -> None:
    assert render("gitlab", build_report(findings=[])) == "[]\n"


def test_never_contains_attribute_values() -> None:
    assert SECRET not in render("gitlab", build_pr_report())


def test_deterministic() -> None:
    shuffled = build_pr_report()
    shuffled.findings.reverse()
    assert render("gitlab", shuffled) == render("gitlab", build_pr_report())
