"""The README's "Using it" block, run top to bottom as a script on a copy of examples/.

The workspace is a git repository with `infra/` = examples/terraform, `k8s/` =
examples/kubernetes, `prod.tfvars`, `attestations.yaml` = examples/attestations.yaml (and its
evidence), and `origin/main` pointing at the first commit. Every `comply` line runs through the
real click entry point, in this process, because the live AWS line runs against the moto server
that lives here (with `.comply.yaml` limiting the scan to one region to stay quick).

What cannot run offline as written: `helm template charts/api` needs Helm and a chart; without
Helm, the example manifests are piped to `comply scan kubernetes -` instead.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli.main import cli
from tests.aws.conftest import moto_endpoint, moto_state  # noqa: F401 (fixtures)
from tests.conftest import REPO_ROOT

EXPECTED_FILES = ("tf.json", "results.sarif", ".comply-baseline.json", "snap.json.gz", "aws.json")


def readme_lines() -> list[str]:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Using it\n\n```sh\n(.*?)```", text, re.S)
    assert block is not None, "README.md has no 'Using it' sh block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def git(folder: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True)


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(REPO_ROOT / "examples" / "terraform", tmp_path / "infra")
    shutil.copytree(REPO_ROOT / "examples" / "kubernetes", tmp_path / "k8s")
    shutil.copy(REPO_ROOT / "examples" / "attestations.yaml", tmp_path / "attestations.yaml")
    shutil.copytree(REPO_ROOT / "examples" / "evidence", tmp_path / "evidence")
    shutil.copy(tmp_path / "infra" / "terraform.tfvars", tmp_path / "prod.tfvars")
    (tmp_path / ".comply.yaml").write_text("regions: [us-east-1]\n")
    git(tmp_path, "init", "-q")
    git(tmp_path, "-c", "user.email=t@example.com", "-c", "user.name=t", "add", ".")
    git(tmp_path, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "x")
    git(tmp_path, "update-ref", "refs/remotes/origin/main", "HEAD")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / ".cache"))
    return tmp_path


def piped_input(producer: list[str], workspace: Path) -> bytes:
    if producer[0] == "helm" and shutil.which("helm") is None:
        # Offline stand-in for a rendered chart: the example manifests, as helm would print them.
        docs = sorted((workspace / "k8s").glob("*.yaml"))
        return b"\n---\n".join(path.read_bytes() for path in docs)
    return subprocess.run(producer, cwd=workspace, check=True, capture_output=True).stdout


def test_readme_using_it_block_runs_top_to_bottom(workspace: Path) -> None:
    lines = readme_lines()
    assert len(lines) >= 15
    runner = CliRunner()
    exit_codes: dict[str, int] = {}
    for line in lines:
        producer, _, command = line.rpartition("|") if "|" in line else ("", "", line)
        words = shlex.split(command, comments=True)
        assert words[0] == "comply", line
        stdin = piped_input(shlex.split(producer), workspace) if producer else None
        result = runner.invoke(cli, words[1:], input=stdin, catch_exceptions=False)
        # 1 is "findings failed": the examples fail checks on purpose. 2 would be a broken line.
        assert result.exit_code in (0, 1), f"{line}\n{result.output}"
        assert "comply: error" not in result.output, line
        exit_codes[line.split("#")[0].strip()] = result.exit_code
    # The baseline accepts every failure of the scan it was made from: the PR gate passes.
    pr_line = next(k for k in exit_codes if "--baseline" in k)
    assert exit_codes[pr_line] == 0
    assert exit_codes["comply evidence verify evidence.zip"] == 0
    assert exit_codes["comply scan terraform infra/"] == 1  # the examples' deliberate failures
    aws = json.loads((workspace / "aws.json").read_text())
    collected = aws["context"]["aws"]
    assert [a["account"] for a in collected["accounts"]] == ["111111111111"]  # the role's
    assert collected["regions"] == ["us-east-1"]  # the .comply.yaml regions setting
    assert aws["findings"]
    for name in EXPECTED_FILES:
        assert (workspace / name).is_file(), name
    assert (workspace / "evidence.zip").stat().st_size > 0
