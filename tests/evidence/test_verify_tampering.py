"""`comply evidence verify` on damaged bundles: a flipped byte is tampering (exit 1), and only
what changed is named (an untouched SHA256SUMS is not)."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, run_comply


@pytest.fixture(scope="module")
def bundle_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("verify")
    report = folder / "report.json"
    scan = run_comply(
        "scan", "terraform", FIXTURES / "cli" / "clean", "--no-cache", "-o", f"json={report}"
    )
    assert scan.exit_code == 0, scan.stderr
    out = folder / "bundle.zip"
    export = run_comply("evidence", "export", "--framework", "hipaa", report, "--out", out)
    assert export.exit_code == 0, export.stderr
    return out


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1 :]


def test_a_flipped_byte_inside_an_entry_is_tampering(bundle_zip: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(bundle_zip) as archive:
        info = archive.getinfo("index.html")
    data = bundle_zip.read_bytes()
    # Inside index.html's compressed bytes: after its local header (30 bytes + name + extra).
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(_flip(data, start + info.compress_size // 2))
    result = run_comply("evidence", "verify", damaged)
    assert result.exit_code == 1, result.stdout + result.stderr
    assert "index.html" in result.stdout
    assert "Traceback" not in result.stderr


def test_a_flipped_byte_in_the_zip_directory_is_tampering(bundle_zip: Path, tmp_path: Path) -> None:
    data = bundle_zip.read_bytes()
    directory = data.rfind(b"PK\x05\x06")  # end of central directory record
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(_flip(data, directory + 1))
    result = run_comply("evidence", "verify", damaged)
    assert result.exit_code == 1, result.stdout + result.stderr


def test_an_untouched_sha256sums_is_not_reported(bundle_zip: Path, tmp_path: Path) -> None:
    folder = tmp_path / "bundle"
    with zipfile.ZipFile(bundle_zip) as archive:
        archive.extractall(folder)
    (folder / "findings.json").write_text("{}\n")
    result = run_comply("evidence", "verify", folder)
    assert result.exit_code == 1
    assert "changed: findings.json" in result.stdout
    assert "SHA256SUMS" not in result.stdout


def test_an_edited_sha256sums_is_reported(bundle_zip: Path, tmp_path: Path) -> None:
    folder = tmp_path / "bundle"
    with zipfile.ZipFile(bundle_zip) as archive:
        archive.extractall(folder)
    sums = (folder / "SHA256SUMS").read_text().splitlines()
    first = next(i for i, line in enumerate(sums) if "manifest.json" not in line)
    sums[first] = "0" * 64 + sums[first][64:]
    (folder / "SHA256SUMS").write_text("\n".join(sums) + "\n")
    result = run_comply("evidence", "verify", folder)
    assert result.exit_code == 1
    assert "changed: SHA256SUMS" in result.stdout


def test_not_a_zip_at_all_is_still_a_read_error(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.zip"
    shutil.copy(FIXTURES / "canary" / "README.md", garbage)
    assert run_comply("evidence", "verify", garbage).exit_code == 2
