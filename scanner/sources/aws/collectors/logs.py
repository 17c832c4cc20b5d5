"""CloudWatch Logs log groups: retention and encryption key."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from scanner.core.model import Location, Resource
from scanner.sources.aws.collector import CallRecorder, ClientFactory, Collector, RawService


def collect(
    clients: ClientFactory, recorder: CallRecorder, account: str, region: str
) -> dict[str, Any]:
    logs = clients("logs", region)
    return {"log_groups": recorder.paginate(logs, "describe_log_groups", "logGroups")}


def _arn(group: Mapping[str, Any]) -> str:
    # `arn` ends in ":*" (it names the group's streams); Terraform's arn and `logGroupArn` don't.
    if group.get("logGroupArn"):
        return str(group["logGroupArn"])
    return str(group["arn"]).removesuffix(":*")


def _attributes(group: Mapping[str, Any]) -> dict[str, Any]:
    attributes: dict[str, Any] = {"name": group.get("logGroupName")}
    # The API omits retentionInDays when logs never expire; so does Terraform (absent or 0).
    if group.get("retentionInDays") is not None:
        attributes["retention_in_days"] = group["retentionInDays"]
    # Without kmsKeyId the group is encrypted with a key CloudWatch Logs owns.
    if group.get("kmsKeyId"):
        attributes["kms_key_id"] = group["kmsKeyId"]
    if group.get("logGroupClass"):
        attributes["log_group_class"] = group["logGroupClass"]
    return attributes


def normalize(raw: RawService) -> Iterable[Resource]:
    location = Location(account=raw.account, region=raw.region)
    groups = raw.data.get("log_groups")
    for group in groups if isinstance(groups, list) else []:
        yield Resource(
            type="aws_cloudwatch_log_group",
            id=_arn(group),
            source="aws",
            location=location,
            attributes=_attributes(group),
            raw=dict(group),
        )


COLLECTOR = Collector(
    name="logs",
    actions=("logs:DescribeLogGroups",),
    scope="regional",
    collect=collect,
    normalize=normalize,
    resource_types=("aws_cloudwatch_log_group",),
)
