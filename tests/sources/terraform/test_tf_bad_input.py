"""Bad input never raises and never stops the rest of the scan."""

from __future__ import annotations

import os
import shutil

import pytest

from scanner.sources.terraform import load_terraform

GOOD = 'resource "aws_s3_bucket" "good" {\n  bucket = "good"\n}\n'


def test_malformed_file_is_an_error_with_file_and_line_others_still_load(load, by_id):
    result = load("malformed")
    assert [(e.target, e.line) for e in result.errors] == [("broken.tf", 5)]
    assert "parse error" in result.errors[0].message
    assert set(by_id(result)) == {"aws_s3_bucket.good"}  # empty.tf is fine, no resources
    assert result.files_scanned == 3


def test_non_utf8_file(tmp_path, by_id):
    (tmp_path / "good.tf").write_text(GOOD)
    (tmp_path / "latin1.tf").write_bytes(
        b'resource "aws_s3_bucket" "b" {\n  bucket = "caf\xe9"\n}\n'
    )
    result = load_terraform(tmp_path)
    assert [e.target for e in result.errors] == ["latin1.tf"]
    assert "not valid UTF-8" in result.errors[0].message
    assert result.errors[0].line == 2
    assert set(by_id(result)) == {"aws_s3_bucket.good"}


def test_binary_file_with_nul_bytes(tmp_path, by_id):
    (tmp_path / "good.tf").write_text(GOOD)
    (tmp_path / "blob.tf").write_bytes(b"\x7fELF\x00\x00\x01")
    result = load_terraform(tmp_path)
    assert [e.target for e in result.errors] == ["blob.tf"]
    assert "NUL" in result.errors[0].message
    assert set(by_id(result)) == {"aws_s3_bucket.good"}


def test_empty_files_are_fine(tmp_path):
    (tmp_path / "empty.tf").write_text("")
    (tmp_path / "empty.tf.json").write_text("")
    result = load_terraform(tmp_path)
    assert result.errors == [] and result.resources == []
    assert result.files_scanned == 2


def test_oversized_file(tmp_path, by_id):
    (tmp_path / "good.tf").write_text(GOOD)
    (tmp_path / "big.tf").write_text("# padding\n" * 100)
    result = load_terraform(tmp_path, max_file_size=200)
    assert [e.target for e in result.errors] == ["big.tf"]
    assert "1000 bytes" in result.errors[0].message and "200" in result.errors[0].message
    assert set(by_id(result)) == {"aws_s3_bucket.good"}


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file(tmp_path, by_id):
    (tmp_path / "good.tf").write_text(GOOD)
    secret = tmp_path / "secret.tf"
    secret.write_text(GOOD.replace("good", "secret"))
    secret.chmod(0)
    try:
        result = load_terraform(tmp_path)
    finally:
        secret.chmod(0o644)
    assert [e.target for e in result.errors] == ["secret.tf"]
    assert "permission denied" in result.errors[0].message


def test_unreadable_file_reported_even_as_root(tmp_path, monkeypatch, by_id):
    from pathlib import Path

    (tmp_path / "good.tf").write_text(GOOD)
    (tmp_path / "secret.tf").write_text(GOOD.replace("good", "secret"))
    real_open = Path.open

    def deny(self: Path, *args: object, **kwargs: object) -> object:
        if self.name == "secret.tf":
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", deny)
    result = load_terraform(tmp_path)
    assert [e.target for e in result.errors] == ["secret.tf"]
    assert set(by_id(result)) == {"aws_s3_bucket.good"}


def test_symlink_loop_does_not_hang(tmp_path, by_id):
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "main.tf").write_text(GOOD)
    (sub / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "self").symlink_to(tmp_path, target_is_directory=True)
    result = load_terraform(tmp_path)
    assert result.errors == []
    assert set(by_id(result)) == {"sub:aws_s3_bucket.good"}


def test_hidden_and_terraform_dirs_are_skipped(tmp_path, by_id, fixtures_dir):
    shutil.copy(fixtures_dir / "malformed" / "good.tf", tmp_path / "main.tf")
    for hidden in (".terraform/modules/x", ".git"):
        (tmp_path / hidden).mkdir(parents=True)
        (tmp_path / hidden / "main.tf").write_text("this is { not terraform")
    result = load_terraform(tmp_path)
    assert result.errors == []
    assert set(by_id(result)) == {"aws_s3_bucket.good"}


def test_missing_path_and_missing_local_module(tmp_path):
    result = load_terraform(tmp_path / "nope")
    assert result.errors and result.resources == []
    (tmp_path / "main.tf").write_text('module "m" {\n  source = "./absent"\n}\n')
    result = load_terraform(tmp_path)
    assert [(e.target, e.line) for e in result.errors] == [("main.tf", 1)]
    assert "./absent" in result.errors[0].message


@pytest.mark.parametrize(
    "text",
    [
        'resource "a" "b" {\n  x = "${' + "(" * 400 + "1" + ")" * 400 + '}"\n}\n',
        'resource "a" "b" {\n  x = "${local.a}"\n}\nlocals {\n  a = local.b\n  b = local.a\n}\n',
        'resource "a" "b" {\n  x = "${{for k in var.m : k}}"\n  y = "${[1, 2][9]}"\n}\n',
        'variable "m" {\n  default = 1\n}\nresource "a" "b" {\n  x = [for k, v in var.m : v]\n}\n',
        'resource "a" "b" {\n  x = "${1 / 0}"\n  y = "${format("%d", "x")}"\n}\n',
        'resource "a" "b" {\n  z = "%{ if true }y%{ endif }"\n}\n',
    ],
)
def test_odd_expressions_become_unknown_not_exceptions(tmp_path, text):
    (tmp_path / "main.tf").write_text(text)
    result = load_terraform(tmp_path)
    assert len(result.resources) + len(result.errors) >= 1
