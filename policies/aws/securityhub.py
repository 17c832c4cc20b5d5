"""Security Hub in every region (live AWS only: an `aws_securityhub_account` block can only say
the hub is on; a region without one is invisible resource by resource)."""

from __future__ import annotations

from scanner.core.model import Resource, Result, is_unknown
from scanner.core.registry import check


@check(
    id="securityhub_account_enabled",
    title="Security Hub is enabled in every scanned region",
    severity="medium",
    resource_types=["aws_securityhub_account"],
    references={"aws_config": ["securityhub-enabled"]},
    sources=["aws"],
)
def securityhub_account_enabled(hub: Resource) -> Result:
    """Security Hub gathers GuardDuty, Config, Inspector and its own control findings into one
    place to review and route; a region without it is a region whose findings nobody triages
    (security incident procedures, evaluation). One finding per scanned region; unknown when
    DescribeHub was refused.

    Remediation: enable it in every region (`aws securityhub enable-security-hub`, or Terraform
    per region provider):

        resource "aws_securityhub_account" "this" {}
    """
    enabled = hub.get("enabled")
    if is_unknown(enabled):
        return Result.unknown(f"the hub could not be described: {enabled.reason}")
    if enabled:
        return Result.passed(f"Security Hub is enabled in {hub.location.region}")
    return Result.failed(f"Security Hub is not enabled in {hub.location.region}")
