"""Reports, baselines, snapshots and bundles read back under hostile input (issue 11): caps that
stop a gzip or zip bomb while streaming, and clear errors naming the file for deep nesting and
wrong types, never an internal error."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from scanner.evidence import zip_limits
from scanner.sources.aws import snapshot as snapshots
from scanner.sources.aws.snapshot import SnapshotError, load_snapshot
from tests.conftest import FIXTURES, run_comply

GZIP_BOMB = FIXTURES / "hostile" / "gzip-bomb-snapshot.json.gz"
DEEP = "[" * 200_000 + "]" * 200_000


def test_gzip_bomb_snapshot_stops_at_the_cap_while_streaming(monkeypatch):
    # The fixture is 4 KB and inflates to 4 MB; the cap is lowered to 1 MB for the test (the
    # default is 512 MB, so a 2.6 GB bomb stops after reading 512 MB, never 2.6 GB).
    monkeypatch.setattr(snapshots, "MAX_SNAPSHOT_BYTES", 1024 * 1024)
    with pytest.raises(SnapshotError) as raised:
        load_snapshot(GZIP_BOMB)
    assert str(raised.value) == (
        f"{GZIP_BOMB}: decompressed, it is larger than the limit of 1 MB; not read"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"snapshot_version": 1, "services": ' + DEEP + "}", "nested too deeply to read"),
        ('{"snapshot_version": 1, "tool": "x"}', "malformed snapshot (AttributeError"),
        (
            '{"snapshot_version": 1, "services": [{"service": "s3", "account": "1", '
            '"region": "us-east-1", "data": 5}]}',
            "malformed snapshot (TypeError",
        ),
        ('{"snapshot_version": 1, "requests": "many"}', "malformed snapshot (ValueError"),
    ],
    ids=["deep", "tool-string", "data-number", "requests-text"],
)
def test_malformed_snapshot_is_an_error_naming_the_file(tmp_path, text, message):
    path = tmp_path / "snap.json"
    path.write_text(text)
    result = run_comply("scan", "snapshot", path)
    assert result.exit_code == 2
    assert f"comply: error: {path}: " in result.stderr and message in result.stderr
    assert "internal error" not in result.stderr


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ('{"schema_version": "1", "findings": ' + DEEP + "}", "nested too deeply to read"),
        ('{"schema_version": "1", "findings": ["x"]}', "malformed report (AttributeError"),
        ('{"schema_version": "1", "findings": [{"status": "fail"}]}', "malformed report"),
    ],
    ids=["deep", "finding-string", "finding-without-ids"],
)
def test_malformed_report_given_to_baseline_create_is_an_error(tmp_path, document, message):
    report = tmp_path / "report.json"
    report.write_text(document)
    result = run_comply("baseline", "create", report, "-o", tmp_path / "b.json")
    assert result.exit_code == 2
    assert f"{report}: " in result.stderr and message in result.stderr
    assert "internal error" not in result.stderr


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ('{"schema_version": "1", "scan": ' + DEEP + "}", "nested too deeply"),
        (
            '{"schema_version": "1", "scan": {}, "findings": "x", "resources": []}',
            "the report's 'findings' is not a list",
        ),
        (
            '{"schema_version": "1", "scan": {}, "findings": [1], "resources": []}',
            "an entry of the report's 'findings' is not an object",
        ),
    ],
    ids=["deep", "findings-string", "finding-number"],
)
def test_malformed_report_given_to_evidence_export_is_an_error(tmp_path, document, message):
    from scanner.evidence.errors import EvidenceError
    from scanner.evidence.inputs import load_report

    report = tmp_path / "report.json"
    report.write_text(document)
    with pytest.raises(EvidenceError) as raised:
        load_report(report, "report.json")
    assert str(raised.value).startswith(f"{report}: ") and message in str(raised.value)


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_zip_bomb_given_to_verify_is_refused_by_its_ratio(tmp_path):
    bundle = _zip(tmp_path / "bomb.zip", {"manifest.json": b"{}", "raw/a.json": bytes(20 << 20)})
    assert bundle.stat().st_size < 100_000  # a small file that would inflate to 20 MB
    result = run_comply("evidence", "verify", bundle)
    assert result.exit_code == 2
    assert f"{bundle}: not read: raw/a.json inflates" in result.stderr
    assert "zip bomb?" in result.stderr


def test_zip_total_cap_counts_the_bytes_actually_inflated(tmp_path, monkeypatch):
    from scanner.evidence.verify import BundleReadError, read_bundle

    monkeypatch.setattr(zip_limits, "MAX_TOTAL_BYTES", 3 * 1024 * 1024)
    members = {f"raw/{i}.json": json.dumps(list(range(200_000))).encode() for i in range(4)}
    bundle = _zip(tmp_path / "big.zip", members)
    with pytest.raises(BundleReadError, match=r"raw/\d\.json inflates past the cap"):
        read_bundle(bundle)
