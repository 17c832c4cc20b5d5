from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from scanner.core.model import fingerprint
from scanner.report import FORMATS, UnknownFormatError, json_report, render
from tests.report.test_report_support import SECRET, build_report


def _load(**overrides: object) -> dict:
    return json.loads(render("json", build_report(**overrides)))


def test_formats_registry_and_unknown_format() -> None:
    assert set(FORMATS) == {"console", "json", "sarif", "junit", "markdown", "github", "gitlab"}
    with pytest.raises(UnknownFormatError, match="choose from"):
        render("yaml", build_report())


def test_top_level_keys_in_stable_order() -> None:
    data = _load()
    assert list(data) == [
        "schema_version",
        "tool",
        "scan",
        "summary",
        "findings",
        "errors",
        "warnings",
        "controls",
        "baseline",
        "changed_since",
        "resources",
        "context",
        "skipped_inputs",
    ]
    assert data["schema_version"] == "1"
    assert data["tool"] == {"name": "comply", "version": "0.1.0"}


def test_scan_block_and_utc_timestamps() -> None:
    scan = _load()["scan"]
    assert scan == {
        "started_at": "2026-11-26T03:00:00Z",
        "finished_at": "2026-11-26T03:00:04Z",
        "source": "terraform",
        "targets": ["infra"],
        "files_scanned": 3,
        "files_skipped": 0,
    }


def test_timestamps_are_converted_to_utc() -> None:
    plus_two = timezone(timedelta(hours=2))
    data = _load(
        started_at=datetime(2026, 11, 26, 5, 0, 0, tzinfo=plus_two),
        finished_at=datetime(2026, 11, 26, 3, 0, 1),  # naive: taken as UTC
    )
    assert data["scan"]["started_at"] == "2026-11-26T03:00:00Z"
    assert data["scan"]["finished_at"] == "2026-11-26T03:00:01Z"


def test_summary_counts() -> None:
    assert _load()["summary"] == {"pass": 1, "fail": 2, "unknown": 1, "error": 1, "skipped": 2}


def test_findings_keep_report_order() -> None:
    statuses = [f["status"] for f in _load()["findings"]]
    assert statuses == ["pass", "fail", "unknown", "error", "skipped", "skipped", "fail"]


def test_finding_full_shape() -> None:
    finding = _load()["findings"][1]
    assert finding == {
        "check_id": "s3_bucket_encrypted_at_rest",
        "title": "S3 buckets encrypt objects at rest",
        "severity": "high",
        "status": "fail",
        "message": 'Bucket reports has no encryption <configured> & "none" [bold]x[/bold]',
        "resource": {
            "id": "aws_s3_bucket.reports",
            "type": "aws_s3_bucket",
            "source": "terraform",
        },
        "location": {"file": "modules/storage/s3.tf", "start_line": 40, "end_line": 52},
        "controls": [
            {"framework": "hipaa", "id": "164.312(a)(2)(iv)"},
            {"framework": "soc2", "id": "CC6.1"},
        ],
        "fingerprint": fingerprint("s3_bucket_encrypted_at_rest", "aws_s3_bucket.reports"),
        "blocking": True,
    }


def test_aws_finding_location_is_account_and_region() -> None:
    finding = _load()["findings"][-1]
    assert finding["location"] == {"account": "123456789012", "region": "us-east-1"}
    assert finding["resource"]["source"] == "aws"


def test_skipped_finding_carries_suppression() -> None:
    findings = _load()["findings"]
    suppressed = [f for f in findings if f["status"] == "skipped"]
    assert suppressed[0]["suppression"] == {
        "reason": "scratch bucket, no PHI",
        "original_status": "fail",
    }
    assert list(suppressed[0])[-1] == "suppression"
    assert all("suppression" not in f for f in findings if f["status"] != "skipped")


def test_errors_warnings_and_controls() -> None:
    data = _load()
    assert data["errors"] == [
        {"target": "broken.tf", "message": "Unexpected token '}' <here> & there", "line": 3}
    ]
    assert data["warnings"] == [
        {
            "target": "main.tf",
            "message": "skip of s3_bucket_versioning_enabled has no reason",
            "line": 12,
        }
    ]
    assert [(c["framework"], c["id"], c["status"]) for c in data["controls"]] == [
        ("hipaa", "164.312(a)(2)(iv)", "not_satisfied"),
        ("hipaa", "164.312(b)", "satisfied"),
        ("hipaa", "164.308(a)(1)", "incomplete"),
        ("soc2", "CC6.1", "not_satisfied"),
        ("soc2", "CC7.2", "not_applicable"),
    ]


def test_empty_report() -> None:
    data = _load(findings=[], errors=[], warnings=[], controls=[])
    assert data["findings"] == [] and data["errors"] == [] and data["warnings"] == []
    assert data["summary"] == {"pass": 0, "fail": 0, "unknown": 0, "error": 0, "skipped": 0}


def test_text_is_deterministic_utf8_and_ends_with_newline() -> None:
    report = build_report(targets=["infra/größe"])
    text = json_report.render(report)
    assert text == json_report.render(report)
    assert text.endswith("}\n")
    assert "größe" in text  # ensure_ascii=False
    assert text.startswith('{\n  "schema_version": "1",')


def test_no_resource_attributes_or_raw_data_leak() -> None:
    text = render("json", build_report())
    assert SECRET not in text
    assert "attributes" not in text and "raw" not in json.loads(text)["findings"][0]


def test_fast_finding_encoding_is_identical_to_the_dict_path() -> None:
    from scanner.report.json_report import _compact, _encoded_findings, finding_to_dict

    report = build_report()
    fast = list(_encoded_findings(report))
    slow = [_compact(finding_to_dict(f, report)) for f in report.findings]
    assert fast == slow
    assert any(f.status.value == "skipped" for f in report.findings)
