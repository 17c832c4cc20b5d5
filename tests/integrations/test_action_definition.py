"""The composite GitHub Action (action.yml): its structure, and its shell steps run locally.

GitHub itself is not available to tests: the `uses:` steps (setup-python, upload-sarif) are only
checked for shape. The scan, summary and exit steps are plain bash reading environment variables,
so they are run here with bash against a small Terraform folder, as the runner would run them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO_ROOT

ACTION = yaml.safe_load((REPO_ROOT / "action.yml").read_text(encoding="utf-8"))
STEPS: list[dict[str, Any]] = ACTION["runs"]["steps"]
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")

FAILING_TF = """\
resource "aws_ebs_volume" "data" {
  availability_zone = "us-east-1a"
  size              = 10
  encrypted         = false
}
"""


def _strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for key, value in node.items() for s in (*_strings(key), *_strings(value))]
    if isinstance(node, list):
        return [s for item in node for s in _strings(item)]
    return []


def _expressions() -> list[str]:
    """Every `${{ }}` expression, plus the `if:` conditions (expressions without the braces)."""
    found = [m for text in _strings(ACTION) for m in EXPRESSION.findall(text)]
    return found + [str(step["if"]) for step in STEPS if "if" in step]


def _step(step_id: str | None = None, *, uses: str | None = None, name: str | None = None):
    for step in STEPS:
        if step_id and step.get("id") == step_id:
            return step
        if uses and str(step.get("uses", "")).startswith(uses):
            return step
        if name and step.get("name") == name:
            return step
    raise AssertionError(f"no step {step_id or uses or name}")


def test_is_a_composite_action_with_the_documented_inputs() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert ACTION["name"] and ACTION["description"]
    inputs = ACTION["inputs"]
    for name in (
        "path",
        "frameworks",
        "severity-threshold",
        "soft-fail",
        "baseline",
        "changed-since",
        "extra-args",
        "python-version",
        "upload-sarif",
    ):
        assert name in inputs, name
        assert inputs[name]["description"]
        assert "default" in inputs[name]
    assert inputs["upload-sarif"]["default"] == "true"
    assert inputs["path"]["default"] == "."
    assert inputs["soft-fail"]["default"] == "false"


def test_every_input_used_is_declared_and_every_declared_input_is_used() -> None:
    used = set()
    for expression in _expressions():
        used |= set(re.findall(r"\binputs\.([A-Za-z0-9_-]+)", expression))
    assert used <= set(ACTION["inputs"]), used - set(ACTION["inputs"])
    assert set(ACTION["inputs"]) <= used, set(ACTION["inputs"]) - used


def test_step_output_references_point_at_earlier_steps() -> None:
    seen: set[str] = set()
    for step in STEPS:
        for text in _strings(step):
            for ref in re.findall(r"\bsteps\.([A-Za-z0-9_-]+)\.outputs\.", text):
                assert ref in seen, f"{step.get('name')} uses steps.{ref} before it ran"
        if "id" in step:
            seen.add(step["id"])
    for output in ACTION["outputs"].values():
        for ref in re.findall(r"\bsteps\.([A-Za-z0-9_-]+)\.outputs\.", output["value"]):
            assert ref in seen


def test_run_scripts_take_inputs_from_the_environment_only() -> None:
    """`${{ }}` pasted into a script is a shell-injection hole; values go through `env:`."""
    for step in STEPS:
        if "run" in step:
            assert "${{" not in step["run"], step["name"]
            assert step["shell"] == "bash"


def test_setup_python_and_install_from_the_action_path() -> None:
    setup = _step(uses="actions/setup-python@")
    assert setup["with"]["python-version"] == "${{ inputs.python-version }}"
    install = _step(name="Install comply")
    assert install["env"]["COMPLY_ACTION_PATH"] == "${{ github.action_path }}"
    assert "pip install" in install["run"] and '"$COMPLY_ACTION_PATH"' in install["run"]
    assert STEPS.index(setup) < STEPS.index(install) < STEPS.index(_step("scan"))


def test_scan_step_writes_every_report_and_keeps_the_exit_code() -> None:
    scan = _step("scan")
    script = scan["run"]
    for option in (
        "-o console",
        '-o "sarif=$sarif"',
        '-o "markdown=$summary"',
        '-o "github=$annotations"',
    ):
        assert option in script
    assert "comply.sarif" in script and "comply-summary.md" in script
    # The step records comply's code and does not fail, so that the summary and SARIF steps run;
    # the last step exits with the recorded code.
    assert "|| code=$?" in script  # survives the runner's `bash -e`
    assert 'echo "exit-code=$code" >> "$GITHUB_OUTPUT"' in script
    assert script.rstrip().endswith("exit 0")
    assert "set -e\n" not in script and "set -euo" not in script


def test_summary_runs_always_and_appends_to_the_step_summary() -> None:
    summary = _step(name="Write the job summary")
    assert summary["if"] == "always()"
    assert '>> "$GITHUB_STEP_SUMMARY"' in summary["run"]


def test_sarif_upload_runs_always_when_enabled() -> None:
    upload = _step(uses="github/codeql-action/upload-sarif@")
    condition = upload["if"]
    assert condition.startswith("always()")
    assert "inputs.upload-sarif == 'true'" in condition
    assert upload["with"]["sarif_file"] == "${{ steps.scan.outputs.sarif-file }}"
    assert STEPS.index(_step("scan")) < STEPS.index(upload)


def test_last_step_exits_with_the_scan_exit_code() -> None:
    last = STEPS[-1]
    assert last["if"] == "always()"
    assert last["env"]["COMPLY_EXIT_CODE"] == "${{ steps.scan.outputs.exit-code }}"
    assert 'exit "$COMPLY_EXIT_CODE"' in last["run"]


# --- the shell steps, run locally ---------------------------------------------------------------


def _comply_bin() -> Path:
    found = Path(sys.executable).parent / "comply"
    if not found.exists():
        found = Path(shutil.which("comply") or "")
    if not found.is_file():
        pytest.skip("the comply console script is not installed (pip install -e .)")
    return found


def _bash(script: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        # What the runner runs for `shell: bash`: `bash --noprofile --norc -eo pipefail {0}`.
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _step_env(step: dict[str, Any], values: dict[str, str], base: dict[str, str]) -> dict[str, str]:
    """The step's env, `${{ }}` replaced from `values` (missing ones: empty, as on GitHub)."""
    env = dict(base)
    for key, template in step.get("env", {}).items():
        env[key] = EXPRESSION.sub(lambda m: values.get(m.group(1), ""), str(template))
    return env


