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


def test_drift_workflow_runs_comply_with_real_options():
    """docs/ci/drift.yml (docs/drift.md): on merge, live; nightly, the state from S3 against the
    night's snapshot, then the change-management evidence."""
    document = yaml.safe_load((REPO_ROOT / "docs" / "ci" / "drift.yml").read_text("utf-8"))
    assert document[True]["schedule"][0]["cron"] and document[True]["push"]["branches"] == ["main"]
    steps = document["jobs"]["drift"]["steps"]
    runs = [" ".join(step["run"].split()) for step in steps if "comply " in step.get("run", "")]
    commands = []
    for run in runs:
        words = shlex.split(run)
        command = _command(words[1:])
        known = {o for p in command.params for o in [*p.opts, *p.secondary_opts]}
        used = {w.split("=")[0] for w in words if w.startswith("-") and w != "-"}
        assert used <= known, f"{run}: unknown {used - known}"
        commands.append(words)
    drift = [w for w in commands if w[1] == "drift"]
    assert len(drift) == 2
    assert all(w[w.index("--state") + 1].startswith("s3://") for w in drift)
    snapshot = next(w for w in commands if "--save-snapshot" in w)
    nightly = next(w for w in drift if "--snapshot" in w)
    assert (
        nightly[nightly.index("--snapshot") + 1] == snapshot[snapshot.index("--save-snapshot") + 1]
    )
    assert any(w[1:3] == ["evidence", "export"] for w in commands)
