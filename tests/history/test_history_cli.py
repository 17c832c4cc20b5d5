"""End to end through the real `comply` command: scans with --store, `comply history ...`, and
the bad inputs (unreachable, refused or newer store; unknown run id) - exit 2, reports still
written, a clear message."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import REPO_ROOT, CompletedScan

KEYS_V1 = """
resource "aws_kms_key" "orders" {
  description         = "orders"
  enable_key_rotation = true
}

resource "aws_kms_key" "claims" {
  description = "claims: rotation off"
}
"""
# The next night: claims fixed, a new failing key, blocks moved around (findings keep their key).
KEYS_V2 = """
resource "aws_kms_key" "billing" {
  description = "billing: rotation off"
}

# moved down
resource "aws_kms_key" "claims" {
  description         = "claims"
  enable_key_rotation = true
}

resource "aws_kms_key" "orders" {
  description         = "orders"
  enable_key_rotation = true
}
"""


def comply(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> CompletedScan:
    process = subprocess.run(
        [sys.executable, "-m", "scanner", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(cwd),
            "PYTHONPATH": str(REPO_ROOT),
            "XDG_DATA_HOME": str(cwd / "data"),
            **(env or {}),
        },
    )
    return CompletedScan(process.returncode, process.stdout, process.stderr)


def scan(cwd: Path, *extra: str, env: dict[str, str] | None = None) -> CompletedScan:
    return comply(
        "scan", "terraform", "infra", "--check", "kms_key_rotation_enabled", "--no-cache",
        "-o", "json=report.json", *extra, cwd=cwd, env=env,
    )  # fmt: skip


@pytest.fixture
def infra(tmp_path) -> Path:
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "main.tf").write_text(KEYS_V1)
    return tmp_path


def test_two_nights_then_runs_diff_and_show(infra):
    first = scan(infra, "--store")
    assert first.exit_code == 1, first.stderr
    assert (infra / "data" / "comply" / "history.db").is_file()  # the documented default
    (infra / "infra" / "main.tf").write_text(KEYS_V2)
    second = scan(infra, "--store")
    assert second.exit_code == 1, second.stderr

    runs = comply("history", "runs", "-o", "json", cwd=infra)
    assert runs.exit_code == 0, runs.stderr
    listed = runs.json()["runs"]
    assert [r["status"] for r in listed] == ["complete", "complete"]
    assert listed[0]["scope"] == "terraform:infra"
    assert listed[0]["arguments"][:3] == ["comply", "scan", "terraform"]
    assert listed[0]["summary"]["fail"] == 1

    diff = comply("history", "diff", "-o", "json", cwd=infra)
    assert diff.exit_code == 0, diff.stderr
    document = diff.json()
    assert [i["resource"]["id"] for i in document["new"]] == ["aws_kms_key.billing"]
    assert [i["resource"]["id"] for i in document["resolved"]] == ["aws_kms_key.claims"]
    assert document["still_failing"] == [] and document["regressed"] == []
    assert document["resources"]["appeared"] == [
        {"id": "aws_kms_key.billing", "type": "aws_kms_key"}
    ]

    console = comply("history", "diff", cwd=infra)
    assert "New failures (1)" in console.stdout and "aws_kms_key.billing" in console.stdout
    markdown = comply("history", "diff", "-o", "markdown=out/diff.md", cwd=infra)
    assert markdown.exit_code == 0 and markdown.stdout == ""
    text = (infra / "out" / "diff.md").read_text()
    assert text.startswith("## What changed") and "`aws_kms_key.billing`" in text
    failing = comply("history", "diff", "--fail-on-new", cwd=infra)
    assert failing.exit_code == 1

    show = comply("history", "show", "--resource", "aws_kms_key.claims", "-o", "json", cwd=infra)
    assert show.exit_code == 0, show.stderr
    [entry] = show.json()["findings"]
    assert [s["status"] for s in entry["statuses"]] == ["fail", "pass"]
    by_control = comply("history", "show", "--control", "CC6.1", cwd=infra)
    assert "aws_kms_key.claims" in by_control.stdout and "fail" in by_control.stdout
    markdown_runs = comply("history", "runs", "-o", "markdown", cwd=infra)
    assert markdown_runs.stdout.startswith("## Scan history")


def test_store_from_comply_yaml_relative_to_the_file(infra):
    (infra / ".comply.yaml").write_text("store: state/history.db\n")
    assert scan(infra).exit_code == 1
    assert (infra / "state" / "history.db").is_file()
    runs = comply("history", "runs", "-o", "json", cwd=infra)
    assert len(runs.json()["runs"]) == 1


def test_unknown_run_id_is_a_clear_error(infra):
    scan(infra, "--store")
    result = comply("history", "diff", "no-such-run", cwd=infra)
    assert result.exit_code == 2
    assert "no run 'no-such-run' in the history store" in result.stderr
    assert "Traceback" not in result.stderr


def test_history_without_a_store_says_so(infra):
    result = comply("history", "runs", cwd=infra)
    assert result.exit_code == 2 and "no history store at" in result.stderr


def test_unreachable_store_exit_2_and_the_report_is_still_written(infra):
    result = scan(infra, "--store", "postgresql://comply:hunter2@127.0.0.1:1/comply")
    assert result.exit_code == 2
    assert "history store postgresql://comply:***@127.0.0.1:1/comply" in result.stderr
    assert "hunter2" not in result.stderr + result.stdout
    report = json.loads((infra / "report.json").read_text())
    assert report["summary"]["fail"] == 1


def test_wrong_credentials_exit_2_and_the_report_is_still_written(infra, postgres_url):
    wrong = sa.make_url(postgres_url).set(password="wrong-password")
    result = scan(infra, "--store", wrong.render_as_string(hide_password=False))
    assert result.exit_code == 2
    assert "password authentication failed" in result.stderr
    assert "wrong-password" not in result.stderr
    assert (infra / "report.json").is_file()


def test_newer_schema_exit_2_and_the_report_is_still_written(infra):
    database = infra / "h.db"
    assert scan(infra, "--store", str(database)).exit_code == 1
    engine = sa.create_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = 'ffff'"))
    engine.dispose()
    (infra / "report.json").unlink()
    result = scan(infra, "--store", str(database))
    assert result.exit_code == 2
    assert "newer than this comply knows" in result.stderr
    assert (infra / "report.json").is_file()


def test_postgres_store_records_the_run_with_the_password_masked(infra, postgres_url):
    result = scan(infra, "--store", postgres_url)
    assert result.exit_code == 1, result.stderr
    runs = comply("history", "runs", "-o", "json", "--store", postgres_url, cwd=infra)
    [run] = runs.json()["runs"]
    password = sa.make_url(postgres_url).password
    assert password and password not in json.dumps(run)
    assert any(":***@" in argument for argument in run["arguments"])


def test_notify_needs_a_store(infra):
    result = scan(infra, "--notify", "webhook=http://127.0.0.1:1/x")
    assert result.exit_code == 2 and "--notify needs --store" in result.stderr
    assert (infra / "report.json").is_file()


def test_scan_notifies_a_webhook_of_what_changed(infra, hook):
    first = scan(infra, "--store", "--notify", f"webhook={hook.url}")
    assert first.exit_code == 1, first.stderr
    [announced] = hook.requests
    assert announced.json()["before"] is None  # the first run of the scope
    assert [i["resource"]["id"] for i in announced.json()["new"]] == ["aws_kms_key.claims"]

    again = scan(infra, "--store", "--notify", f"webhook={hook.url}")
    assert again.exit_code == 1 and len(hook.requests) == 1  # nothing changed: nothing sent
    scan(infra, "--store", "--notify", f"webhook={hook.url}", "--notify-unchanged")
    assert len(hook.requests) == 2 and hook.requests[1].json()["counts"]["new"] == 0

    (infra / "infra" / "main.tf").write_text(KEYS_V2)
    changed = scan(infra, "--store", "--notify", "webhook=env:HOOK", env={"HOOK": hook.url})
    assert changed.exit_code == 1, changed.stderr
    body = hook.requests[2].json()
    assert [i["resource"]["id"] for i in body["new"]] == ["aws_kms_key.billing"]
    assert [i["resource"]["id"] for i in body["resolved"]] == ["aws_kms_key.claims"]
    runs = comply("history", "runs", "-o", "json", cwd=infra).json()["runs"]
    assert "webhook=env:HOOK" in runs[0]["arguments"]
    assert all(hook.url not in json.dumps(run) for run in runs)


def test_a_failed_notification_is_a_warning_and_the_run_stays_stored(infra, hook):
    hook.script, hook.retry_after = [429, 429, 429, 429], "0"
    result = scan(infra, "--store", "--notify", f"webhook={hook.url}")
    assert result.exit_code == 1  # the scan's own verdict, not changed by the notification
    assert (
        "comply: warning: webhook (127.0.0.1) notification not delivered after 4 attempt(s): "
        "HTTP 429; the run is stored" in result.stderr
    )
    assert len(hook.requests) == 4
    runs = comply("history", "runs", "-o", "json", cwd=infra).json()["runs"]
    assert [r["status"] for r in runs] == ["complete"]
