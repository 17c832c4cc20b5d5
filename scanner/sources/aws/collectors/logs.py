"""CloudWatch Logs log groups (retention and encryption key) and metric filters (the CIS alarm
set reads them: policies/aws/cloudwatch_alarms.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from scanner.core.model import Location, Resource
from scanner.sources.aws.collector import (
    CallRecorder,
    ClientFactory,
    Collector,
    RawService,
    partition_for,
    unknown_from,
)
from scanner.sources.aws.collectors._unlisted import unlisted_placeholder


def collect(
    clients: ClientFactory, recorder: CallRecorder, account: str, region: str
) -> dict[str, Any]:
    logs = clients("logs", region)
    return {
        "log_groups": recorder.paginate(logs, "describe_log_groups", "logGroups"),
        # One region-wide listing (paginated), not one call per log group.
        "metric_filters": recorder.paginate(logs, "describe_metric_filters", "metricFilters"),
    }


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


def _metric_filter(raw: RawService, entry: Mapping[str, Any], partition: str) -> Resource:
    group, name = entry.get("logGroupName"), entry.get("filterName")
    return Resource(
        type="aws_cloudwatch_log_metric_filter",
        # Metric filters have no ARN: the log group's ARN and the filter's name.
        id=f"arn:{partition}:logs:{raw.region}:{raw.account}:log-group:{group}#metric-filter/{name}",
        source="aws",
        location=Location(account=raw.account, region=raw.region),
        attributes={
            "name": name,
            "log_group_name": group,
            "pattern": entry.get("filterPattern", ""),
            "metric_transformation": [
                {"name": t.get("metricName"), "namespace": t.get("metricNamespace")}
                for t in entry.get("metricTransformations") or []
            ],
        },
        raw=dict(entry),
    )


def normalize(raw: RawService) -> Iterable[Resource]:
    location = Location(account=raw.account, region=raw.region)
    filters = raw.data.get("metric_filters")
    failed = unknown_from(filters)
    if failed is not None:
        # A placeholder whose log group is unknown: the CIS alarm checks become unknown rather
        # than fail for want of a filter they could not list.
        yield unlisted_placeholder(
            raw, "aws_cloudwatch_log_metric_filter", "log_group_name", failed
        )
    for entry in filters if isinstance(filters, list) else []:
        yield _metric_filter(raw, entry, partition_for(raw.region))
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
    actions=("logs:DescribeLogGroups", "logs:DescribeMetricFilters"),
    scope="regional",
    collect=collect,
    normalize=normalize,
    resource_types=("aws_cloudwatch_log_group", "aws_cloudwatch_log_metric_filter"),
)
