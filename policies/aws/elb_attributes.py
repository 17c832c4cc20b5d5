"""Load balancer attributes: access logs, deletion protection, invalid header handling."""

from __future__ import annotations

from typing import Any

from scanner.core.model import Resource, Result, is_reference, is_unknown
from scanner.core.registry import check


def _lb_type(balancer: Resource) -> Any:
    """`application` (the provider default), `network`, `gateway`, or an unresolved value."""
    value = balancer.get("load_balancer_type")
    return "application" if value is None else value


def _is_application_lb(balancer: Resource) -> bool:
    """ALBs, and load balancers whose type is not known (they are judged, and come out unknown)."""
    if balancer.type != "aws_lb":
        return False
    value = _lb_type(balancer)
    return is_unknown(value) or is_reference(value) or value == "application"


@check(
    id="elb_load_balancer_access_logging_enabled",
    title="Load balancers write access logs",
    severity="medium",
    resource_types=["aws_lb", "aws_elb"],
    references={"checkov": ["CKV_AWS_91", "CKV_AWS_92"], "aws_config": ["elb-logging-enabled"]},
)
def elb_load_balancer_access_logging_enabled(balancer: Resource) -> Result:
    """Access logs record every request (client, path, status, TLS version) that reached the
    application; without them there is no record of who accessed the service that serves ePHI.

    Defaults: `aws_lb` `access_logs.enabled` is false even when a bucket is named; `aws_elb`
    `access_logs.enabled` is true once the block is present. Gateway Load Balancers have no
    access logs (not applicable, passes).

    Remediation:

        resource "aws_lb" "portal" {
          access_logs {
            bucket  = aws_s3_bucket.lb_logs.id
            enabled = true
          }
        }
    """
    if balancer.type == "aws_lb":
        kind = _lb_type(balancer)
        if is_unknown(kind) or is_reference(kind):
            return Result.unknown(f"load_balancer_type is not known ({kind})")
        if kind == "gateway":
            return Result.passed("not applicable: Gateway Load Balancers have no access logs")
    logs = balancer.get("access_logs")
    if is_unknown(logs):
        return Result.unknown(f"access_logs is not known ({logs})")
    if not logs:
        return Result.failed("no access_logs block: access logging is off")
    default = balancer.type == "aws_elb"
    if balancer.get_bool("access_logs.0.enabled", default):
        bucket = balancer.get("access_logs.0.bucket")
        named = f" to {bucket}" if isinstance(bucket, str) and not is_reference(bucket) else ""
        return Result.passed(f"access logs are written{named}")
    return Result.failed("access_logs.enabled is false: access logging is off")


@check(
    id="elb_load_balancer_deletion_protection_enabled",
    title="Load balancers have deletion protection enabled",
    severity="low",
    resource_types=["aws_lb"],
    references={"checkov": ["CKV_AWS_150"], "aws_config": ["elb-deletion-protection-enabled"]},
)
def elb_load_balancer_deletion_protection_enabled(balancer: Resource) -> Result:
    """Deleting the load balancer takes the service offline and frees its DNS name; deletion
    protection turns an accidental destroy into an error.

    Default: `enable_deletion_protection` is false.

    Remediation:

        resource "aws_lb" "portal" {
          enable_deletion_protection = true
        }
    """
    if balancer.get_bool("enable_deletion_protection", False):
        return Result.passed("deletion protection is enabled")
    return Result.failed("enable_deletion_protection is not true")


@check(
    id="elb_application_load_balancer_invalid_headers_dropped",
    title="Application Load Balancers drop invalid HTTP header fields",
    severity="medium",
    resource_types=["aws_lb"],
    references={
        "checkov": ["CKV_AWS_131"],
        "aws_config": ["alb-http-drop-invalid-header-enabled"],
    },
    applies_to=_is_application_lb,
)
def elb_application_load_balancer_invalid_headers_dropped(balancer: Resource) -> Result:
    """Headers with invalid names pass through to targets by default; request-smuggling and
    header-injection attacks rely on front end and back end parsing them differently.

    Default: `drop_invalid_header_fields` is false. Only Application Load Balancers have it.

    Remediation:

        resource "aws_lb" "portal" {
          drop_invalid_header_fields = true
        }
    """
    kind = _lb_type(balancer)
    if is_unknown(kind) or is_reference(kind):
        return Result.unknown(f"load_balancer_type is not known ({kind})")
    if balancer.get_bool("drop_invalid_header_fields", False):
        return Result.passed("invalid header fields are dropped")
    return Result.failed("drop_invalid_header_fields is not true: invalid headers reach targets")