def _run_action(
    tmp_path: Path, inputs: dict[str, str], *, expect_exit: int, tf: str = FAILING_TF
) -> tuple[dict[str, str], str, str]:
    """Run the scan, summary and exit steps as the runner would: (outputs, summary, scan log)."""
    comply = _comply_bin()
    workspace = tmp_path / "workspace"
    (workspace / "infra").mkdir(parents=True)
    (workspace / "infra" / "main.tf").write_text(tf, encoding="utf-8")
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    github_output = tmp_path / "github_output"
    step_summary = tmp_path / "step_summary"
    base = {
        "PATH": f"{comply.parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "GITHUB_OUTPUT": str(github_output),
        "GITHUB_STEP_SUMMARY": str(step_summary),
        "NO_COLOR": "1",
    }
    values = {f"inputs.{k}": str(v["default"]) for k, v in ACTION["inputs"].items()}
    values.update({f"inputs.{k}": v for k, v in inputs.items()})
    values["runner.temp"] = str(runner_temp)

    scan = _step("scan")
    scanned = _bash(scan["run"], _step_env(scan, values, base), workspace)
    assert scanned.returncode == 0, scanned.stderr
    outputs = dict(
        line.split("=", 1) for line in github_output.read_text().splitlines() if "=" in line
    )
    values.update({f"steps.scan.outputs.{k}": v for k, v in outputs.items()})

    summary = _step(name="Write the job summary")
    written = _bash(summary["run"], _step_env(summary, values, base), workspace)
    assert written.returncode == 0, written.stderr

    last = STEPS[-1]
    exited = _bash(last["run"], _step_env(last, values, base), workspace)
    assert exited.returncode == expect_exit, exited.stdout + exited.stderr
    return outputs, step_summary.read_text(encoding="utf-8"), scanned.stdout


def test_shell_steps_fail_the_job_on_a_blocking_failure(tmp_path: Path) -> None:
    outputs, summary, log = _run_action(tmp_path, {"path": "infra"}, expect_exit=1)
    assert outputs["exit-code"] == "1"
    sarif = json.loads(Path(outputs["sarif-file"]).read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in sarif["runs"][0]["results"]
    }
    assert uris == {"infra/main.tf"}
    assert summary.startswith("## comply: ❌ 1 blocking failure")
    assert "ebs_volume_encrypted" in summary
    # The console report for the log, then the annotations for the runner, on stdout.
    assert "FAIL" in log
    annotations = [line for line in log.splitlines() if line.startswith("::")]
    assert annotations == [
        "::error file=infra/main.tf,line=1,endLine=5,title=ebs_volume_encrypted::"
        + annotations[0].split("title=ebs_volume_encrypted::", 1)[1]
    ]


