"""CloudWatch Logs log groups: retention and encryption."""

from __future__ import annotations

from scanner.core.model import Resource, Result
from scanner.core.registry import check

MIN_RETENTION_DAYS = 365


@check(
    id="cloudwatch_log_group_retention_365_days",
    title="CloudWatch log groups keep logs for at least 365 days",
    severity="medium",
    resource_types=["aws_cloudwatch_log_group"],
    references={"checkov": ["CKV_AWS_338"], "aws_config": ["cw-loggroup-retention-period-check"]},
)
def cloudwatch_log_group_retention_365_days(group: Resource) -> Result:
    """Audit logs must outlive the incident they help investigate and the audit period they
    evidence; a short retention silently deletes them.

    Default: `retention_in_days` absent or 0 means logs never expire, which passes.

    Remediation:

        resource "aws_cloudwatch_log_group" "app" {
          retention_in_days = 365
        }
    """
    days = group.get_number("retention_in_days", 0)
    if days == 0:
        return Result.passed("retention_in_days is not limited: logs never expire")
    if days >= MIN_RETENTION_DAYS:
        return Result.passed(f"retention_in_days is {days}")
    return Result.failed(f"retention_in_days is {days}, below {MIN_RETENTION_DAYS}")


@check(
    id="cloudwatch_log_group_encrypted_with_kms",
    title="CloudWatch log groups are encrypted with a customer-managed KMS key",
    severity="low",
    resource_types=["aws_cloudwatch_log_group"],
    references={"checkov": ["CKV_AWS_158"], "aws_config": ["cloudwatch-log-group-encrypted"]},
)
def cloudwatch_log_group_encrypted_with_kms(group: Resource) -> Result:
    """Logs can carry ePHI (request bodies, identifiers). CloudWatch encrypts them with a service
    key by default; a customer key adds key-policy control and auditable decrypt events.

    Remediation: give the log group a KMS key whose policy allows the logs service:

        resource "aws_cloudwatch_log_group" "app" {
          kms_key_id = aws_kms_key.logs.arn
        }
    """
    key = group.get("kms_key_id")
    if key:
        return Result.passed(f"log group is encrypted with {key}")
    return Result.failed("kms_key_id is not set: the log group uses the service-owned key")
