"""Running checkov: found or not, crashing, timing out, printing garbage, and its JSON shapes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner.engines.checkov_runner import (
    EngineError,
    checkov_command,
    find_checkov,
    parse_report,
    run_checkov,
)
from tests.engines.conftest import fake_checkov

REPORT = {
    "check_type": "terraform",
    "results": {
        "failed_checks": [
            {
                "check_id": "CKV_AWS_42",
                "check_name": "Ensure EFS is securely encrypted",
                "file_path": "/main.tf",
                "file_line_range": [3, 5],
                "resource": "aws_efs_file_system.plain",
            }
        ],
        "passed_checks": [
            {
                "check_id": "CKV_AWS_168",
                "check_name": "SQS queue policy is not public",
                "file_path": "/main.tf",
                "file_line_range": [12, 14],
                "resource": "aws_sqs_queue.jobs",
            }
        ],
        "skipped_checks": [
            {
                "check_id": "CKV_AWS_27",
                "check_name": "Ensure all data stored in the SQS queue is encrypted",
                "file_path": "/main.tf",
                "file_line_range": [16, 19],
                "resource": "aws_sqs_queue.skipped",
                "check_result": {"result": "SKIPPED", "suppress_comment": "public notices"},
            }
        ],
    },
}


def test_parses_one_report_and_a_list_of_reports() -> None:
    secrets = {"check_type": "secrets", "results": {"failed_checks": []}}
    for document in (REPORT, [REPORT, secrets]):
        results = parse_report(json.dumps(document))
        assert [(r.check_id, r.outcome) for r in results] == [
            ("CKV_AWS_42", "failed"),
            ("CKV_AWS_168", "passed"),
            ("CKV_AWS_27", "skipped"),
        ]
    failed = parse_report(json.dumps(REPORT))[0]
    assert (failed.file_path, failed.start_line, failed.end_line) == ("main.tf", 3, 5)
    assert failed.resource == "aws_efs_file_system.plain"
    assert parse_report(json.dumps(REPORT))[2].skip_reason == "public notices"


def test_the_empty_scan_summary_has_no_results() -> None:
    summary = {"passed": 0, "failed": 0, "skipped": 0, "parsing_errors": 0}
    assert parse_report(json.dumps(summary)) == []


@pytest.mark.parametrize(
    "text",
    [
        "not json at all",
        "[1, 2]",
        '{"results": []}',
        '{"summary": {}}',
        '{"results": {"failed_checks": [{}]}}',
    ],
)
def test_unparsable_output_is_an_error_naming_the_engine(text: str) -> None:
    with pytest.raises(EngineError, match=r"^checkov: output is not"):
        parse_report(text)


def test_missing_checkov_is_an_error_naming_the_engine(tmp_path: Path) -> None:
    with pytest.raises(EngineError, match=r"^checkov: not found"):
        find_checkov({"PATH": str(tmp_path)})
    with pytest.raises(EngineError, match=r"COMPLY_CHECKOV=.* is not an executable"):
        find_checkov({"COMPLY_CHECKOV": str(tmp_path / "nowhere"), "PATH": ""})


def test_checkov_is_found_on_path_or_at_comply_checkov(tmp_path: Path) -> None:
    script = fake_checkov(tmp_path, "exit 0")
    assert find_checkov({"PATH": str(tmp_path)}) == script
    assert find_checkov({"COMPLY_CHECKOV": str(script), "PATH": ""}) == script


def test_a_crash_is_an_error_with_its_status_and_message(tmp_path: Path) -> None:
    script = fake_checkov(tmp_path, 'echo "Traceback: boom" >&2; exit 2')
    with pytest.raises(EngineError, match=r"^checkov: exited with status 2 .*Traceback: boom"):
        run_checkov(tmp_path, "terraform", executable=script)


def test_garbage_on_stdout_is_an_error(tmp_path: Path) -> None:
    script = fake_checkov(tmp_path, "echo 'Hello, I am not JSON'; exit 1")
    with pytest.raises(EngineError, match=r"output is not JSON"):
        run_checkov(tmp_path, "terraform", executable=script)


def test_exit_1_with_a_report_is_a_result_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "report.json").write_text(json.dumps(REPORT), encoding="utf-8")
    script = fake_checkov(tmp_path, f"cat '{tmp_path / 'report.json'}'; exit 1")
    assert len(run_checkov(tmp_path, "terraform", executable=script)) == 3


def test_a_hung_checkov_times_out(tmp_path: Path) -> None:
    script = fake_checkov(tmp_path, "exec sleep 30")
    with pytest.raises(EngineError, match=r"timed out after 0.5 s"):
        run_checkov(tmp_path, "terraform", executable=script, timeout=0.5)


def test_the_command_keeps_external_modules_off_and_asks_for_json(tmp_path: Path) -> None:
    command = checkov_command(Path("/bin/checkov"), tmp_path, "kubernetes")
    assert command[1:3] == ["--directory", str(tmp_path)]
    assert command[command.index("--download-external-modules") + 1] == "false"
    assert command[command.index("--output") + 1] == "json"
    assert command[command.index("--framework") + 1 : command.index("--framework") + 3] == [
        "kubernetes",
        "secrets",
    ]