def test_shell_steps_pass_a_clean_configuration(tmp_path: Path) -> None:
    fixed = FAILING_TF.replace("= false", "= true")
    outputs, summary, log = _run_action(tmp_path, {"path": "infra"}, expect_exit=0, tf=fixed)
    assert outputs["exit-code"] == "0"
    assert summary.startswith("## comply: ✅ no blocking failures")
    assert not [line for line in log.splitlines() if line.startswith("::error")]


def test_inputs_reach_the_command_line(tmp_path: Path) -> None:
    outputs, summary, log = _run_action(
        tmp_path,
        {
            "path": "infra",
            "frameworks": "hipaa, soc2",
            "severity-threshold": "critical",
            "extra-args": "--check ebs_volume_encrypted --no-cache",
        },
        expect_exit=0,
    )
    assert outputs["exit-code"] == "0"  # high is below the critical threshold
    assert "severity threshold: **critical**" in summary
    assert "1 check" in summary
    assert "::warning file=infra/main.tf" in log


def test_soft_fail_reports_without_failing(tmp_path: Path) -> None:
    outputs, summary, _ = _run_action(
        tmp_path, {"path": "infra", "soft-fail": "true"}, expect_exit=0
    )
    assert outputs["exit-code"] == "0"
    assert "❌ 1 blocking failure" in summary


def test_extra_args_are_not_glob_expanded_or_shell_evaluated(tmp_path: Path) -> None:
    outputs, _, _ = _run_action(
        tmp_path, {"path": "infra", "extra-args": "--check '*' $(touch pwned)"}, expect_exit=2
    )
    assert outputs["exit-code"] == "2"  # comply rejected the odd arguments: bad usage
    assert not (tmp_path / "workspace" / "pwned").exists()
    assert not (tmp_path / "workspace" / ")").exists()


def test_exit_step_fails_when_comply_never_ran(tmp_path: Path) -> None:
    last = STEPS[-1]
    result = _bash(
        last["run"], {"PATH": os.environ.get("PATH", ""), "COMPLY_EXIT_CODE": ""}, tmp_path
    )
    assert result.returncode == 2
    assert "::error" in result.stdout


# --- the GitLab CI snippet (docs/ci/gitlab-ci.yml), checked here with the other CI definition ---

GITLAB_JOB = yaml.safe_load((REPO_ROOT / "docs" / "ci" / "gitlab-ci.yml").read_text("utf-8"))[
    "comply"
]


def test_gitlab_job_publishes_code_quality_and_junit_reports() -> None:
    reports = GITLAB_JOB["artifacts"]["reports"]
    assert reports["codequality"] == "gl-code-quality-report.json"
    assert reports["junit"] == "comply-junit.xml"
    assert GITLAB_JOB["artifacts"]["when"] == "always"
    (script,) = GITLAB_JOB["script"]
    assert "-o gitlab=gl-code-quality-report.json" in script
    assert "-o junit=comply-junit.xml" in script
    assert "--changed-since" in script and "CI_MERGE_REQUEST_DIFF_BASE_SHA" in script


@pytest.mark.parametrize(
    ("variables", "expect_exit"),
    [
        ({}, 1),
        ({"COMPLY_SEVERITY_THRESHOLD": "critical"}, 0),
        ({"COMPLY_EXTRA_ARGS": "--skip-check ebs_volume_encrypted"}, 0),
    ],
)
def test_gitlab_script_runs(tmp_path: Path, variables: dict[str, str], expect_exit: int) -> None:
    """The job's script, run as the runner would (bash -eo pipefail) with its variables."""
    comply = _comply_bin()
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "main.tf").write_text(FAILING_TF, encoding="utf-8")
    env = {
        "PATH": f"{comply.parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "NO_COLOR": "1",
        **{k: str(v) for k, v in GITLAB_JOB["variables"].items()},
        "COMPLY_PATH": "infra",
        **variables,
    }
    (script,) = GITLAB_JOB["script"]
    result = _bash(script, env, tmp_path)
    assert result.returncode == expect_exit, result.stdout + result.stderr
    issues = json.loads((tmp_path / "gl-code-quality-report.json").read_text("utf-8"))
    assert [i["location"]["path"] for i in issues] == (
        ["infra/main.tf"] if "skip-check" not in str(variables) else []
    )
    assert (tmp_path / "comply-junit.xml").read_text("utf-8").startswith("<?xml")
    assert (tmp_path / "comply-summary.md").is_file()
