from __future__ import annotations

import re

import pytest

from scanner.cli.output_targets import REPORT_FORMATS, parse_output_targets
from scanner.core.model import ScanError, Status
from scanner.report import FORMATS, render
from scanner.report.markdown import MAX_CHARS, cell, code
from scanner.report.markdown import render as render_markdown
from tests.report.test_report_support import (
    SECRET,
    assert_golden,
    bucket,
    build_pr_report,
    build_report,
    finding,
)


def _section(text: str, heading: str) -> str:
    """The text from `heading` up to the next `### ` heading or `<details>`."""
    start = text.index(heading)
    rest = text[start + len(heading) :]
    ends = [i for i in (rest.find("\n### "), rest.find("\n<details>")) if i >= 0]
    return rest[: min(ends)] if ends else rest


def _table_rows(section: str) -> list[str]:
    return [line for line in section.splitlines() if line.startswith("|")]


def _unescaped_pipes(line: str) -> int:
    return len(re.findall(r"(?<!\\)\|", line))


def test_registered_as_report_and_output_format() -> None:
    for name in ("markdown", "github", "gitlab"):
        assert name in FORMATS
        assert name in REPORT_FORMATS
    targets = parse_output_targets(["markdown=summary.md", "github", "gitlab=gl.json"])
    assert [t.format for t in targets] == ["markdown", "github", "gitlab"]


def test_pr_summary_matches_golden() -> None:
    assert_golden("pr_summary.md", render("markdown", build_pr_report()))


def test_clean_summary_matches_golden() -> None:
    report = build_report(
        findings=[f for f in build_report().findings if f.status is Status.PASS],
        errors=[],
        warnings=[],
    )
    assert_golden("clean_summary.md", render("markdown", report))


def test_verdict_heading() -> None:
    pr = render("markdown", build_pr_report()).splitlines()[0]
    assert pr == "## comply: ❌ 2 blocking failures · ⚠️ scan incomplete: 2 errors"
    incomplete = build_report(
        findings=[f for f in build_report().findings if f.status is not Status.FAIL]
    )
    assert render("markdown", incomplete).splitlines()[0] == (
        "## comply: ⚠️ scan incomplete: 2 errors"
    )
    clean = build_report(findings=[], errors=[])
    assert render("markdown", clean).splitlines()[0] == "## comply: ✅ no blocking failures"


def test_blocking_failures_come_first_and_only_new_ones_block() -> None:
    text = render("markdown", build_pr_report())
    blocking = _section(text, "### Blocking failures (2)")
    assert "aws_s3_bucket.phi" in blocking and "aws_s3_bucket.reports" in blocking
    assert "aws_s3_bucket.legacy" not in blocking  # accepted in the baseline
    assert "cloudtrail" not in blocking  # not changed
    # critical before high
    assert blocking.index("s3_bucket_public_access_blocked") < blocking.index(
        "s3_bucket_encrypted_at_rest"
    )
    assert text.index("### Blocking failures") < text.index("<summary>Non-blocking failures (3)")


def test_non_blocking_failures_say_why() -> None:
    text = render("markdown", build_pr_report())
    details = text[text.index("<summary>Non-blocking") : text.index("</details>")]
    rows = {row.split(" | ")[2]: row for row in _table_rows(details)[2:]}
    assert "accepted in baseline" in rows["`aws_s3_bucket.legacy`"]
    assert "below threshold high" in rows["`aws_s3_bucket.phi`"]
    assert "resource not changed" in rows["`arn:aws:cloudtrail:us-east-1:123456789012:trail/main`"]


def test_unknown_errors_fixed_and_controls_sections() -> None:
    text = render("markdown", build_pr_report())
    unknown = _section(text, "### Could not evaluate (1)")
    assert "var.versioning" in unknown
    errors = _section(text, "### Errors (2)")
    assert "broken.tf:3" in errors and "check crashed" in errors
    fixed = _section(text, "### Fixed since baseline (1)")
    assert "`aws_s3_bucket.archive`" in fixed
    controls = _table_rows(_section(text, "### Controls"))
    assert controls[0] == (
        "| Framework | Not satisfied | Incomplete | Attested | Satisfied | Not applicable |"
    )
    assert controls[2:] == ["| hipaa | 1 | 1 | 0 | 1 | 0 |", "| soc2 | 1 | 0 | 0 | 0 | 1 |"]


