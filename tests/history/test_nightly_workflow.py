"""The GitHub Actions nightly example (docs/ci/nightly-scan.yml) is valid and only uses
options comply has."""

from __future__ import annotations

import shlex

import click
import yaml

from scanner.cli.main import cli
from tests.conftest import REPO_ROOT

WORKFLOW = REPO_ROOT / "docs" / "ci" / "nightly-scan.yml"


def _command(words: list[str]) -> click.Command:
    command: click.Command = cli
    context = click.Context(cli)
    while isinstance(command, click.Group) and words and not words[0].startswith("-"):
        found = command.get_command(context, words.pop(0))
        assert found is not None
        command = found
    return command


def test_nightly_workflow_runs_comply_with_real_options():
    document = yaml.safe_load(WORKFLOW.read_text("utf-8"))
    assert document[True]["schedule"][0]["cron"]  # `on:` loads as True in YAML 1.1
    steps = document["jobs"]["scan"]["steps"]
    runs = [step["run"] for step in steps if "run" in step and "comply " in step["run"]]
    assert any(r.startswith("comply scan aws") for r in runs)
    for run in runs:
        words = shlex.split(run.split("|")[0].split(">>")[0])
        command = _command(words[1:])
        known = {opt for param in command.params for opt in param.opts}
        used = {w.split("=")[0] for w in words if w.startswith("--")}
        assert used <= known, f"{run}: unknown {used - known}"
    scan = next(step for step in steps if step.get("name") == "Scan AWS and store the run")
    assert "COMPLY_STORE" in scan["env"]  # the store URL is a secret, not an argument
