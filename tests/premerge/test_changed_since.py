"""--changed-since: a real git history; only resources whose blocks changed can block."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import FIXTURES

GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
    "PATH": "/usr/bin:/bin",
    "HOME": "/tmp",
}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True, env=GIT_ENV
    ).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "cli" / "mixed", repo / "infra")
    (repo / "infra" / "companions.tf").write_text(
        'resource "aws_s3_bucket" "data" {\n  bucket = "phi-data"\n}\n\n'
        'resource "aws_s3_bucket_versioning" "data" {\n  bucket = aws_s3_bucket.data.id\n'
        '  versioning_configuration {\n    status = "Enabled"\n  }\n}\n'
    )
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")
    return repo


def blocking(result) -> set[tuple[str, str]]:
    return {
        (f["check_id"], f["resource"]["id"]) for f in result.json()["findings"] if f["blocking"]
    }


def test_only_changed_blocks_can_block(comply, repo: Path):
    main = repo / "infra" / "main.tf"
    # Touch one failing resource's block, leave the other failing one alone.
    main.write_text(
        main.read_text().replace('description = "not rotated"', 'description = "still not rotated"')
    )
    git(repo, "commit", "-qam", "edit one key")
    result = comply(
        "scan",
        "terraform",
        "infra",
        "--changed-since",
        "HEAD~1",
        "-o",
        "json",
        "--no-cache",
        "--check",
        "kms_key_rotation_enabled",
        cwd=repo,
    )
    assert result.exit_code == 1, result.stderr
    assert blocking(result) == {("kms_key_rotation_enabled", "infra:aws_kms_key.not_rotated")}
    # The untouched failure is still reported, just not blocking.
    statuses = {f["resource"]["id"]: f["status"] for f in result.json()["findings"]}
    assert statuses["infra:aws_kms_key.typo"] == "fail"


def test_no_change_means_nothing_blocks(comply, repo: Path):
    result = comply(
        "scan",
        "terraform",
        "infra",
        "--changed-since",
        "HEAD",
        "-o",
        "json",
        "--no-cache",
        cwd=repo,
    )
    assert result.exit_code == 0, result.stderr
    assert blocking(result) == set()
    assert result.json()["summary"]["fail"] >= 1


def test_a_change_in_a_companion_touches_its_parent(comply, repo: Path):
    companions = repo / "infra" / "companions.tf"
    companions.write_text(companions.read_text().replace('"Enabled"', '"Suspended"'))
    result = comply(
        "scan",
        "terraform",
        "infra",
        "--changed-since",
        "HEAD",
        "-o",
        "json",
        "--no-cache",
        "--check",
        "s3_bucket_versioning_enabled",
        cwd=repo,
    )
    assert result.exit_code == 1, result.stderr  # uncommitted edits count as changes too
    assert blocking(result) == {("s3_bucket_versioning_enabled", "infra:aws_s3_bucket.data")}


def test_new_untracked_file_is_changed(comply, repo: Path):
    (repo / "infra" / "new.tf").write_text('resource "aws_kms_key" "fresh" {}\n')
    result = comply(
        "scan",
        "terraform",
        "infra",
        "--changed-since",
        "HEAD",
        "-o",
        "json",
        "--no-cache",
        "--check",
        "kms_key_rotation_enabled",
        cwd=repo,
    )
    assert blocking(result) == {("kms_key_rotation_enabled", "infra:aws_kms_key.fresh")}


def test_unknown_ref_is_a_clear_error(comply, repo: Path):
    result = comply("scan", "terraform", "infra", "--changed-since", "nope", cwd=repo)
    assert result.exit_code == 2
    assert "'nope' is not a commit" in result.stderr
