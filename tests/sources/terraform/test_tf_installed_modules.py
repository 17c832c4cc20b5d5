"""Registry and git modules loaded from `.terraform/modules/modules.json` after `terraform init`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.core.model import is_unknown
from scanner.sources.terraform import load_terraform
from scanner.sources.terraform.installed import comparable_source, read_manifest, same_source
from tests.sources.terraform.conftest import FIXTURES

INSTALLED = FIXTURES / "installed_modules"
MANIFEST = Path(".terraform/modules/modules.json")


def warning_for(result, address: str) -> str:
    messages = [w.message for w in result.warnings if w.message.startswith(f"{address}:")]
    assert len(messages) == 1, result.warnings
    return messages[0]


def copy_fixture(tmp_path: Path) -> Path:
    root = tmp_path / "stack"
    shutil.copytree(INSTALLED, root)
    return root


def test_registry_and_git_modules_load_with_their_inputs(load, by_id):
    result = load("installed_modules")
    assert result.errors == []
    resources = by_id(result)
    rotated = resources["module.kms_rotated.aws_kms_key.this"]  # registry source
    assert rotated.attributes["enable_key_rotation"] is True
    assert rotated.attributes["description"] == "phi records"  # input beats the default
    unrotated = resources["module.kms_unrotated.aws_kms_key.this"]  # git:: source
    assert unrotated.attributes["enable_key_rotation"] is False
    assert unrotated.attributes["description"] == "managed by terraform"  # module default
    unset = resources["module.kms_unset.aws_kms_key.this"]  # github.com shorthand
    assert is_unknown(unset.attributes["enable_key_rotation"])
    assert unset.attributes["enable_key_rotation"].reason == "var.rotate has no value"


def test_installed_resources_point_at_the_installed_file(load, by_id):
    rotated = by_id(load("installed_modules"))["module.kms_rotated.aws_kms_key.this"]
    assert rotated.location.file == ".terraform/modules/kms_rotated/main.tf"
    assert (rotated.location.start_line, rotated.location.end_line) == (10, 13)


def test_nested_local_and_registry_modules_of_an_installed_module(load, by_id):
    resources = by_id(load("installed_modules"))
    bucket = resources["module.storage.module.bucket.aws_s3_bucket.this"]  # local ./modules/bucket
    assert bucket.attributes["bucket"] == "phi-exports"
    assert bucket.attributes["versioning"]["enabled"] is True  # companion folded inside it
    logs = resources["module.storage.module.logs.aws_cloudwatch_log_group.this"]  # key storage.logs
    assert logs.attributes["name"] == "phi-exports-access"
    assert logs.attributes["retention_in_days"] == 400
    assert logs.location.file == ".terraform/modules/storage.logs/main.tf"


def test_module_outputs_of_installed_modules_are_usable(load, by_id):
    group = by_id(load("installed_modules"))["aws_cloudwatch_log_group.app"]
    key = group.attributes["kms_key_id"]
    assert not is_unknown(key)  # a computed reference to the installed key, not "not loaded"


def test_installed_code_is_never_scanned_as_a_root_module(load):
    ids = {resource.id for resource in load("installed_modules").resources}
    assert ids == {
        "aws_cloudwatch_log_group.app",
        "module.kms_rotated.aws_kms_key.this",
        "module.kms_unrotated.aws_kms_key.this",
        "module.kms_unset.aws_kms_key.this",
        "module.storage.module.bucket.aws_s3_bucket.this",
        "module.storage.module.logs.aws_cloudwatch_log_group.this",
    }


def test_stale_missing_and_escaping_installs_are_not_loaded_and_say_why(load):
    result = load("installed_modules")
    stale = warning_for(result, "module.stale")
    assert "installed it from 'registry.terraform.io/terraform-aws-modules/rds-aurora/aws'" in stale
    assert "configuration says 'terraform-aws-modules/rds/aws'" in stale
    assert "terraform init" in stale
    missing = warning_for(result, "module.not_installed")
    assert "'cloudposse/label/null' is not in .terraform/modules/modules.json" in missing
    escape = warning_for(result, "module.escape")
    assert "'../modules', which is outside the root module" in escape
    assert all(w.target == "main.tf" and w.line for w in result.warnings)


def test_without_a_manifest_remote_modules_are_a_warning_as_before(tmp_path):
    root = copy_fixture(tmp_path)
    (root / MANIFEST).unlink()
    result = load_terraform(root)
    assert result.errors == []
    assert [r.id for r in result.resources] == ["aws_cloudwatch_log_group.app"]
    message = warning_for(result, "module.kms_rotated")
    assert "not loaded (no .terraform/modules/modules.json: run `terraform init`" in message
    group = result.resources[0]
    assert is_unknown(group.attributes["kms_key_id"])
    assert "module.kms_rotated is not loaded" in group.attributes["kms_key_id"].reason


def test_an_installed_folder_that_is_gone_is_a_warning(tmp_path):
    root = copy_fixture(tmp_path)
    shutil.rmtree(root / ".terraform/modules/kms_unrotated")
    result = load_terraform(root)
    assert "module.kms_unrotated.aws_kms_key.this" not in {r.id for r in result.resources}
    message = warning_for(result, "module.kms_unrotated")
    assert "'.terraform/modules/kms_unrotated', which does not exist" in message


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        '{"Modules": {"Key": "x"}}',
        '{"Modules": [{"Key": "vpc"}]}',
        '{"Modules": [{"Key": 1, "Source": "", "Dir": "."}]}',
        "[]",
    ],
)
def test_a_malformed_manifest_is_an_error_naming_it_and_the_rest_is_scanned(tmp_path, text):
    root = copy_fixture(tmp_path)
    (root / MANIFEST).write_text(text)
    result = load_terraform(root)
    assert [e.target for e in result.errors] == [".terraform/modules/modules.json"]
    assert "not a Terraform module manifest" in result.errors[0].message
    assert [r.id for r in result.resources] == ["aws_cloudwatch_log_group.app"]


def test_the_manifest_of_a_nested_root_is_relative_to_that_root(tmp_path):
    stacks = tmp_path / "repo"
    shutil.copytree(INSTALLED, stacks / "stacks" / "billing")
    result = load_terraform(stacks)
    assert result.errors == []
    ids = {r.id for r in result.resources}
    assert "stacks/billing:module.kms_rotated.aws_kms_key.this" in ids
    rotated = next(r for r in result.resources if r.id.endswith("kms_rotated.aws_kms_key.this"))
    assert rotated.location.file == "stacks/billing/.terraform/modules/kms_rotated/main.tf"


@pytest.mark.parametrize(
    ("configured", "recorded"),
    [
        ("terraform-aws-modules/vpc/aws", "registry.terraform.io/terraform-aws-modules/vpc/aws"),
        ("terraform-aws-modules/vpc/aws", "terraform-aws-modules/vpc/aws"),
        ("app.terraform.io/acme/vpc/aws", "app.terraform.io/acme/vpc/aws"),
        ("github.com/acme/mods//vpc?ref=v1", "git::https://github.com/acme/mods.git//vpc?ref=v1"),
        ("git@github.com:acme/mods.git?ref=v1", "git::ssh://git@github.com/acme/mods.git?ref=v1"),
        ("git::https://example.com/m.git", "git::https://example.com/m.git"),
    ],
)
def test_the_configured_source_matches_what_terraform_recorded(configured, recorded):
    assert same_source(configured, recorded), (
        comparable_source(configured),
        comparable_source(recorded),
    )


@pytest.mark.parametrize(
    ("configured", "recorded"),
    [
        ("terraform-aws-modules/vpc/aws", "registry.terraform.io/terraform-aws-modules/rds/aws"),
        ("github.com/acme/mods?ref=v1", "git::https://github.com/acme/mods.git?ref=v2"),
        ("app.terraform.io/acme/vpc/aws", "registry.terraform.io/acme/vpc/aws"),
    ],
)
def test_a_changed_source_does_not_match(configured, recorded):
    assert not same_source(configured, recorded)


def test_checks_judge_installed_modules_through_the_cli(comply):
    result = comply("scan", "terraform", INSTALLED, "-o", "json", "--no-cache")
    assert result.exit_code == 1, result.stderr  # the unrotated key fails
    # In a clone, ids carry the root module's folder relative to the repository root.
    rotation = {
        f["resource"]["id"].rpartition("installed_modules:")[2]: (
            f["status"],
            f["location"]["file"],
        )
        for f in result.json()["findings"]
        if f["check_id"] == "kms_key_rotation_enabled"
    }
    assert rotation == {
        "module.kms_rotated.aws_kms_key.this": ("pass", ".terraform/modules/kms_rotated/main.tf"),
        "module.kms_unrotated.aws_kms_key.this": (
            "fail",
            ".terraform/modules/kms_unrotated/main.tf",
        ),
        "module.kms_unset.aws_kms_key.this": ("unknown", ".terraform/modules/kms_unset/main.tf"),
    }


def test_instances_of_an_installed_module_share_its_manifest_entry(tmp_path):
    root = copy_fixture(tmp_path)
    main = root / "main.tf"
    text = main.read_text().replace(
        'module "kms_rotated" {\n', 'module "kms_rotated" {\n  for_each = toset(["a", "b"])\n'
    )
    main.write_text(text.replace("module.kms_rotated.key_arn", 'module.kms_rotated["a"].key_arn'))
    result = load_terraform(root)
    assert result.errors == []
    resources = {r.id: r for r in result.resources}
    for key in ("a", "b"):  # Terraform installs a counted call once, under its plain key
        rotated = resources[f'module.kms_rotated["{key}"].aws_kms_key.this']
        assert rotated.attributes["enable_key_rotation"] is True
        assert rotated.location.file == ".terraform/modules/kms_rotated/main.tf"
    group = resources["aws_cloudwatch_log_group.app"]
    assert group.attributes["kms_key_id"] == 'module.kms_rotated["a"].aws_kms_key.this.arn'


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=6),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(["Modules", "Key", "Source", "Dir", "Version", "x"]), children
        )
    ),
    max_leaves=20,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(document=json_values)
def test_any_manifest_is_read_or_an_error_naming_it(tmp_path_factory, document):
    root = tmp_path_factory.mktemp("root")
    (root / MANIFEST).parent.mkdir(parents=True)
    (root / MANIFEST).write_text(json.dumps(document))
    manifest, error = read_manifest(root, root, 1024 * 1024)
    assert (manifest is None) != (error is None)
    if error is not None:
        assert error.target == ".terraform/modules/modules.json"
    else:
        assert all(isinstance(m.directory, Path) for m in manifest.modules.values())
