"""The parse cache is data, checked on read: a pickle, an edited or foreign entry, a symlink to a
FIFO are ignored and the file is parsed again; entries are owner-only."""

from __future__ import annotations

import json
import os
import pickle
import stat
from pathlib import Path

import pytest

from scanner.sources.terraform import load_terraform
from scanner.sources.terraform import parse as parsing
from scanner.sources.terraform.parse_cache import ParseCache


class _Exploit:
    """Unpickling this creates a file: proof that an entry was executed."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def _ids(result) -> list[str]:
    return sorted(r.id for r in result.resources)


def _counting(monkeypatch) -> list[bool]:
    calls: list[bool] = []
    real = parsing.parse_text

    def counted(text: str, is_json: bool):
        calls.append(is_json)
        return real(text, is_json)

    monkeypatch.setattr(parsing, "parse_text", counted)
    return calls


@pytest.fixture
def warmed(tmp_path: Path, fixtures_dir: Path):
    cache = tmp_path / "cache"
    cold = load_terraform(fixtures_dir / "references", cache_dir=cache)
    (entry,) = cache.rglob("*.json")
    return cache, entry, cold


def test_a_pickle_in_the_cache_is_never_executed(warmed, fixtures_dir, tmp_path, monkeypatch):
    cache, entry, cold = warmed
    marker = tmp_path / "executed"
    entry.write_bytes(pickle.dumps(_Exploit(marker)))
    calls = _counting(monkeypatch)
    warm = load_terraform(fixtures_dir / "references", cache_dir=cache)
    assert not marker.exists()
    assert calls == [False]  # re-parsed
    assert _ids(warm) == _ids(cold)


def test_an_edited_entry_cannot_make_resources_disappear(warmed, fixtures_dir, monkeypatch):
    cache, entry, cold = warmed
    header, _, payload = entry.read_bytes().partition(b"\n")
    edited = json.loads(payload)
    edited["data"] = {}  # every resource of the file gone, hash left as it was
    entry.write_bytes(header + b"\n" + json.dumps(edited).encode())
    calls = _counting(monkeypatch)
    warm = load_terraform(fixtures_dir / "references", cache_dir=cache)
    assert calls == [False]
    assert _ids(warm) == _ids(cold) and _ids(warm)


@pytest.mark.parametrize(
    "field, value",
    [("tool", "0.0.0-other"), ("format", "someone-else"), ("version", 1), ("key", "0" * 64)],
)
def test_a_foreign_entry_is_ignored(warmed, fixtures_dir, monkeypatch, field, value):
    cache, entry, cold = warmed
    header, _, payload = entry.read_bytes().partition(b"\n")
    foreign = json.loads(header)
    foreign[field] = value
    entry.write_bytes(json.dumps(foreign).encode() + b"\n" + payload)
    calls = _counting(monkeypatch)
    assert _ids(load_terraform(fixtures_dir / "references", cache_dir=cache)) == _ids(cold)
    assert calls == [False]


@pytest.mark.parametrize(
    "garbage", [b"", b"\n", b"{}\n{}", b"\xff\xfe\n\x00", b"[" * 100_000 + b"\n" + b"[" * 100_000]
)
def test_a_corrupt_entry_is_ignored(warmed, fixtures_dir, garbage):
    cache, entry, cold = warmed
    entry.write_bytes(garbage)
    assert _ids(load_terraform(fixtures_dir / "references", cache_dir=cache)) == _ids(cold)


def test_a_symlink_to_a_fifo_is_not_followed(warmed, fixtures_dir, tmp_path, monkeypatch):
    cache, entry, cold = warmed
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    entry.unlink()
    entry.symlink_to(fifo)
    calls = _counting(monkeypatch)
    warm = load_terraform(fixtures_dir / "references", cache_dir=cache)  # must not block
    assert calls == [False] and _ids(warm) == _ids(cold)


def test_cache_folders_and_entries_are_owner_only(warmed):
    cache, entry, _ = warmed
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    assert stat.S_IMODE(entry.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600


def test_entry_format_is_a_checked_json_header_and_payload(warmed):
    _, entry, _ = warmed
    header, _, payload = entry.read_bytes().partition(b"\n")
    fields = json.loads(header)
    assert fields["format"] == "comply-parse-cache"
    assert fields["key"] == entry.stem
    assert set(json.loads(payload)) == {"data", "error", "line"}
    assert ParseCache(entry.parents[1]).get(entry.stem) is not None
