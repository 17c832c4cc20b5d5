"""Variables, tfvars precedence, locals, interpolation, references, modules, count."""

from __future__ import annotations

from scanner.core.model import ComputedRef, is_reference, is_unknown


def test_tfvars_precedence_defaults_tfvars_auto_and_var_files(load, by_id, fixtures_dir):
    result = load(
        "variables",
        var_files=[
            fixtures_dir / "variables" / "extra.tfvars",
            fixtures_dir / "variables" / "later.tfvars",
        ],
    )
    assert result.errors == []
    group = by_id(result)["aws_cloudwatch_log_group.app"]
    assert group.attributes["name"] == "app-prod"  # terraform.tfvars beats the default
    assert group.attributes["retention_in_days"] == 30  # no default, set by terraform.tfvars
    assert group.attributes["tags"] == {
        "from_tfvars": "tfvars",
        "from_auto": "auto",  # *.auto.tfvars beats terraform.tfvars
        "from_auto_json": "auto_json",  # later auto file (lexical order) wins
        "from_var_file": "var_file_2",  # var files come last, later one wins
        "only_default": "kept",
    }


def test_without_var_files_auto_tfvars_win(load, by_id):
    tags = by_id(load("variables"))["aws_cloudwatch_log_group.app"].attributes["tags"]
    assert tags["from_var_file"] == "auto_json"


def test_locals_interpolation_and_functions(load, by_id):
    db = by_id(load("locals"))["aws_db_instance.main"].attributes
    assert db["identifier"] == "phi-prod-records"
    assert db["storage_encrypted"] is True
    assert db["backup_retention_period"] == 365
    assert db["tags"] == {"Environment": "prod", "Team": "platform", "Name": "phi-prod-db"}
    assert db["engine"] == "postgres"
    assert db["name_list"] == "A,B"
    assert db["fallback"] == "x"
    assert db["lookup_value"] == "platform"
    assert db["size"] == 20
    assert db["literal"] == "${not_interpolated}"
    assert is_unknown(db["not_supported"])
    assert "timestamp()" in db["not_supported"].reason


def test_unresolved_variable_is_unknown_and_spreads(load, by_id):
    db = by_id(load("unresolved"))["aws_db_instance.main"].attributes
    assert db["storage_encrypted"] is True
    for key in ("kms_key_id", "identifier", "multi_az"):
        assert is_unknown(db[key]), key
        assert db[key].reason == "var.kms_key_arn has no value"


def test_references_resolve_literals_and_computed_attributes(load, by_id):
    db = by_id(load("references"))["aws_db_instance.main"].attributes
    assert db["identifier"] == "phi-source"  # the target sets `bucket` literally
    assert db["description"] == "phi"
    assert db["storage_encrypted"] is True
    assert is_reference(db["kms_key_id"])
    assert db["kms_key_id"] == ComputedRef("aws_kms_key.phi.arn")
    assert is_reference(db["alias_target"])
    assert db["alias_target"] == "data.aws_kms_alias.s3.target_key_arn"
    assert db["alias_name"] == "alias/aws/s3"
    assert is_reference(db["arn_suffix"])


def test_local_modules_inputs_nested_addresses_and_outputs(load, by_id):
    result = load("modules")
    resources = by_id(result)
    assert set(resources) == {
        "aws_cloudwatch_log_group.app",
        "module.storage.aws_kms_key.k",
        "module.storage.aws_s3_bucket.b",
        "module.storage.module.logs.aws_s3_bucket.logs",
    }
    bucket = resources["module.storage.aws_s3_bucket.b"]
    assert bucket.attributes["bucket"] == "phi-prod-data"
    assert bucket.attributes["versioning"] == {"enabled": True, "mfa_delete": None}
    assert bucket.location.file == "modules/storage/main.tf"
    assert bucket.location.start_line == 11
    nested = resources["module.storage.module.logs.aws_s3_bucket.logs"]
    assert nested.attributes["bucket"] == "phi-prod-data-logs"
    assert nested.location.file == "modules/storage/nested/main.tf"
    group = resources["aws_cloudwatch_log_group.app"].attributes
    assert group["name"] == "phi-prod-data"  # module output resolving to a literal
    assert group["kms_key_id"] == ComputedRef("module.storage.aws_kms_key.k.arn")
    assert is_unknown(group["vpc"])  # output of a remote module


