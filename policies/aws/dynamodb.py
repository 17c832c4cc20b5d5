"""DynamoDB tables: backups and encryption key."""

from __future__ import annotations

from scanner.core.model import Resource, Result
from scanner.core.registry import check


@check(
    id="dynamodb_table_point_in_time_recovery_enabled",
    title="DynamoDB tables have point-in-time recovery enabled",
    severity="medium",
    resource_types=["aws_dynamodb_table"],
    references={"checkov": ["CKV_AWS_28"], "aws_config": ["dynamodb-pitr-enabled"]},
)
def dynamodb_table_point_in_time_recovery_enabled(table: Resource) -> Result:
    """Point-in-time recovery keeps continuous backups for 35 days, so a bad write or a deleted
    item can be restored to any second in that window.

    Default: `point_in_time_recovery.enabled` is false.

    Remediation:

        resource "aws_dynamodb_table" "phi" {
          point_in_time_recovery { enabled = true }
        }
    """
    if table.get_bool("point_in_time_recovery.0.enabled", False):
        return Result.passed("point-in-time recovery is enabled")
    return Result.failed("point-in-time recovery is not enabled")


@check(
    id="dynamodb_table_encrypted_with_kms",
    title="DynamoDB tables encrypt with a KMS key rather than the AWS-owned key",
    severity="low",
    resource_types=["aws_dynamodb_table"],
    references={"checkov": ["CKV_AWS_119"], "aws_config": ["dynamodb-table-encrypted-kms"]},
)
def dynamodb_table_encrypted_with_kms(table: Resource) -> Result:
    """Tables are always encrypted, but with the default AWS-owned key nobody in the account can
    see or restrict its use; a KMS key (customer-managed, or aws/dynamodb) makes every decrypt
    visible in CloudTrail and, for a customer key, controllable by key policy.

    Default: without `server_side_encryption { enabled = true }` the AWS-owned key is used.

    Remediation:

        resource "aws_dynamodb_table" "phi" {
          server_side_encryption {
            enabled     = true
            kms_key_arn = aws_kms_key.dynamodb.arn
          }
        }
    """
    if not table.get_bool("server_side_encryption.0.enabled", False):
        return Result.failed(
            "encrypted with the AWS-owned key (server_side_encryption not enabled)"
        )
    key = table.get("server_side_encryption.0.kms_key_arn")
    if key:
        return Result.passed(f"encrypted with KMS key {key}")
    return Result.passed("encrypted with the AWS-managed KMS key aws/dynamodb")
