"""A scan that judged nothing, or not everything, never exits 0 (issue 11: no silent pass)."""

from __future__ import annotations

import shutil

import pytest

from tests.as_other_user import needs_setpriv, run_comply_as_nobody, world_readable_dir

GOOD_TF = 'resource "aws_kms_key" "k" {\n  enable_key_rotation = true\n}\n'
GOOD_K8S = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: phi\n"


def no_cache(source: str) -> list[str]:
    return ["--no-cache"] if source == "terraform" else []


@pytest.mark.parametrize("source", ["terraform", "kubernetes"])
def test_empty_folder_exits_2_with_a_clear_message(comply, tmp_path, source):
    (tmp_path / "README.md").write_text("nothing to scan here\n")
    result = comply("scan", source, tmp_path, "-o", "json", *no_cache(source))
    assert result.exit_code == 2, result.stderr
    errors = result.json()["errors"]
    assert len(errors) == 1 and errors[0]["target"] == str(tmp_path)
    kind = "Terraform files" if source == "terraform" else "Kubernetes objects"
    assert f"no {kind}" in errors[0]["message"] and "--allow-empty" in errors[0]["message"]


def test_yaml_without_kubernetes_objects_is_empty(comply, tmp_path):
    (tmp_path / "ci.yaml").write_text("stages: [build, test]\n")
    result = comply("scan", "kubernetes", tmp_path, "-o", "json")
    assert result.exit_code == 2
    assert "no Kubernetes objects found" in result.json()["errors"][0]["message"]


def test_terraform_files_without_resources_are_empty(comply, tmp_path):
    (tmp_path / "variables.tf").write_text('variable "x" {\n  default = 1\n}\n')
    result = comply("scan", "terraform", tmp_path, "-o", "json", "--no-cache")
    assert result.exit_code == 2
    assert "no Terraform resources in 1 file" in result.json()["errors"][0]["message"]


@pytest.mark.parametrize("source", ["terraform", "kubernetes"])
def test_allow_empty_is_the_opt_in(comply, tmp_path, source):
    result = comply("scan", source, tmp_path, "-o", "json", "--allow-empty")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.json()["errors"] == []


@needs_setpriv
@pytest.mark.parametrize(
    ("source", "name", "text"),
    [("terraform", "main.tf", GOOD_TF), ("kubernetes", "ns.yaml", GOOD_K8S)],
)
def test_really_unreadable_folder_exits_2_naming_it(source, name, text):
    scanned = world_readable_dir()
    try:
        (scanned / name).write_text(text)
        (scanned / name).chmod(0o644)
        locked = scanned / "team-b"
        locked.mkdir()
        (locked / name).write_text(text)
        locked.chmod(0)
        result = run_comply_as_nobody("scan", source, scanned, "-o", "json", *no_cache(source))
    finally:
        shutil.rmtree(scanned, ignore_errors=True)
    assert result.exit_code == 2, result.stderr
    errors = result.json()["errors"]
    assert [(e["target"], e["message"]) for e in errors] == [
        ("team-b", "cannot read folder (permission denied): the files in it were not scanned")
    ]


@needs_setpriv
def test_really_unreadable_file_exits_2_naming_it():
    scanned = world_readable_dir()
    try:
        (scanned / "main.tf").write_text(GOOD_TF)
        (scanned / "main.tf").chmod(0o644)
        (scanned / "secret.tf").write_text(GOOD_TF.replace('"k"', '"s"'))
        (scanned / "secret.tf").chmod(0)
        result = run_comply_as_nobody("scan", "terraform", scanned, "-o", "json", "--no-cache")
    finally:
        shutil.rmtree(scanned, ignore_errors=True)
    assert result.exit_code == 2, result.stderr
    errors = result.json()["errors"]
    assert [(e["target"], e["message"]) for e in errors] == [
        ("secret.tf", "cannot read file: permission denied")
    ]
