"""VPC network monitoring."""

from __future__ import annotations

from scanner.core.model import Resource, Result
from scanner.core.registry import check


@check(
    id="vpc_flow_logs_enabled",
    title="VPCs have at least one flow log",
    severity="medium",
    resource_types=["aws_vpc"],
    references={"checkov": ["CKV2_AWS_11"], "aws_config": ["vpc-flow-logs-enabled"]},
)
def vpc_flow_logs_enabled(vpc: Resource) -> Result:
    """Flow logs record which addresses talked to which, on which ports; without them a network
    intrusion or data exfiltration leaves no trace to investigate.

    The VPC carries the folded `aws_flow_log` resources that reference it (`flow_logs`).

    Remediation:

        resource "aws_flow_log" "main" {
          vpc_id          = aws_vpc.main.id
          traffic_type    = "ALL"
          log_destination = aws_cloudwatch_log_group.flow.arn
          iam_role_arn    = aws_iam_role.flow_logs.arn
        }
    """
    flow_logs = vpc.get("flow_logs") or []
    if not flow_logs:
        return Result.failed("no flow log is attached to the VPC")
    traffic = ", ".join(str(log.get("traffic_type", "ALL")) for log in flow_logs)
    return Result.passed(f"{len(flow_logs)} flow log(s) attached (traffic: {traffic})")