def test_without_baseline_or_diff_there_is_no_fixed_section_or_rule_line() -> None:
    text = render("markdown", build_report())
    assert "Fixed since baseline" not in text
    assert "Only new failures block" not in text
    # Without a baseline or a change set, every failure at or above the threshold blocks.
    assert "### Blocking failures (2)" in text


def test_pr_rule_line_names_baseline_and_ref() -> None:
    text = render("markdown", build_pr_report())
    assert "baseline `.comply-baseline.json`: 1 accepted failure still failing, 1 fixed" in text
    assert "changed since `origin/main`: 3 resources" in text


def test_every_table_row_has_as_many_cells_as_its_header() -> None:
    text = render("markdown", build_pr_report())
    table: list[str] = []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            table.append(line)
            continue
        if table:
            widths = {_unescaped_pipes(row) for row in table}
            assert len(widths) == 1, table
            table = []


def test_cells_escape_markdown_html_pipes_and_line_breaks() -> None:
    assert cell("a|b") == "a\\|b"
    assert cell("one\ntwo\r\nthree") == "one<br>two<br>three"
    assert (
        cell("<img src=x onerror=alert(1)> & co") == "&lt;img src=x onerror=alert(1)&gt; &amp; co"
    )
    assert cell("**bold** _it_ [link](http://x) `code` ~~s~~") == (
        "\\*\\*bold\\*\\* \\_it\\_ \\[link\\](http://x) \\`code\\` \\~\\~s\\~\\~"
    )
    assert cell("bell\x07") == "bell"
    assert cell("x" * 500).endswith("…") and len(cell("x" * 500)) == 300


def test_code_spans_survive_backticks_and_pipes() -> None:
    assert code("aws_s3_bucket.b") == "`aws_s3_bucket.b`"
    assert code('aws_s3_bucket.b["a|b"]') == '`aws_s3_bucket.b["a\\|b"]`'
    assert code("a`b") == "``a`b``"
    assert code("`edge`") == "`` `edge` ``"
    assert code("multi\nline") == "`multi line`"


def test_messages_are_escaped_in_the_summary() -> None:
    text = render("markdown", build_pr_report())
    assert '&lt;configured&gt; &amp; "none" \\[bold\\]x\\[/bold\\]' in text
    assert "Bucket phi allows public ACLs \\| policies<br>acl = public-read" in text
    assert "<configured>" not in text


def test_never_contains_attribute_values() -> None:
    assert SECRET not in render("markdown", build_pr_report())


def test_deterministic() -> None:
    assert render("markdown", build_pr_report()) == render("markdown", build_pr_report())
    shuffled = build_pr_report()
    shuffled.findings.reverse()
    assert render("markdown", shuffled) == render("markdown", build_pr_report())


def test_large_reports_are_truncated_under_the_comment_limit() -> None:
    findings = [
        finding(
            "s3_bucket_encrypted_at_rest",
            Status.FAIL,
            f"Bucket b{i:05d} has no encryption " + "and a long explanation " * 20,
            bucket(f"b{i:05d}", f"modules/m{i % 7}/s3.tf", i + 1, i + 9),
            [],
        )
        for i in range(3000)
    ]
    errors = [ScanError(f"broken{i}.tf", "parse error " * 30, line=i) for i in range(500)]
    report = build_report(findings=findings, errors=errors)
    text = render_markdown(report)
    assert len(text) <= MAX_CHARS < 65_536
    assert re.search(r"_… and \d+ more \(see the full report\)_", text)
    assert "### Blocking failures (3000)" in text
    assert "### Errors (500)" in text
    assert text == render_markdown(report)


def test_truncation_keeps_the_most_important_rows() -> None:
    report = build_pr_report()
    text = render_markdown(report, max_chars=3_000)
    assert len(text) <= 3_000
    assert text.startswith("## comply: ❌ 2 blocking failures")
    assert "s3_bucket_public_access_blocked" in text  # the critical blocking failure survives


@pytest.mark.parametrize("limit", [500, 1_000])
def test_hard_limit_is_respected_even_when_sections_cannot_shrink(limit: int) -> None:
    text = render_markdown(build_pr_report(), max_chars=limit)
    assert len(text) <= limit
    assert text.endswith("see the full report._\n")