def test_remote_module_is_a_warning_naming_it(load, by_id):
    result = load("modules")
    assert result.errors == []
    assert [w.line for w in result.warnings] == [13]
    assert "module.vpc" in result.warnings[0].message
    assert "terraform-aws-modules/vpc/aws" in result.warnings[0].message


def test_count_and_for_each(load, by_id):
    resources = by_id(load("count"))
    assert set(resources) == {
        "aws_s3_bucket.one[0]",
        "aws_s3_bucket.many[0]",
        "aws_s3_bucket.many[1]",
        "aws_s3_bucket.many[2]",
        "aws_s3_bucket.maybe",
        'aws_s3_bucket.each["phi"]',
    }
    assert resources["aws_s3_bucket.one[0]"].attributes["bucket"] == "one-0"
    assert [resources[f"aws_s3_bucket.many[{i}]"].attributes["bucket"] for i in range(3)] == [
        "many-0",
        "many-1",
        "many-2",
    ]
    each = resources['aws_s3_bucket.each["phi"]']
    assert each.attributes["bucket"] == "phi-bucket"
    assert each.attributes["tags"] == {"key": "phi"}
    assert each.location.start_line == 42  # every instance points at its block


def test_tf_json_is_loaded_like_hcl(load, by_id):
    result = load("tfjson")
    assert result.errors == []
    resources = by_id(result)
    bucket = resources["aws_s3_bucket.phi"]
    assert bucket.attributes["bucket"] == "phi-prod"
    assert bucket.attributes["versioning"] == {"enabled": True, "mfa_delete": None}
    assert bucket.attributes["server_side_encryption"]["sse_algorithm"] == "aws:kms"
    assert bucket.location.file == "main.tf.json"
    assert bucket.location.start_line == 10
    assert resources["aws_db_instance.db"].attributes == {"storage_encrypted": True}


def test_single_file_path(load, by_id):
    result = load("references/main.tf")
    assert "aws_db_instance.main" in by_id(result)
    assert result.files_scanned == 1
    assert by_id(result)["aws_db_instance.main"].location.file == "main.tf"


def test_resources_have_source_and_jsonable_raw(load, by_id):
    import json

    for resource in load("s3_companions").resources:
        assert resource.source == "terraform"
        json.dumps(resource.raw)


def test_data_source_results_are_computed_not_their_arguments(tmp_path):
    """A data source's arguments are its query: an unknown query argument does not make its
    results unknown, and a result is never read from an argument of another meaning."""
    from scanner.sources.terraform import load_terraform

    (tmp_path / "main.tf").write_text(
        'variable "vpc_id" {}\n'
        'data "aws_vpc" "selected" {\n  id = var.vpc_id\n}\n'
        'data "aws_iam_session_context" "current" {\n  arn = "arn:aws:sts::1:assumed-role/r/s"\n}\n'
        'resource "aws_sqs_queue" "q" {\n'
        "  name              = data.aws_vpc.selected.id\n"
        "  kms_master_key_id = data.aws_iam_session_context.current.issuer_arn\n}\n"
        'resource "aws_kms_key" "k" {\n  description = var.vpc_id == null ? "a" : "b"\n'
        "  customer_master_key_spec = null\n}\n"
        'resource "aws_sns_topic" "t" {\n  name = aws_kms_key.k.customer_master_key_spec\n}\n',
        encoding="utf-8",
    )
    resources = {r.id: r for r in load_terraform(tmp_path).resources}
    queue = resources["aws_sqs_queue.q"].attributes
    assert queue["name"] == ComputedRef("data.aws_vpc.selected.id")
    assert queue["kms_master_key_id"] == ComputedRef(
        "data.aws_iam_session_context.current.issuer_arn"
    )
    key = resources["aws_kms_key.k"].attributes
    assert "customer_master_key_spec" not in key  # null is absent: the provider default applies
    # a reference to an argument set to null is the provider's value, known at apply
    assert resources["aws_sns_topic.t"].attributes["name"] == ComputedRef(
        "aws_kms_key.k.customer_master_key_spec"
    )
