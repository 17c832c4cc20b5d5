"""Attestation evidence stays inside the attestations file's folder (or --evidence-root): a path
that climbs out, an absolute path or a symlink out is an error naming the file, in scans and in
`evidence export`, and nothing is copied into a bundle."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, run_comply

PATHS = FIXTURES / "attestation_paths"
CLEAN = FIXTURES / "cli" / "clean"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The fixtures in a scratch folder with a secret file next to it and a link out to it."""
    copy = tmp_path / "repo" / "compliance"
    shutil.copytree(PATHS, copy)
    secret = tmp_path / "outside-secret.txt"
    secret.write_text("aws_secret_access_key = not-for-the-bundle\n")
    (copy / "inside" / "link-to-outside.txt").symlink_to(secret)
    return copy


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "report.json"
    result = run_comply("scan", "terraform", CLEAN, "--no-cache", "-o", f"json={out}")
    assert result.exit_code == 0, result.stderr
    return out


@pytest.mark.parametrize(
    "name, reason",
    [
        ("climbs_out.yaml", "points outside"),
        ("absolute.yaml", "absolute path"),
        ("through_link.yaml", "points outside"),
    ],
)
def test_scan_refuses_evidence_outside(folder: Path, name: str, reason: str) -> None:
    result = run_comply("scan", "terraform", CLEAN, "--no-cache", "--attestations", folder / name)
    assert result.exit_code == 2
    assert name in result.stderr and reason in result.stderr


@pytest.mark.parametrize("name", ["climbs_out.yaml", "absolute.yaml", "through_link.yaml"])
def test_export_refuses_and_writes_no_bundle(folder: Path, report: Path, name: str) -> None:
    out = folder.parent / "bundle.zip"
    result = run_comply(
        "evidence", "export", "--framework", "hipaa", report,
        "--attestations", folder / name, "--out", out,
    )  # fmt: skip
    assert result.exit_code == 2
    assert name in result.stderr
    assert not out.exists()


def test_evidence_inside_is_copied(folder: Path, report: Path) -> None:
    out = folder.parent / "bundle"
    result = run_comply(
        "evidence", "export", "--framework", "hipaa", report,
        "--attestations", folder / "inside.yaml", "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    copied = list((out / "attestations" / "files").iterdir())
    assert copied and all("Risk analysis review notes." in p.read_text() for p in copied)


def test_a_configured_evidence_root_widens_the_folder(folder: Path, report: Path) -> None:
    """The operator (not the attestations file) may allow a wider root."""
    root = folder.parent.parent
    out = folder.parent / "bundle.zip"
    result = run_comply(
        "evidence", "export", "--framework", "hipaa", report,
        "--attestations", folder / "through_link.yaml", "--evidence-root", root, "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
