from __future__ import annotations

import re

from scanner.core.model import Severity
from scanner.report import console, render
from tests.report.test_report_support import SECRET, build_report

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_no_ansi_escapes_without_color() -> None:
    text = render("console", build_report())
    assert "\x1b" not in text


def test_ansi_escapes_with_color() -> None:
    text = render("console", build_report(), color=True)
    assert ANSI.search(text)
    assert ANSI.sub("", text) == render("console", build_report())


def test_grouped_by_file_then_resource() -> None:
    lines = render("console", build_report()).splitlines()
    files = [line for line in lines if line and not line.startswith(" ")][:4]
    assert files == [
        "dir with space/main.tf",
        "modules/storage/s3.tf",
        "s3.tf",
        "cloudtrail_trail_multi_region  (aws: 1 finding)",  # live findings: by check
    ]
    start = lines.index("modules/storage/s3.tf")
    assert lines[start + 1] == "  aws_s3_bucket.reports"
    assert lines[start + 2].split()[:3] == ["FAIL", "high", "s3_bucket_encrypted_at_rest"]
    assert "line 40" in lines[start + 2]
    assert lines[start + 3].split()[:3] == ["UNKNOWN", "medium", "s3_bucket_versioning_enabled"]


def test_messages_are_not_rich_markup() -> None:
    text = render("console", build_report())
    assert '<configured> & "none" [bold]x[/bold]' in text


def test_passes_counted_not_listed() -> None:
    text = render("console", build_report())
    assert "Bucket logs is encrypted" not in text
    assert "PASS" not in text
    assert "Summary: 1 passed, 2 failed, 1 unknown, 1 errored, 2 suppressed" in text


def test_suppressed_findings_show_reason() -> None:
    text = render("console", build_report())
    assert "(suppressed fail: scratch bucket, no PHI)" in text


def test_errors_and_warnings_name_target_and_line() -> None:
    text = render("console", build_report())
    assert "Errors (1)\n  broken.tf:3  Unexpected token '}' <here> & there" in text
    assert "Warnings (1)\n  main.tf:12  skip of s3_bucket_versioning_enabled has no reason" in text


def test_summary_line_per_framework() -> None:
    text = render("console", build_report())
    assert (
        "hipaa: 3 controls — 1 not satisfied, 1 incomplete, 0 attested, 1 satisfied, "
        "0 not applicable" in text
    )
    assert (
        "soc2: 2 controls — 1 not satisfied, 0 incomplete, 0 attested, 0 satisfied, "
        "1 not applicable" in text
    )


def test_framework_order_follows_user_scope() -> None:
    report = build_report(frameworks=["soc2", "hipaa"])
    lines = console.framework_lines(report.controls, report.frameworks)
    assert [line.split(":")[0] for line in lines] == ["soc2", "hipaa"]


def test_blocking_failures_against_threshold() -> None:
    text = render("console", build_report())
    assert "2 blocking failures at or above severity high; scan incomplete: 1 error" in text
    text = render("console", build_report(severity_threshold=Severity.CRITICAL, errors=[]))
    assert "1 blocking failure at or above severity critical (1 below the threshold)" in text


def test_clean_report() -> None:
    report = build_report(findings=[], errors=[], warnings=[], controls=[])
    text = render("console", report)
    assert "No finding needs attention." in text
    assert "No blocking failure at or above severity high" in text
    assert "Controls:" not in text


def test_long_lines_are_not_wrapped() -> None:
    report = build_report()
    report.findings[1].message = "x" * 300
    line = next(li for li in render("console", report).splitlines() if "xxx" in li)
    assert line.endswith("x" * 300)


def test_no_secrets() -> None:
    assert SECRET not in render("console", build_report())


def test_paths_are_relative_to_the_repository_as_in_sarif() -> None:
    from tests.report.test_report_support import build_pr_report

    text = render("console", build_pr_report())  # scanned as infra/ from the repository root
    lines = text.splitlines()
    assert "infra/modules/storage/s3.tf" in lines
    assert "modules/storage/s3.tf" not in lines


def test_long_lines_wrap_at_words_to_the_width() -> None:
    report = build_report()
    report.findings[1].message = " ".join(["encryption"] * 40)
    for width in (80, 120, 200):
        text = console.render(report, width=width)
        assert max(len(line) for line in text.splitlines()) <= width
        assert "encryptio\n" not in text and " encryptio " not in text  # never mid-word
        wrapped = [line for line in text.splitlines() if line.strip().startswith("encryption")]
        assert wrapped and all(line.startswith("      ") for line in wrapped)  # hanging indent


def test_narrow_terminal_gives_one_block_per_finding() -> None:
    lines = console.render(build_report(), width=80).splitlines()
    start = lines.index("modules/storage/s3.tf")
    assert lines[start + 2].split() == ["FAIL", "high", "s3_bucket_encrypted_at_rest", "line", "40"]
    assert lines[start + 3].startswith("      Bucket reports has no encryption")
    wide = console.render(build_report(), width=200).splitlines()
    start = wide.index("modules/storage/s3.tf")
    assert "Bucket reports has no encryption" in wide[start + 2]  # one line per finding


def test_one_line_fix_per_failing_check() -> None:
    text = render("console", build_report())
    fixes = text.split("How to fix", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
    assert fixes == [
        "  s3_bucket_encrypted_at_rest: add an "
        "`aws_s3_bucket_server_side_encryption_configuration` with `aws:kms`."
    ]  # the trail check fails too, but has no remediation text to show
    assert "comply checks show CHECK_ID" in text


def test_region_level_live_findings_fold_into_one_line_per_check() -> None:
    from scanner.core.model import Location, Resource, Status
    from tests.report.test_report_support import SOC2_LOG, finding

    regions = ["eu-west-1", "us-east-1", "us-east-2", "us-west-2"]
    trails = [
        finding(
            "cloudtrail_trail_multi_region",
            Status.FAIL,
            f"no trail records {region}",
            Resource(
                type="aws_cloudtrail",
                id=f"arn:aws:cloudtrail:{region}:123456789012:trail/(none)",
                source="aws",
                location=Location(account="123456789012", region=region),
                attributes={},
            ),
            [SOC2_LOG],
        )
        for region in regions
    ]
    text = render("console", build_report(findings=trails))
    assert text.count("no trail records <region>") == 1
    assert "in 4 regions of account 123456789012: " + ", ".join(regions) in text
    assert "trail/(none)" not in text


def test_baseline_outcome_is_always_shown() -> None:
    from tests.report.test_report_support import build_pr_report

    text = render("console", build_pr_report())
    assert (
        "Baseline .comply-baseline.json: 1 of 2 entries still fails (accepted), 1 fixed; "
        "4 new failures" in text
    )
    assert render("console", build_report()).count("Baseline") == 0


def test_error_targets_in_the_scanned_tree_use_repository_paths(tmp_path) -> None:
    from scanner.core.model import ScanError

    (tmp_path / "broken.tf").write_text("x")
    report = build_report(
        root=str(tmp_path),
        sarif_prefix="infra",
        errors=[ScanError("broken.tf", "parse error", line=3)],
        warnings=[ScanError("waivers.yaml entry 2", "waiver matches nothing")],
    )
    text = render("console", report)
    assert "  infra/broken.tf:3  parse error" in text
    assert "  waivers.yaml entry 2  waiver matches nothing" in text  # not a file of the tree
