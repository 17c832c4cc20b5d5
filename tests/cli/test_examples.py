"""End-to-end over the bundled example stack that `make demo` scans."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from tests.conftest import FIXTURES, REPO_ROOT

EXAMPLE = REPO_ROOT / "examples" / "terraform"
# Ids are relative to the repository: in a clone, the example's root module carries its folder.
LABEL = "examples/terraform:" if (REPO_ROOT / ".git").exists() else ""

# Every finding that is not a pass, exactly: the example's deliberate gaps, its one suppression
# and its one unresolved variable. A change to the loader or a check that moves any of these shows.
EXPECTED_NON_PASSING = {
    ("fail", "backup_data_store_in_backup_plan", "aws_db_instance.reporting_replica"),
    ("fail", "backup_data_store_in_backup_plan", "aws_dynamodb_table.portal_sessions"),
    ("fail", "elb_application_load_balancer_invalid_headers_dropped", "aws_lb.internal_tools"),
    ("fail", "elb_load_balancer_access_logging_enabled", "aws_lb.internal_tools"),
    ("fail", "elb_load_balancer_deletion_protection_enabled", "aws_lb.internal_tools"),
    ("fail", "rds_instance_cloudwatch_logs_exported", "aws_db_instance.reporting_replica"),
    ("fail", "cloudwatch_log_group_encrypted_with_kms", "aws_cloudwatch_log_group.batch_jobs"),
    ("fail", "cloudwatch_log_group_retention_365_days", "aws_cloudwatch_log_group.batch_jobs"),
    ("fail", "dynamodb_table_encrypted_with_kms", "aws_dynamodb_table.portal_sessions"),
    ("fail", "dynamodb_table_point_in_time_recovery_enabled", "aws_dynamodb_table.portal_sessions"),
    ("fail", "ec2_security_group_ssh_not_open_to_internet", "aws_security_group.bastion"),
    ("fail", "elb_listener_encrypted_in_transit", "aws_lb_listener.care_dashboard_http"),
    ("fail", "iam_policy_no_full_admin_privileges", "aws_iam_policy.legacy_admin"),
    ("fail", "kms_key_rotation_enabled", "aws_kms_key.reporting"),
    ("fail", "rds_instance_backup_retention_7_days", "aws_db_instance.reporting_replica"),
    ("fail", "rds_instance_deletion_protection_enabled", "aws_db_instance.reporting_replica"),
    ("fail", "rds_instance_iam_auth_enabled", "aws_db_instance.reporting_replica"),
    ("fail", "rds_instance_multi_az_enabled", "aws_db_instance.reporting_replica"),
    ("fail", "rds_instance_not_publicly_accessible", "aws_db_instance.reporting_replica"),
    ("fail", "rds_instance_storage_encrypted", "aws_db_instance.reporting_replica"),
    ("fail", "s3_bucket_access_logging_enabled", "aws_s3_bucket.marketing_site"),
    ("fail", "s3_bucket_access_logging_enabled", "module.claims_exports.aws_s3_bucket.this"),
    ("fail", "s3_bucket_encrypted_at_rest", "aws_s3_bucket.marketing_site"),
    ("fail", "s3_bucket_encrypted_with_kms_cmk", "aws_s3_bucket.access_logs"),
    ("fail", "s3_bucket_encrypted_with_kms_cmk", "aws_s3_bucket.marketing_site"),
    ("fail", "s3_bucket_encrypted_with_kms_cmk", "module.claims_exports.aws_s3_bucket.this"),
    ("fail", "s3_bucket_policy_not_public", "aws_s3_bucket.marketing_site"),
    ("fail", "s3_bucket_public_access_blocked", "aws_s3_bucket.legacy_lab_results"),
    ("fail", "s3_bucket_public_access_blocked", "aws_s3_bucket.marketing_site"),
    ("fail", "s3_bucket_secure_transport_required", "aws_s3_bucket.legacy_lab_results"),
    ("fail", "s3_bucket_secure_transport_required", "aws_s3_bucket.marketing_site"),
    ("fail", "s3_bucket_secure_transport_required", "module.claims_exports.aws_s3_bucket.this"),
    ("fail", "s3_bucket_versioning_enabled", "aws_s3_bucket.marketing_site"),
    ("fail", "s3_bucket_versioning_enabled", "module.claims_exports.aws_s3_bucket.this"),
    ("fail", "vpc_flow_logs_enabled", "aws_vpc.analytics_sandbox"),
    ("skipped", "s3_bucket_access_logging_enabled", "aws_s3_bucket.access_logs"),
    ("unknown", "ebs_volume_encrypted", "aws_ebs_volume.imaging_scratch"),
}


def test_example_findings_are_exactly_the_deliberate_ones(comply):
    result = comply("scan", "terraform", EXAMPLE, "-o", "json", "--no-cache")
    assert result.exit_code == 1, result.stderr
    document = result.json()
    assert document["errors"] == []
    non_passing = {
        (f["status"], f["check_id"], f["resource"]["id"])
        for f in document["findings"]
        if f["status"] != "pass"
    }
    assert non_passing == {(s, c, LABEL + r) for s, c, r in EXPECTED_NON_PASSING}
    # The compliant module instance passes every S3 check it is subject to.
    compliant = [
        f
        for f in document["findings"]
        if f["resource"]["id"] == LABEL + "module.patient_documents.aws_s3_bucket.this"
    ]
    assert len(compliant) >= 8
    assert {f["status"] for f in compliant} == {"pass"}


def test_demo_command_exits_zero_and_prints_findings(comply):
    result = comply("scan", "terraform", EXAMPLE, "--soft-fail", "--no-cache")
    assert result.exit_code == 0, result.stderr
    assert "aws_db_instance.reporting_replica" in result.stdout
    assert "hipaa:" in result.stdout and "soc2:" in result.stdout


def test_example_sarif_is_valid(comply, tmp_path: Path):
    sarif_path = tmp_path / "results.sarif"
    result = comply(
        "scan",
        "terraform",
        "examples/terraform",
        "-o",
        f"sarif={sarif_path}",
        "--no-cache",
        cwd=REPO_ROOT,
    )
    assert result.exit_code == 1
    sarif = json.loads(sarif_path.read_text())
    schema = json.loads((FIXTURES / "sarif" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.validate(sarif, schema)
    results = sarif["runs"][0]["results"]
    assert len(results) == sum(1 for s, _, _ in EXPECTED_NON_PASSING if s == "fail") + 1
    suppressed = [r for r in results if r.get("suppressions")]
    assert [r["ruleId"] for r in suppressed] == ["s3_bucket_access_logging_enabled"]
    for r in results:
        uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri.startswith("examples/terraform/"), uri
        assert (REPO_ROOT / uri).is_file()
