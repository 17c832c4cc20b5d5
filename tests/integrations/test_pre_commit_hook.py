"""The repository works as a pre-commit hook: `.pre-commit-hooks.yaml` run by the real `pre-commit`.

The end-to-end test copies what the package needs into a throwaway git repository (so uncommitted
work is tested too), points a project's `.pre-commit-config.yaml` at it by path and commit, and
runs `pre-commit run --all-files`: pre-commit builds its own virtualenv and pip-installs comply
from that copy, which needs the package index (as `tests/test_wheel.py` does). It takes about a
minute on a cold pip cache, and is skipped when `pre-commit` or `git` is missing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO_ROOT

HOOKS_FILE = REPO_ROOT / ".pre-commit-hooks.yaml"
# What `pip install <repo>` needs to build the wheel (see [tool.hatch] in pyproject.toml).
PACKAGE_PARTS = [
    "pyproject.toml",
    "README.md",
    ".pre-commit-hooks.yaml",
    "scanner",
    "policies",
    "controls",
    "evidence_templates",
]
INSTALL_TIMEOUT = 600  # seconds; a cold pip cache downloads boto3 and friends

FAILING_TF = """\
resource "aws_ebs_volume" "data" {
  availability_zone = "us-east-1a"
  size              = 10
  encrypted         = false
}
"""


def _hook() -> dict[str, object]:
    hooks = yaml.safe_load(HOOKS_FILE.read_text(encoding="utf-8"))
    (hook,) = [h for h in hooks if h["id"] == "comply-terraform"]
    return hook


def test_hook_definition() -> None:
    hook = _hook()
    assert hook["language"] == "python"
    assert hook["entry"] == "comply scan terraform"
    assert hook["pass_filenames"] is False
    assert hook["args"] == ["."]
    files = str(hook["files"])
    assert re.search(files, "infra/main.tf")
    assert re.search(files, "prod.tfvars")
    assert not re.search(files, "main.tf.json.bak")
    assert not re.search(files, "README.md")


def test_entry_is_the_declared_console_script() -> None:
    scripts = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert str(_hook()["entry"]).split()[0] in scripts


def test_manifest_is_valid_for_pre_commit() -> None:
    clientlib = pytest.importorskip("pre_commit.clientlib")
    hooks = clientlib.load_manifest(str(HOOKS_FILE))
    assert [hook["id"] for hook in hooks] == ["comply-terraform"]


def _git(*args: str, cwd: Path) -> str:
    result = subprocess.run(
        [
            "git",
            "-c",
            "user.name=comply tests",
            "-c",
            "user.email=tests@example.invalid",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
            *args,
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def _hook_repository(tmp_path: Path) -> tuple[Path, str]:
    repo = tmp_path / "comply-hook"
    repo.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "_bundled")
    for part in PACKAGE_PARTS:
        source = REPO_ROOT / part
        if source.is_dir():
            shutil.copytree(source, repo / part, ignore=ignore)
        else:
            shutil.copy2(source, repo / part)
    _git("init", "-q", cwd=repo)
    _git("add", "-A", cwd=repo)
    _git("commit", "-q", "-m", "comply under test", cwd=repo)
    return repo, _git("rev-parse", "HEAD", cwd=repo)


def _run_pre_commit(project: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PRE_COMMIT", "VIRTUAL_ENV", "PYTHONPATH"))
    }
    env["PRE_COMMIT_HOME"] = str(home)  # hermetic: no shared hook environments
    env["NO_COLOR"] = "1"
    env["XDG_CACHE_HOME"] = str(home / "xdg")  # comply's parse cache
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT,
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_hook_fails_on_a_failing_check_and_passes_once_fixed(tmp_path: Path) -> None:
    pytest.importorskip("pre_commit", reason="pre-commit is not installed (pip install -e .[dev])")
    hook_repo, sha = _hook_repository(tmp_path)

    project = tmp_path / "project"
    (project / "infra").mkdir(parents=True)
    (project / "infra" / "main.tf").write_text(FAILING_TF, encoding="utf-8")
    (project / "README.md").write_text("not Terraform\n", encoding="utf-8")
    config = {
        "repos": [
            {
                "repo": str(hook_repo),
                "rev": sha,
                "hooks": [{"id": "comply-terraform", "args": ["infra", "--no-cache"]}],
            }
        ]
    }
    (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    _git("init", "-q", cwd=project)
    _git("add", "-A", cwd=project)

    home = tmp_path / "pre-commit-home"
    failed = _run_pre_commit(project, home)
    output = failed.stdout + failed.stderr
    assert failed.returncode == 1, output
    assert "comply (Terraform HIPAA/SOC 2 checks)" in output
    assert "Failed" in output
    assert "ebs_volume_encrypted" in output
    assert "main.tf" in output  # the file is named

    main_tf = project / "infra" / "main.tf"
    main_tf.write_text(FAILING_TF.replace("= false", "= true"), encoding="utf-8")
    _git("add", "-A", cwd=project)
    passed = _run_pre_commit(project, home)
    output = passed.stdout + passed.stderr
    assert passed.returncode == 0, output
    assert "comply (Terraform HIPAA/SOC 2 checks)" in output
    assert "Passed" in output
