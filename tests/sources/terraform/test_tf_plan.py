"""Terraform plan JSON (`terraform show -json plan.out`) through the real command line.

The plan in tests/fixtures/terraform_plan/stack/plan.json is written by hand in the documented
format (format_version 1.2: planned_values, resource_changes, prior_state, configuration) for the
configuration beside it, since no terraform binary runs here.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest

from tests.conftest import FIXTURES

STACK = FIXTURES / "terraform_plan" / "stack"
PLAN = STACK / "plan.json"
SECRET = "correct-horse-battery-staple-9f3"  # the db password in the plan (sensitive)


def bare(resource_id: str) -> str:
    """The plan address: in a clone, ids carry the configuration folder relative to the
    repository root (`tests/fixtures/terraform_plan/stack:aws_kms_key.rotated`)."""
    return re.sub(r'^[^\["]*:', "", resource_id)


def findings_of(document: dict, check_id: str) -> dict[str, dict]:
    return {bare(f["resource"]["id"]): f for f in document["findings"] if f["check_id"] == check_id}


def statuses(document: dict, check_id: str) -> dict[str, str]:
    return {rid: f["status"] for rid, f in findings_of(document, check_id).items()}


@pytest.fixture(scope="module")
def scanned() -> dict:
    from tests.conftest import run_comply

    result = run_comply("scan", "terraform-plan", PLAN, "-o", "json")
    assert result.exit_code == 1, result.stderr  # failures, no scan error
    return result.json()


def test_planned_values_judge_every_instance_pass_fail_unknown_and_skip(scanned):
    assert statuses(scanned, "kms_key_rotation_enabled") == {
        "aws_kms_key.rotated": "pass",  # created
        "aws_kms_key.unrotated": "fail",  # updated: rotation switched off
        'aws_kms_key.per_region["eu"]': "pass",  # for_each instances
        'aws_kms_key.per_region["us"]': "fail",
        "aws_kms_key.replicas[0]": "skipped",  # count instances; inline skip in the block
        "aws_kms_key.replicas[1]": "skipped",  # replaced (delete, create): judged
        "aws_kms_key.flagged": "unknown",  # after_unknown: known only after apply
    }
    flagged = findings_of(scanned, "kms_key_rotation_enabled")["aws_kms_key.flagged"]
    assert "enable_key_rotation is known only after apply" in flagged["message"]
    assert scanned["errors"] == []
    assert scanned["scan"]["source"] == "terraform-plan"


def test_resources_being_destroyed_are_not_judged(scanned):
    ids = {bare(f["resource"]["id"]) for f in scanned["findings"]}
    assert "aws_kms_key.retired" not in ids
    assert scanned["context"]["terraform_plan"]["not_judged"] == {"delete": 1}
    assert not any(i.startswith("data.") for i in ids)  # data sources are read, not judged


def test_findings_point_at_the_blocks_of_the_configuration(scanned):
    rotation = findings_of(scanned, "kms_key_rotation_enabled")
    assert rotation["aws_kms_key.unrotated"]["location"] == {
        "file": "main.tf",
        "start_line": 10,
        "end_line": 13,
    }
    # every instance points at its block
    assert rotation['aws_kms_key.per_region["us"]']["location"]["start_line"] == 15
    bucket = findings_of(scanned, "s3_bucket_versioning_enabled")
    module_bucket = bucket['module.storage["claims"].aws_s3_bucket.this']
    assert module_bucket["location"] == {
        "file": "modules/storage/main.tf",
        "start_line": 4,
        "end_line": 6,
    }


def test_companions_fold_per_module_instance(scanned):
    assert statuses(scanned, "s3_bucket_versioning_enabled") == {
        "aws_s3_bucket.records": "fail",  # no versioning resource; not set in configuration
        'module.storage["claims"].aws_s3_bucket.this': "pass",
        'module.storage["imaging"].aws_s3_bucket.this': "fail",  # Suspended
    }
    # the key reaches the module through its input: a computed reference to the planned key
    cmk = findings_of(scanned, "s3_bucket_encrypted_with_kms_cmk")
    assert {f["status"] for f in cmk.values()} == {"pass"}
    assert (
        "aws_kms_key.rotated.arn" in cmk['module.storage["imaging"].aws_s3_bucket.this']["message"]
    )


def test_security_group_rule_folds_into_its_group_by_reference(scanned):
    ssh = findings_of(scanned, "ec2_security_group_ssh_not_open_to_internet")
    assert ssh["aws_security_group.web"]["status"] == "fail"
    assert "22" in ssh["aws_security_group.web"]["message"]


def test_sensitive_values_never_reach_any_output(tmp_path):
    from tests.conftest import run_comply

    outputs = [f"{kind}={tmp_path / kind}" for kind in ("json", "sarif", "junit", "markdown")]
    args = [arg for output in outputs for arg in ("-o", output)]
    result = run_comply("scan", "terraform-plan", PLAN, "-o", "console", *args)
    assert result.exit_code == 1, result.stderr
    written = [result.stdout, result.stderr] + [(tmp_path / k).read_text() for k in
                                                ("json", "sarif", "junit", "markdown")]  # fmt: skip
    assert not any(SECRET in text for text in written)
    document = json.loads((tmp_path / "json").read_text())
    database = next(r for r in document["resources"] if bare(r["id"]) == "aws_db_instance.app")
    assert SECRET not in json.dumps(database)
    assert statuses(document, "rds_instance_storage_encrypted") == {"aws_db_instance.app": "pass"}


def test_scan_terraform_detects_a_plan(comply):
    result = comply("scan", "terraform", PLAN, "-o", "json", "--no-cache")
    assert result.exit_code == 1, result.stderr
    document = result.json()
    assert document["scan"]["source"] == "terraform-plan"
    assert statuses(document, "kms_key_rotation_enabled")["aws_kms_key.unrotated"] == "fail"


def test_var_files_do_not_apply_to_a_plan(comply):
    result = comply("scan", "terraform", PLAN, "--var-file", STACK / "main.tf")
    assert result.exit_code == 2
    assert "--var-file does not apply to a plan" in result.stderr


def test_config_dir_maps_a_plan_kept_elsewhere(comply, tmp_path):
    plan = tmp_path / "plan.json"
    shutil.copy(PLAN, plan)
    result = comply("scan", "terraform-plan", plan, "--config-dir", STACK, "-o", "json")
    assert result.exit_code == 1, result.stderr
    rotation = findings_of(result.json(), "kms_key_rotation_enabled")
    assert rotation["aws_kms_key.unrotated"]["location"]["file"] == "main.tf"
    assert rotation["aws_kms_key.replicas[0]"]["status"] == "skipped"


def test_without_the_configuration_findings_point_at_the_plan(comply, tmp_path):
    plan = tmp_path / "plan.json"
    shutil.copy(PLAN, plan)
    result = comply("scan", "terraform-plan", plan, "-o", "json")
    assert result.exit_code == 1, result.stderr
    document = result.json()
    rotation = findings_of(document, "kms_key_rotation_enabled")
    assert rotation["aws_kms_key.unrotated"]["location"] == {"file": "plan.json"}
    assert rotation["aws_kms_key.replicas[0]"]["status"] == "fail"  # the skip is in the .tf
    # Without the .tf files a nested block could come from a `dynamic` block the plan does not
    # show: an unknown `ingress` stays unknown rather than absent.
    ssh = findings_of(document, "ec2_security_group_ssh_not_open_to_internet")
    assert ssh["aws_security_group.web"]["status"] == "unknown"
    assert "ingress is known only after apply" in ssh["aws_security_group.web"]["message"]


def _broken_plans() -> dict[str, tuple[str, str]]:
    valid = PLAN.read_text()
    plan = json.loads(valid)
    return {
        "truncated": (valid[: len(valid) // 2], "not valid JSON (line "),
        "not json": ("plan.out is binary\x01", "not valid JSON"),
        "empty": ("", "not valid JSON"),
        "an array": ("[]", "not a Terraform plan: no format_version"),
        "tf.json": ('{"resource": {}}', "not a Terraform plan: no format_version"),
        "major 2": (
            json.dumps({**plan, "format_version": "2.0"}),
            "plan format_version '2.0' is not supported",
        ),
        "numeric version": (json.dumps({**plan, "format_version": 1.0}), "is not supported"),
        "state": (
            json.dumps({"format_version": "1.0", "values": {"root_module": {}}}),
            "this is Terraform state, not a plan",
        ),
        "planned values only": (
            json.dumps({k: v for k, v in plan.items() if k != "resource_changes"}),
            "planned_values but no resource_changes",
        ),
        "changes not a list": (
            json.dumps({**plan, "resource_changes": {"a": 1}}),
            "resource_changes must be a list of objects",
        ),
    }


@pytest.mark.parametrize("case", sorted(_broken_plans()))
def test_bad_input_is_an_error_naming_the_file_exit_2(comply, tmp_path, case):
    text, message = _broken_plans()[case]
    plan = tmp_path / "broken-plan.json"
    plan.write_text(text)
    result = comply("scan", "terraform-plan", plan, "-o", "json")
    assert result.exit_code == 2, result.stderr
    document = result.json()
    assert [e["target"] for e in document["errors"]] == ["broken-plan.json"]
    assert message in document["errors"][0]["message"]
    assert document["findings"] == []


def test_one_malformed_resource_change_is_an_error_and_the_rest_is_judged(comply, tmp_path):
    plan = json.loads(PLAN.read_text())
    plan["resource_changes"][0] = {"address": "aws_kms_key.rotated", "mode": "managed"}
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    result = comply("scan", "terraform-plan", path, "--config-dir", STACK, "-o", "json")
    assert result.exit_code == 2
    document = result.json()
    assert len(document["errors"]) == 1
    assert document["errors"][0]["target"].endswith("/plan.json")  # relative to --config-dir
    assert "aws_kms_key.rotated: unexpected structure" in document["errors"][0]["message"]
    assert statuses(document, "kms_key_rotation_enabled")["aws_kms_key.unrotated"] == "fail"


def test_companion_instances_fold_into_the_same_instance_of_their_parent(comply):
    plan = FIXTURES / "terraform_plan" / "instances" / "plan.json"
    result = comply("scan", "terraform-plan", plan, "-o", "json")
    assert result.exit_code == 1, result.stderr
    document = result.json()
    assert statuses(document, "s3_bucket_versioning_enabled") == {
        "aws_s3_bucket.counted[0]": "pass",  # bucket = aws_s3_bucket.counted[count.index].id
        "aws_s3_bucket.counted[1]": "fail",
        'aws_s3_bucket.keyed["claims"]': "pass",  # for_each = aws_s3_bucket.keyed, each.value.id
        'aws_s3_bucket.keyed["imaging"]': "fail",
        # aws_s3_bucket.reversed[1 - count.index]: which rule is whose is not tied: unknown on
        # both, never "versioning is on" for the wrong bucket
        "aws_s3_bucket.reversed[0]": "unknown",
        "aws_s3_bucket.reversed[1]": "unknown",
    }


def test_plan_ids_match_a_configuration_scan_of_the_same_folder(comply, tmp_path):
    import subprocess

    repository = tmp_path / "repo"
    shutil.copytree(STACK, repository / "infra")
    subprocess.run(["git", "init", "-q", str(repository)], check=True)
    plan = comply("scan", "terraform-plan", repository / "infra" / "plan.json", "-o", "json")
    config = comply("scan", "terraform", repository / "infra", "-o", "json", "--no-cache")
    plan_ids = {f["resource"]["id"] for f in plan.json()["findings"]}
    config_ids = {f["resource"]["id"] for f in config.json()["findings"]}
    assert "infra:aws_kms_key.unrotated" in plan_ids & config_ids
    assert 'infra:aws_kms_key.per_region["us"]' in plan_ids


def test_an_errored_plan_is_judged_but_exits_2(comply, tmp_path):
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({**json.loads(PLAN.read_text()), "errored": True}))
    result = comply("scan", "terraform-plan", plan, "--config-dir", STACK, "-o", "json")
    assert result.exit_code == 2
    document = result.json()
    assert len(document["errors"]) == 1
    assert "could not finish this plan (errored: true)" in document["errors"][0]["message"]
    assert statuses(document, "kms_key_rotation_enabled")["aws_kms_key.unrotated"] == "fail"


def test_an_incomplete_plan_is_a_warning(comply, tmp_path):
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({**json.loads(PLAN.read_text()), "complete": False}))
    result = comply("scan", "terraform-plan", plan, "--config-dir", STACK, "-o", "json")
    assert result.exit_code == 1, result.stderr
    warnings = [w["message"] for w in result.json()["warnings"]]
    assert any("the plan is not complete (complete: false" in w for w in warnings)


def test_resources_of_installed_modules_point_at_the_installed_files(tmp_path):
    from scanner.sources.terraform.plan import load_terraform_plan

    root = tmp_path / "stack"
    shutil.copytree(FIXTURES / "terraform_source" / "installed_modules", root)
    after = {"description": "managed by terraform", "enable_key_rotation": False}
    change = {
        "address": "module.kms_unrotated.aws_kms_key.this",
        "module_address": "module.kms_unrotated",
        "mode": "managed",
        "type": "aws_kms_key",
        "name": "this",
        "provider_name": "registry.terraform.io/hashicorp/aws",
        "change": {"actions": ["create"], "before": None, "after": after,
                   "after_unknown": {"arn": True, "id": True}, "after_sensitive": {}},
    }  # fmt: skip
    plan = {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "planned_values": {"root_module": {"child_modules": []}},
        "resource_changes": [change],
        "configuration": {"root_module": {}},
    }
    (root / "plan.json").write_text(json.dumps(plan))
    result = load_terraform_plan(root / "plan.json")
    assert result.errors == []
    (key,) = result.resources
    assert key.id == "module.kms_unrotated.aws_kms_key.this"
    assert key.location.file == ".terraform/modules/kms_unrotated/main.tf"
    assert (key.location.start_line, key.location.end_line) == (10, 13)
    assert key.attributes["enable_key_rotation"] is False
