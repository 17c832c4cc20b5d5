"""CloudTrail trail configuration: coverage, integrity, encryption and monitoring."""

from __future__ import annotations

from scanner.core.model import Resource, Result
from scanner.core.registry import check


@check(
    id="cloudtrail_trail_multi_region_enabled",
    title="CloudTrail trails record events in every region",
    severity="high",
    resource_types=["aws_cloudtrail"],
    references={"checkov": ["CKV_AWS_67"], "aws_config": ["multi-region-cloudtrail-enabled"]},
)
def cloudtrail_trail_multi_region_enabled(trail: Resource) -> Result:
    """A single-region trail misses API activity in every other region, including regions an
    attacker picks precisely because nobody watches them.

    Default: `is_multi_region_trail` is false.

    Remediation:

        resource "aws_cloudtrail" "main" {
          is_multi_region_trail = true
        }
    """
    if trail.get_bool("is_multi_region_trail", False):
        return Result.passed("is_multi_region_trail is true")
    return Result.failed("trail records only its home region (is_multi_region_trail is false)")


@check(
    id="cloudtrail_trail_log_file_validation_enabled",
    title="CloudTrail trails have log file integrity validation enabled",
    severity="medium",
    resource_types=["aws_cloudtrail"],
    references={
        "checkov": ["CKV_AWS_36"],
        "aws_config": ["cloud-trail-log-file-validation-enabled"],
    },
)
def cloudtrail_trail_log_file_validation_enabled(trail: Resource) -> Result:
    """Signed digest files let you prove that audit logs were not modified or deleted after
    delivery, which is what makes them usable as evidence.

    Default: `enable_log_file_validation` is false.

    Remediation:

        resource "aws_cloudtrail" "main" {
          enable_log_file_validation = true
        }
    """
    if trail.get_bool("enable_log_file_validation", False):
        return Result.passed("enable_log_file_validation is true")
    return Result.failed("log file validation is disabled: log integrity cannot be proven")


@check(
    id="cloudtrail_trail_encrypted_with_kms",
    title="CloudTrail trails encrypt log files with a KMS key",
    severity="medium",
    resource_types=["aws_cloudtrail"],
    references={"checkov": ["CKV_AWS_35"], "aws_config": ["cloud-trail-encryption-enabled"]},
)
def cloudtrail_trail_encrypted_with_kms(trail: Resource) -> Result:
    """With SSE-KMS, reading the audit logs needs decrypt permission on a key you control, on
    top of S3 read access: the logs describe your whole environment.

    Default: without `kms_key_id` logs are encrypted with SSE-S3 only.

    Remediation:

        resource "aws_cloudtrail" "main" {
          kms_key_id = aws_kms_key.cloudtrail.arn
        }
    """
    key = trail.get("kms_key_id")
    if key:
        return Result.passed(f"log files are encrypted with {key}")
    return Result.failed("kms_key_id is not set: log files use SSE-S3 only")


@check(
    id="cloudtrail_trail_cloudwatch_logs_enabled",
    title="CloudTrail trails deliver events to CloudWatch Logs",
    severity="medium",
    resource_types=["aws_cloudtrail"],
    references={"checkov": ["CKV2_AWS_10"], "aws_config": ["cloud-trail-cloud-watch-logs-enabled"]},
)
def cloudtrail_trail_cloudwatch_logs_enabled(trail: Resource) -> Result:
    """Delivering events to CloudWatch Logs makes them searchable in near real time and lets
    metric filters and alarms flag suspicious activity, rather than only archiving it to S3.

    Remediation: point the trail at a log group and a role CloudTrail can assume:

        resource "aws_cloudtrail" "main" {
          cloud_watch_logs_group_arn = "${aws_cloudwatch_log_group.trail.arn}:*"
          cloud_watch_logs_role_arn  = aws_iam_role.cloudtrail_to_logs.arn
        }
    """
    group = trail.get("cloud_watch_logs_group_arn")
    if not group:
        return Result.failed("cloud_watch_logs_group_arn is not set: events go to S3 only")
    if not trail.get("cloud_watch_logs_role_arn"):
        return Result.failed("cloud_watch_logs_role_arn is not set: CloudTrail cannot deliver")
    return Result.passed(f"events are delivered to {group}")


@check(
    id="cloudtrail_trail_logging_enabled",
    title="CloudTrail trails are logging",
    severity="high",
    resource_types=["aws_cloudtrail"],
    references={"aws_config": ["cloudtrail-enabled"]},
)
def cloudtrail_trail_logging_enabled(trail: Resource) -> Result:
    """A trail that is stopped records nothing: every other trail setting (multi-region,
    validation, encryption) then protects an empty log, and activity on ePHI systems goes unseen.

    Default: `enable_logging` is true in Terraform; a live trail reports it as `IsLogging`.

    Remediation: start the trail (`aws cloudtrail start-logging --name TRAIL`), or in Terraform:

        resource "aws_cloudtrail" "main" {
          enable_logging = true
        }
    """
    if trail.get_bool("enable_logging", True):
        return Result.passed("the trail is logging")
    return Result.failed("the trail is stopped (enable_logging is false): no events are recorded")
