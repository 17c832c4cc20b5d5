"""The parse cache: a warm load does not parse, gives identical resources, survives corruption."""

from __future__ import annotations

import shutil

from scanner.sources.terraform import load_terraform
from scanner.sources.terraform import parse as parsing


def _counting(monkeypatch):
    calls: list[bool] = []
    real = parsing.parse_text

    def counted(text: str, is_json: bool):
        calls.append(is_json)
        return real(text, is_json)

    monkeypatch.setattr(parsing, "parse_text", counted)
    return calls


def _snapshot(result):
    return [
        (r.id, r.type, r.location, repr(r.attributes), r.raw, r.skips) for r in result.resources
    ]


def test_second_load_uses_cache_and_gives_identical_resources(tmp_path, monkeypatch, fixtures_dir):
    calls = _counting(monkeypatch)
    cache = tmp_path / "cache"
    cold = load_terraform(fixtures_dir / "modules", cache_dir=cache)
    assert len(calls) == 3
    warm = load_terraform(fixtures_dir / "modules", cache_dir=cache)
    assert len(calls) == 3  # nothing parsed again
    assert _snapshot(warm) == _snapshot(cold)
    assert warm.warnings == cold.warnings


def test_no_cache_dir_parses_every_time(monkeypatch, fixtures_dir):
    calls = _counting(monkeypatch)
    load_terraform(fixtures_dir / "references")
    load_terraform(fixtures_dir / "references")
    assert len(calls) == 2


def test_corrupt_cache_entry_is_ignored_and_reparsed(tmp_path, monkeypatch, fixtures_dir):
    calls = _counting(monkeypatch)
    cache = tmp_path / "cache"
    cold = load_terraform(fixtures_dir / "references", cache_dir=cache)
    entries = [p for p in cache.rglob("*.json")]
    assert len(entries) == 1
    entries[0].write_bytes(b"\x80\x05garbage")
    warm = load_terraform(fixtures_dir / "references", cache_dir=cache)
    assert len(calls) == 2
    assert _snapshot(warm) == _snapshot(cold)
    third = load_terraform(fixtures_dir / "references", cache_dir=cache)  # entry rewritten
    assert len(calls) == 2 and _snapshot(third) == _snapshot(cold)


def test_changed_file_is_reparsed(tmp_path, monkeypatch, fixtures_dir):
    calls = _counting(monkeypatch)
    work = tmp_path / "tf"
    shutil.copytree(fixtures_dir / "references", work)
    cache = tmp_path / "cache"
    load_terraform(work, cache_dir=cache)
    (work / "main.tf").write_text('resource "aws_s3_bucket" "x" {\n  bucket = "x"\n}\n')
    result = load_terraform(work, cache_dir=cache)
    assert len(calls) == 2
    assert [r.id for r in result.resources] == ["aws_s3_bucket.x"]


def test_parallel_parse_matches_serial(tmp_path):
    for i in range(40):
        (tmp_path / f"f{i:02}.tf").write_text(
            f'resource "aws_s3_bucket" "b{i}" {{\n  bucket = "b-{i}"\n}}\n'
        )
    (tmp_path / "broken.tf").write_text("resource {\n")
    serial = load_terraform(tmp_path, jobs=1)
    parallel = load_terraform(tmp_path, jobs=2)
    assert _snapshot(parallel) == _snapshot(serial)
    assert parallel.errors == serial.errors and len(serial.errors) == 1
    assert len(serial.resources) == 40
