"""No torn files: an output is replaced whole or not at all, whatever interrupts the write (an
exception, Ctrl-C, SIGTERM, a full disk); interrupted scans exit 130 / 143."""

from __future__ import annotations

import errno
import gzip
import json
import os
import signal
import stat
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

import scanner.report.json_report as json_report
from scanner.cli.main import cli, main
from scanner.core import atomic_files
from scanner.core.atomic_files import atomic_directory, atomic_output, write_atomic
from scanner.evidence.bundle_writing import write_bundle
from scanner.evidence.errors import EvidenceError
from tests.conftest import FIXTURES, REPO_ROOT

CLEAN = FIXTURES / "cli" / "clean"
PREVIOUS = '{"previous": "report"}\n'


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".comply-tmp-")]


def test_an_exception_mid_write_leaves_the_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text(PREVIOUS)
    with pytest.raises(RuntimeError), atomic_output(target) as handle:
        handle.write(b'{"half": ')
        raise RuntimeError("boom")
    assert target.read_text() == PREVIOUS
    assert leftovers(tmp_path) == []


def test_a_stream_target_is_written_not_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    write_atomic(fifo, "through the pipe\n")
    assert reader.communicate(timeout=10)[0] == b"through the pipe\n"
    assert stat.S_ISFIFO(fifo.stat().st_mode)  # still a FIFO: never renamed over


def _full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """A full disk as the kernel reports it: the data cannot be flushed (ENOSPC)."""

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(atomic_files.os, "fsync", no_space)


def test_full_disk_keeps_the_previous_report_and_exits_2(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "out.json"
    target.write_text(PREVIOUS)
    _full_disk(monkeypatch)
    result = CliRunner().invoke(
        cli, ["scan", "terraform", str(CLEAN), "--no-cache", "-o", f"json={target}"]
    )
    assert result.exit_code == 2
    assert "cannot write json report" in result.output
    assert target.read_text() == PREVIOUS
    assert leftovers(tmp_path) == []


def test_ctrl_c_while_writing_keeps_the_previous_report(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "out.json"
    target.write_text(PREVIOUS)
    real = json_report.write

    def interrupted(report, handle) -> None:
        real(report, handle)
        raise KeyboardInterrupt  # after the whole report went into the temporary file

    monkeypatch.setattr(json_report, "write", interrupted)
    argv = ["comply", "scan", "terraform", str(CLEAN), "--no-cache", "-o", f"json={target}"]
    monkeypatch.setattr(sys, "argv", argv)
    monkeypatch.setattr("scanner.cli.interruption.raise_on_sigterm", lambda: None)
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 130
    assert target.read_text() == PREVIOUS
    assert leftovers(tmp_path) == []


def test_full_disk_leaves_no_partial_bundle(tmp_path: Path, monkeypatch) -> None:
    files = {"manifest.json": b"{}", "index.html": b"<html></html>", "raw/a.json": b"{}"}
    (tmp_path / "old.zip").write_bytes(b"previous zip")
    _full_disk(monkeypatch)
    with pytest.raises(EvidenceError):
        write_bundle(files, tmp_path / "old.zip")
    assert (tmp_path / "old.zip").read_bytes() == b"previous zip"

    def failing_write(self: Path, data: bytes) -> int:
        if self.name == "manifest.json":  # the disk fills up before the manifest is written
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return self.open("wb").write(data)

    monkeypatch.setattr(Path, "write_bytes", failing_write)
    with pytest.raises(EvidenceError):
        write_bundle(files, tmp_path / "bundle")
    assert not (tmp_path / "bundle").exists()  # no folder without a manifest
    assert leftovers(tmp_path) == []


def test_a_bundle_folder_appears_whole(tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    out.mkdir()  # an empty folder given by the user is replaced in one step
    with atomic_directory(out) as staging:
        (staging / "a.txt").write_text("a")
        assert not (out / "a.txt").exists()  # nothing visible until the block ends
    assert (out / "a.txt").read_text() == "a"


def test_snapshot_is_owner_only(tmp_path: Path) -> None:
    from scanner.sources.aws.inventory import AwsCollection
    from scanner.sources.aws.snapshot import save_snapshot

    moment = datetime(2026, 1, 1, tzinfo=UTC)
    path = tmp_path / "snapshots" / "nightly.json.gz"
    save_snapshot(AwsCollection([], [], [], [], moment, moment), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert json.loads(gzip.decompress(path.read_bytes()))["snapshot_version"]


def _interrupt_a_running_scan(tmp_path: Path, signum: int) -> tuple[int, str, str]:
    """A real `comply` process waiting on stdin, signalled; returns (exit, stderr, report)."""
    target = tmp_path / "out.json"
    target.write_text(PREVIOUS)
    process = subprocess.Popen(
        [sys.executable, "-m", "scanner", "scan", "kubernetes", "-", "-o", f"json={target}"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    assert process.stdin is not None
    process.stdin.write(b"apiVersion: v1\nkind: ConfigMap\n")
    process.stdin.flush()
    time.sleep(3)  # past start-up, blocked reading the rest of stdin
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    return process.returncode, stderr.decode(), target.read_text()


def test_sigterm_exits_143_and_keeps_outputs(tmp_path: Path) -> None:
    code, stderr, report = _interrupt_a_running_scan(tmp_path, signal.SIGTERM)
    assert code == 143
    assert "terminated" in stderr and "Aborted" not in stderr
    assert report == PREVIOUS


def test_sigint_exits_130_not_1(tmp_path: Path) -> None:
    code, stderr, report = _interrupt_a_running_scan(tmp_path, signal.SIGINT)
    assert code == 130
    assert "interrupted" in stderr and "Aborted" not in stderr
    assert report == PREVIOUS
