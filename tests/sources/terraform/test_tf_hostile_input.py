"""Hostile or unlucky Terraform input: never a silent pass, never unbounded work (issue 11)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scanner.sources.terraform import load_terraform, values
from scanner.sources.terraform.modules import MAX_MODULE_INSTANCES

GOOD = 'resource "aws_s3_bucket" "good" {\n  bucket = "good"\n}\n'


def test_unreadable_folder_is_an_error_naming_it(tmp_path, monkeypatch, by_id):
    (tmp_path / "main.tf").write_text(GOOD)
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "main.tf").write_text(GOOD.replace("good", "locked"))
    real_scandir = os.scandir

    def deny(path):  # root reads every folder: fake what another user would get
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", deny)
    result = load_terraform(tmp_path, cache_dir=None)
    assert [(e.target, e.message) for e in result.errors] == [
        ("locked", "cannot read folder (permission denied): the files in it were not scanned")
    ]
    assert set(by_id(result)) == {"aws_s3_bucket.good"}


@pytest.mark.parametrize("is_json", [False, True])
def test_var_file_that_is_a_fifo_is_an_error_not_a_hang(tmp_path, is_json):
    (tmp_path / "main.tf").write_text(GOOD)
    name = "x.auto.tfvars.json" if is_json else "x.auto.tfvars"
    os.mkfifo(tmp_path / name)
    result = load_terraform(tmp_path, cache_dir=None)
    assert [e.target for e in result.errors] == [name]
    assert "not a regular file" in result.errors[0].message


def test_var_file_on_dev_zero_is_an_error_not_a_memory_error(tmp_path):
    (tmp_path / "main.tf").write_text(GOOD)
    (tmp_path / "zero.auto.tfvars").symlink_to("/dev/zero")
    result = load_terraform(tmp_path, var_files=[Path("/dev/zero")], cache_dir=None)
    assert len(result.errors) == 2
    assert result.errors[0].target == "zero.auto.tfvars"
    assert result.errors[1].target.endswith("dev/zero")
    assert all("not a regular file" in e.message for e in result.errors)
    assert len(result.resources) == 1


def test_crlf_files_parse_exactly_like_lf(tmp_path):
    text = (
        'variable "name" {\n  type = string\n}\n'
        'resource "aws_s3_bucket" "b" {\n  bucket = var.name\n  # a comment\n'
        '  tags = {\n    team = "phi"\n  }\n}\n'
        'resource "aws_kms_key" "k" {\n  enable_key_rotation = true\n'
        '  policy = <<EOF\n{"Version": "2012-10-17"}\nEOF\n}\n'
    )
    results = []
    for name, newline in (("lf", "\n"), ("crlf", "\r\n")):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "main.tf").write_bytes(text.replace("\n", newline).encode())
        (folder / "terraform.tfvars").write_bytes(f'name = "x"{newline}'.encode())
        result = load_terraform(folder, cache_dir=None)
        assert result.errors == []
        results.append(
            [
                (r.id, r.attributes, r.location.start_line, r.location.end_line)
                for r in result.resources
            ]
        )
    assert results[0] == results[1]
    assert results[0][0][1]["bucket"] == "x"


@pytest.mark.parametrize(
    ("document", "where"),
    [
        ('{"resource": [1, 2, 3]}', '"resource" must be a JSON object, not an array'),
        ('{"resource": "x"}', '"resource" must be a JSON object, not a string'),
        (
            '{"resource": {"aws_s3_bucket": {"b": "text"}}}',
            '"resource.aws_s3_bucket.b" must be a JSON object, not a string',
        ),
        (
            '{"resource": {"aws_s3_bucket": {"b": [{"bucket": "x"}, 7]}}}',
            '"resource.aws_s3_bucket.b[1]" must be a JSON object, not a number',
        ),
        ('{"module": {"m": null}}', '"module.m" must be a JSON object, not null'),
        ('{"locals": "x"}', '"locals" must be a JSON object, not a string'),
    ],
)
def test_malformed_tf_json_is_a_parse_error_naming_the_file(tmp_path, by_id, document, where):
    (tmp_path / "good.tf").write_text(GOOD)
    (tmp_path / "bad.tf.json").write_text(document)
    result = load_terraform(tmp_path, cache_dir=None)
    assert [e.target for e in result.errors] == ["bad.tf.json"]
    assert result.errors[0].message == f"parse error: {where}"
    assert set(by_id(result)) == {"aws_s3_bucket.good"}


def test_well_formed_tf_json_still_loads(tmp_path, by_id):
    (tmp_path / "main.tf.json").write_text(
        '{"resource": {"aws_s3_bucket": {"b": [{"bucket": "x"}]}},'
        ' "provider": {"aws": [{"region": "eu-west-1"}, {"alias": "us"}]},'
        ' "locals": [{"a": 1}], "variable": {"v": {"default": 1}}}'
    )
    result = load_terraform(tmp_path, cache_dir=None)
    assert result.errors == []
    assert set(by_id(result)) == {"aws_s3_bucket.b"}


@pytest.fixture
def small_caps(monkeypatch):
    """The caps at a tenth of their default: the same code paths, a tenth of the test time
    (bench/hostile_input.py times the defaults)."""
    monkeypatch.setattr(values, "MAX_VALUE_SIZE", 100_000)
    monkeypatch.setattr(values, "MAX_EVALUATION_STEPS", 200_000)


def _doubling_locals(count: int) -> str:
    lines = ["locals {", '  s0 = "abcdefghijklmnop"', "  l0 = [1]", "  n0 = [1]"]
    for i in range(1, count + 1):
        lines.append(f'  s{i} = "${{local.s{i - 1}}}${{local.s{i - 1}}}"')
        lines.append(f"  l{i} = concat(local.l{i - 1}, local.l{i - 1})")
        lines.append(f"  n{i} = [local.n{i - 1}, local.n{i - 1}]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def test_doubling_locals_hit_the_value_cap_naming_the_block(tmp_path, by_id, small_caps):
    (tmp_path / "locals.tf").write_text(_doubling_locals(40))
    (tmp_path / "main.tf").write_text(
        GOOD
        + 'resource "aws_s3_bucket" "string" {\n  bucket = local.s40\n}\n'
        + 'resource "aws_s3_bucket" "list" {\n  bucket = "l"\n'
        + "  tags = { n = length(local.l40) }\n}\n"
        + 'resource "aws_s3_bucket" "nested" {\n  bucket = "n"\n  tags = { n = local.n40 }\n}\n'
        + 'resource "aws_s3_bucket" "small" {\n  bucket = "s"\n  tags = { n = local.n3 }\n}\n'
    )
    result = load_terraform(tmp_path, cache_dir=None)
    errors = {(e.target, e.line): e.message for e in result.errors}
    assert set(errors) == {("main.tf", 4), ("main.tf", 7), ("main.tf", 11)}
    assert all("cap of 100,000" in message for message in errors.values())
    assert errors[("main.tf", 4)].startswith("aws_s3_bucket.string: not evaluated")
    assert set(by_id(result)) == {"aws_s3_bucket.good", "aws_s3_bucket.small"}


def test_quadratic_replace_hits_the_value_cap(tmp_path, by_id, small_caps):
    (tmp_path / "main.tf").write_text(
        'locals {\n  a = "' + "a" * 400 + '"\n}\n'
        'resource "aws_s3_bucket" "b" {\n  bucket = replace(local.a, "a", local.a)\n}\n' + GOOD
    )
    result = load_terraform(tmp_path, cache_dir=None)
    assert [(e.target, e.line) for e in result.errors] == [("main.tf", 4)]
    assert "replace() is longer than the cap" in result.errors[0].message
    assert set(by_id(result)) == {"aws_s3_bucket.good"}


def test_nested_for_expressions_hit_the_step_cap(tmp_path, by_id, small_caps):
    (tmp_path / "main.tf").write_text(
        'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n'
        "  tags = {\n    n = length([for a in local.l : [for b in local.l : [\n"
        "      for c in local.l : 1]]])\n  }\n"
        "}\nlocals {\n  l = [" + ", ".join(["1"] * 200) + "]\n}\n"
    )
    result = load_terraform(tmp_path, cache_dir=None)
    assert [(e.target, e.line) for e in result.errors] == [("main.tf", 1)]
    assert "evaluation steps" in result.errors[0].message


def test_module_fan_out_is_capped_with_one_error(tmp_path):
    levels = 8
    for level in range(1, levels + 1):
        folder = tmp_path / f"m{level}"
        folder.mkdir()
        if level < levels:
            calls = [f'module "{c}" {{\n  source = "../m{level + 1}"\n}}\n' for c in "abcd"]
            (folder / "main.tf").write_text("".join(calls))
        else:
            (folder / "main.tf").write_text(GOOD)
    (tmp_path / "main.tf").write_text(
        "".join(f'module "{c}" {{\n  source = "./m1"\n}}\n' for c in "abcd")
    )
    result = load_terraform(tmp_path, cache_dir=None)
    assert len(result.errors) == 1
    assert f"over {MAX_MODULE_INSTANCES} instances" in result.errors[0].message
    assert 0 < len(result.resources) < MAX_MODULE_INSTANCES  # bounded, and the rest still loads


def test_module_source_outside_the_scanned_tree_is_a_warning(tmp_path, by_id):
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "main.tf").write_text(GOOD)
    root = tmp_path / "live"
    root.mkdir()
    (root / "main.tf").write_text('module "storage" {\n  source = "../shared"\n}\n')
    result = load_terraform(root, cache_dir=None)
    assert result.errors == []
    assert [(w.target, w.line) for w in result.warnings] == [("main.tf", 1)]
    message = result.warnings[0].message
    assert "module.storage" in message and "../shared" in message
    assert str(tmp_path / "shared") in message and "outside the scanned folder" in message
    assert set(by_id(result)) == {"module.storage.aws_s3_bucket.good"}


def test_a_tf_file_that_is_a_fifo_or_a_broken_link_is_an_error_not_skipped(tmp_path, by_id):
    (tmp_path / "good.tf").write_text(GOOD)
    os.mkfifo(tmp_path / "pipe.tf")
    (tmp_path / "gone.tf").symlink_to(tmp_path / "nowhere.tf")
    result = load_terraform(tmp_path, cache_dir=None)
    assert {e.target: e.message for e in result.errors} == {
        "gone.tf": "cannot read file: no such file or directory",
        "pipe.tf": "not a regular file (a device, FIFO or socket); not read",
    }
    assert set(by_id(result)) == {"aws_s3_bucket.good"}
