from __future__ import annotations

import re

from scanner.core.model import Location, Resource, ScanError, Severity, Status
from scanner.report import render
from scanner.report.github import escape_data, escape_property, repository_path
from tests.report.test_report_support import (
    ROOT,
    SECRET,
    build_pr_report,
    build_report,
    finding,
)

COMMAND = re.compile(r"^::(error|warning|notice)( [^:]*)?::(.*)$")


def _commands(text: str) -> list[tuple[str, dict[str, str], str]]:
    """(level, properties, message) per line; every line must be one workflow command."""
    out = []
    assert text.endswith("\n")
    for line in text.splitlines():
        match = COMMAND.match(line)
        assert match, line
        level, props, message = match.groups()
        properties = dict(p.split("=", 1) for p in props.strip().split(",")) if props else {}
        out.append((level, properties, message))
    return out


def _unescape(text: str) -> str:
    # The runner's own unescaping, in its order.
    return (
        text.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
    )


def test_escape_data() -> None:
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_data("a: b, c") == "a: b, c"  # only properties escape : and ,
    assert escape_data("%0A literal") == "%250A literal"


def test_escape_property() -> None:
    assert escape_property("C:\\dir,x") == "C%3A\\dir%2Cx"
    assert escape_property("50%\n") == "50%25%0A"
    for value in ["a:b,c%d\r\ne", "%3A", "::error::x"]:
        assert _unescape(escape_property(value)) == value


def test_one_annotation_per_failure_unknown_and_error() -> None:
    commands = _commands(render("github", build_pr_report()))
    by_title = [(level, props.get("title"), props.get("file")) for level, props, _ in commands]
    assert by_title == [
        ("error", "comply%3A scan error", "infra/broken.tf"),
        ("error", "s3_bucket_public_access_blocked", "infra/modules/storage/s3.tf"),
        ("error", "s3_bucket_encrypted_at_rest", "infra/modules/storage/s3.tf"),
        ("error", "s3_bucket_versioning_enabled", "infra/s3.tf"),  # the check crashed
        ("warning", "cloudtrail_trail_multi_region", None),  # not changed; no file (live AWS)
        ("warning", "s3_bucket_encrypted_at_rest", "infra/legacy.tf"),  # in the baseline
        ("warning", "s3_bucket_versioning_enabled", "infra/modules/storage/s3.tf"),  # below
        ("notice", "s3_bucket_versioning_enabled", "infra/modules/storage/s3.tf"),  # unknown
        ("warning", "comply%3A scan warning", "infra/main.tf"),
    ]


def test_lines_and_message() -> None:
    commands = _commands(render("github", build_pr_report()))
    _level, props, message = commands[1]
    assert props == {
        "file": "infra/modules/storage/s3.tf",
        "line": "60",
        "endLine": "71",
        "title": "s3_bucket_public_access_blocked",
    }
    assert _unescape(message) == (
        "aws_s3_bucket.phi: Bucket phi allows public ACLs | policies\nacl = public-read "
        "(critical; blocking; hipaa 164.312(a)(2)(iv), soc2 CC6.1)"
    )
    scan_error = commands[0]
    assert scan_error[1]["line"] == "3"
    assert "endLine" not in scan_error[1]
    assert _unescape(scan_error[2]) == "broken.tf:3: Unexpected token '}' <here> & there"


def test_without_baseline_every_failure_at_threshold_is_an_error() -> None:
    commands = _commands(render("github", build_report()))
    failures = [
        (level, props["title"]) for level, props, _ in commands if "scan" not in props["title"]
    ]
    assert ("error", "s3_bucket_encrypted_at_rest") in failures
    assert ("error", "cloudtrail_trail_multi_region") in failures


def test_passes_and_suppressed_findings_are_not_annotated() -> None:
    text = render("github", build_report())
    assert "Bucket logs is encrypted" not in text
    assert "Bucket odd" not in text


def test_a_message_cannot_inject_a_command() -> None:
    evil = Resource(
        "aws_s3_bucket",
        "aws_s3_bucket.x,title=fake",
        "terraform",
        Location(file="a,b:c%.tf", start_line=1, end_line=2),
        {},
    )
    report = build_report(
        findings=[
            finding(
                "s3_bucket_encrypted_at_rest",
                Status.FAIL,
                "bad\n::error file=x::pwned\r%0A",
                evil,
                [],
            )
        ],
        errors=[],
        warnings=[],
    )
    text = render("github", report)
    assert text.count("\n") == 1
    (level, props, message) = _commands(text)[0]
    assert level == "error"
    assert _unescape(props["file"]) == "a,b:c%.tf"
    assert props["title"] == "s3_bucket_encrypted_at_rest"
    # The newline is escaped by the command syntax; a carriage return is shown as `\r` (no
    # control character from the input reaches the log, scanner/core/control_chars.py).
    assert _unescape(message).startswith(
        "aws_s3_bucket.x,title=fake: bad\n::error file=x::pwned\\r%0A"
    )


def test_repository_paths() -> None:
    report = build_report(sarif_prefix="infra/")
    assert repository_path("modules/s3.tf", report) == "infra/modules/s3.tf"
    assert repository_path("./main.tf", report) == "infra/main.tf"
    assert repository_path(f"{ROOT}/modules/s3.tf", report) == "infra/modules/s3.tf"
    assert repository_path("/elsewhere/x.tf", report) == "/elsewhere/x.tf"
    assert repository_path("dir\\win.tf", build_report()) == "dir/win.tf"
    assert repository_path("main.tf", build_report()) == "main.tf"


def test_scan_error_on_a_folder_has_no_file_property() -> None:
    report = build_report(findings=[], warnings=[], errors=[ScanError("infra", "internal error")])
    ((level, props, message),) = _commands(render("github", report))
    assert level == "error" and "file" not in props
    assert _unescape(message) == "infra: internal error"


def test_no_findings_no_output() -> None:
    assert render("github", build_report(findings=[], errors=[], warnings=[])) == ""


def test_never_contains_attribute_values() -> None:
    assert SECRET not in render("github", build_pr_report())


def test_severity_threshold_decides_level() -> None:
    report = build_report(severity_threshold=Severity.CRITICAL, errors=[], warnings=[])
    levels = {props["title"]: level for level, props, _ in _commands(render("github", report))}
    assert levels["cloudtrail_trail_multi_region"] == "error"
    assert levels["s3_bucket_encrypted_at_rest"] == "warning"  # high < critical
