"""Hostile or unlucky manifest folders (issue 11): never a silent pass, never a hang."""

from __future__ import annotations

import os
from pathlib import Path

from scanner.sources.kubernetes import load_kubernetes

NAMESPACE = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n"


def test_unreadable_folder_is_an_error_naming_it(tmp_path, monkeypatch):
    (tmp_path / "ns.yaml").write_text(NAMESPACE.format(name="seen"))
    (tmp_path / "team-b").mkdir()
    (tmp_path / "team-b" / "ns.yaml").write_text(NAMESPACE.format(name="unseen"))
    real_scandir = os.scandir

    def deny(path):  # root reads every folder: fake what another user would get
        if Path(path).name == "team-b":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", deny)
    result = load_kubernetes([tmp_path], kustomize=False)
    assert [(e.target, e.message) for e in result.errors] == [
        ("team-b", "cannot read folder (permission denied): the files in it were not scanned")
    ]
    assert [r.id for r in result.resources] == ["Namespace/seen"]


def test_a_manifest_that_is_a_fifo_is_an_error_not_a_hang(tmp_path):
    (tmp_path / "ns.yaml").write_text(NAMESPACE.format(name="seen"))
    os.mkfifo(tmp_path / "pipe.yaml")
    result = load_kubernetes([tmp_path], kustomize=False)
    assert [e.target for e in result.errors] == ["pipe.yaml"]
    assert "not a regular file" in result.errors[0].message
    assert [r.id for r in result.resources] == ["Namespace/seen"]


def test_a_manifest_linked_to_dev_zero_is_an_error_not_a_memory_error(tmp_path):
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    result = load_kubernetes([tmp_path], kustomize=False)
    assert [e.target for e in result.errors] == ["zero.yaml"]
    assert "not a regular file" in result.errors[0].message
