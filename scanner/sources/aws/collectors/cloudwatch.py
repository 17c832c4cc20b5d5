"""CloudWatch metric alarms: which metric each watches and whom it notifies (the CIS alarm set,
policies/aws/cloudwatch_alarms.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from scanner.core.model import Location, Resource
from scanner.sources.aws.collector import (
    CallRecorder,
    ClientFactory,
    Collector,
    RawService,
    unknown_from,
)
from scanner.sources.aws.collectors._unlisted import unlisted_placeholder


def collect(
    clients: ClientFactory, recorder: CallRecorder, account: str, region: str
) -> dict[str, Any]:
    cloudwatch = clients("cloudwatch", region)
    # Metric alarms only (composite alarms watch other alarms, not a log metric).
    return {
        "alarms": recorder.paginate(
            cloudwatch, "describe_alarms", "MetricAlarms", AlarmTypes=["MetricAlarm"]
        )
    }


def _attributes(alarm: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "alarm_name": alarm.get("AlarmName"),
        "metric_name": alarm.get("MetricName"),
        "namespace": alarm.get("Namespace"),
        "alarm_actions": list(alarm.get("AlarmActions") or []),
        "actions_enabled": bool(alarm.get("ActionsEnabled", True)),
    }


def normalize(raw: RawService) -> Iterable[Resource]:
    location = Location(account=raw.account, region=raw.region)
    alarms = raw.data.get("alarms")
    failed = unknown_from(alarms)
    if failed is not None:
        yield unlisted_placeholder(raw, "aws_cloudwatch_metric_alarm", "metric_name", failed)
    for alarm in alarms if isinstance(alarms, list) else []:
        yield Resource(
            type="aws_cloudwatch_metric_alarm",
            id=str(alarm["AlarmArn"]),
            source="aws",
            location=location,
            attributes=_attributes(alarm),
            raw=dict(alarm),
        )


COLLECTOR = Collector(
    name="cloudwatch",
    actions=("cloudwatch:DescribeAlarms",),
    scope="regional",
    collect=collect,
    normalize=normalize,
    resource_types=("aws_cloudwatch_metric_alarm",),
)
