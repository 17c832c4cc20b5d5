from __future__ import annotations

import xml.etree.ElementTree as ET

from scanner.core.model import ScanError
from scanner.report import render
from tests.report.test_report_support import SECRET, build_report


def _root(**overrides: object) -> ET.Element:
    text = render("junit", build_report(**overrides))
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(text.encode("utf-8"))


def _suites(root: ET.Element) -> dict[str, ET.Element]:
    return {suite.get("name", ""): suite for suite in root.iter("testsuite")}


def _case(suite: ET.Element, name: str) -> ET.Element:
    cases = [c for c in suite.iter("testcase") if c.get("name") == name]
    assert len(cases) == 1
    return cases[0]


def test_one_suite_per_check_plus_scan_errors() -> None:
    root = _root()
    assert root.tag == "testsuites"
    assert list(_suites(root)) == [
        "cloudtrail_trail_multi_region",
        "s3_bucket_encrypted_at_rest",
        "s3_bucket_versioning_enabled",
        "scan-errors",
    ]


def test_counts_in_attributes() -> None:
    root = _root()
    assert {k: root.get(k) for k in ("tests", "failures", "errors", "skipped")} == {
        "tests": "8",
        "failures": "2",
        "errors": "2",
        "skipped": "3",
    }
    for suite in root.iter("testsuite"):
        cases = suite.findall("testcase")
        assert suite.get("tests") == str(len(cases))
        assert suite.get("failures") == str(sum(c.find("failure") is not None for c in cases))
        assert suite.get("errors") == str(sum(c.find("error") is not None for c in cases))
        assert suite.get("skipped") == str(sum(c.find("skipped") is not None for c in cases))
    assert float(root.get("time", "")) > 0


def test_statuses_map_to_junit_elements() -> None:
    suites = _suites(_root())
    encryption = suites["s3_bucket_encrypted_at_rest"]
    passed = _case(encryption, "aws_s3_bucket.logs")
    assert list(passed) == []  # a pass has no child
    failed = _case(encryption, "aws_s3_bucket.reports")
    failure = failed.find("failure")
    assert failure is not None and failure.get("type") == "high"
    assert failed.get("classname") == "s3_bucket_encrypted_at_rest"
    assert failed.get("file") == "modules/storage/s3.tf" and failed.get("line") == "40"

    versioning = suites["s3_bucket_versioning_enabled"]
    assert _case(versioning, "aws_s3_bucket.logs").find("error") is not None
    suppressed = _case(versioning, "aws_s3_bucket.odd").find("skipped")
    assert suppressed is not None
    assert suppressed.get("message") == "suppressed: scratch bucket, no PHI"


def test_unknown_is_skipped_not_passed() -> None:
    versioning = _suites(_root())["s3_bucket_versioning_enabled"]
    unknown = _case(versioning, "aws_s3_bucket.reports")
    skipped = unknown.find("skipped")
    assert skipped is not None
    assert skipped.get("message", "").startswith("unknown: Versioning depends on var.versioning")


def test_special_characters_are_escaped() -> None:
    text = render("junit", build_report())
    assert "&lt;configured&gt; &amp;" in text
    failed = _case(
        _suites(ET.fromstring(text))["s3_bucket_encrypted_at_rest"], "aws_s3_bucket.reports"
    )
    failure = failed.find("failure")
    assert failure is not None
    assert failure.get("message") == (
        'Bucket reports has no encryption <configured> & "none" [bold]x[/bold]'
    )


def test_control_characters_and_newlines_survive_parsing() -> None:
    errors = [ScanError("bad\x00file.tf", "line one\nline two \x1b[31m", line=7)]
    root = _root(errors=errors)
    # Control characters from the input are shown as escapes (scanner/core/control_chars.py);
    # a newline in a message is kept.
    case = _case(_suites(root)["scan-errors"], "bad\\x00file.tf:7")
    error = case.find("error")
    assert error is not None
    assert error.get("message") == "line one\nline two \\x1b[31m"


def test_scan_errors_suite() -> None:
    suite = _suites(_root())["scan-errors"]
    assert suite.get("errors") == "1" and suite.get("tests") == "1"
    case = _case(suite, "broken.tf:3")
    error = case.find("error")
    assert error is not None and error.get("message") == "Unexpected token '}' <here> & there"
    system_err = suite.find("system-err")
    assert system_err is not None and "main.tf:12" in (system_err.text or "")


def test_no_scan_errors_suite_when_clean() -> None:
    root = _root(errors=[], warnings=[])
    assert "scan-errors" not in _suites(root)
    assert root.get("errors") == "1"  # the errored check remains


def test_no_secrets() -> None:
    assert SECRET not in render("junit", build_report())
