"""The command line as a newcomer meets it: one error style, near-match suggestions, a terminal-
sized `checks list`, `checks show`, and help that says what repeats."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from scanner.cli.main import cli


def invoke(*args: str, columns: int | None = None):
    env = {"COLUMNS": str(columns)} if columns else {"COLUMNS": ""}
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["scan", "terraform"], "Missing argument 'PATH'"),
        (["scan", "terraform", "/no/such/folder"], "'/no/such/folder' does not exist"),
        (["scan", "terraform", ".", "--no-such-flag"], "No such option '--no-such-flag'"),
        (["no-such-command"], "No such command 'no-such-command'"),
        (["checks", "list", "-o", "xml"], "'xml' is not one of"),
    ],
)
def test_click_usage_errors_use_comply_error_style(args, message):
    result = invoke(*args)
    assert result.exit_code == 2
    first, second = result.output.splitlines()[:2]
    assert first.startswith("comply: error: ") and message in first
    assert second.startswith("comply: see `comply ") and second.endswith(" --help`")
    assert "Usage:" not in result.output and "\nError:" not in result.output


def test_comply_errors_and_click_errors_look_the_same():
    ours = invoke("scan", "terraform", ".", "--check", "no_such_check")
    theirs = invoke("scan", "terraform", ".", "--severity-threshold", "urgent")
    assert ours.exit_code == theirs.exit_code == 2
    assert ours.output.startswith("comply: error: ")
    assert theirs.output.startswith("comply: error: ")


def test_check_id_typo_suggests_the_near_match():
    result = invoke("scan", "terraform", ".", "--check", "kms_key_rotaton_enabled")
    assert result.exit_code == 2
    assert "did you mean 'kms_key_rotation_enabled'?" in result.output


def test_truncated_control_id_suggests_the_controls_it_starts():
    result = invoke("controls", "show", "164.312")
    assert result.exit_code == 2
    assert "no control '164.312'" in result.output
    assert "did you mean '164.312(a)(1)'" in result.output


def test_check_help_says_it_can_be_repeated():
    text = " ".join(invoke("scan", "terraform", "--help", columns=200).output.split())
    assert "--check CHECK_ID Run only this check (repeatable" in text
    assert "--skip-check CHECK_ID Do not run this check (repeatable)" in text


def test_checks_show_prints_title_rationale_fix_controls_and_references():
    result = invoke("checks", "show", "kms_key_rotation_enabled", columns=100)
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.startswith("kms_key_rotation_enabled: Symmetric KMS keys rotate")
    for section in ("Why it matters", "How to fix", "Controls", "References"):
        assert f"\n{section}\n" in text
    assert "enable_key_rotation = true" in text
    assert "hipaa 164.312(a)(2)(iv)" in text and "soc2 CC6.1" in text
    assert "checkov: CKV_AWS_7" in text
    assert "sources         every source" in text


def test_checks_show_json_and_unknown_id():
    import json

    detail = json.loads(invoke("checks", "show", "iam_user_mfa_enabled", "-o", "json").output)
    assert detail["sources"] == ["aws"]  # judged on live data only
    assert detail["remediation"] and detail["rationale"]
    missing = invoke("checks", "show", "s3_bucket_encrypted")
    assert missing.exit_code == 2
    assert "did you mean 's3_bucket_encrypted_at_rest'" in missing.output


@pytest.mark.parametrize("columns", [60, 80, 120, 200])
def test_checks_list_fits_the_terminal(columns):
    result = invoke("checks", "list", columns=columns)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= columns
    assert any(
        line.startswith("cloudtrail_trail_cloudwatch_logs_enabled")
        or "cloudtrail_trail_cloudwatch_logs_enabled" in line
        for line in lines
    )
    assert lines[-1].split()[1] == "checks;"  # "94 checks; details: comply checks show ID"


def test_help_imports_no_heavy_module():
    """`comply --help` must start fast: no YAML, Jinja2, boto3, rich or evidence builder."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from scanner.cli.main import cli\n"
        "try:\n"
        "    cli.main(['--help'], prog_name='comply')\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('yaml', 'jinja2', 'boto3', 'botocore', 'rich', 'hcl2', 'importlib.metadata',\n"
        "         'scanner.evidence.builder', 'scanner.compliance.catalog')\n"
        "print('loaded:' + ','.join(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert "Commands:" in out and "evidence" in out
    assert "loaded:\n" in out  # none of them


def test_lazy_command_list_matches_the_commands():
    from scanner.cli.main import COMMANDS, cli

    context = click.Context(cli)
    for name, lazy in COMMANDS.items():
        command = cli.get_command(context, name)
        assert command is not None and command.name in (name, lazy.attribute)
        assert lazy.short_help == command.get_short_help_str(200), name


def test_version_is_printed():
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.output.startswith("comply, version ")
