"""Following a multi-region trail to an alarm someone receives: trail -> its CloudWatch Logs
group -> a metric filter on that group covering a CIS topic -> an alarm on the filter's metric ->
an SNS topic among the alarm's actions -> at least one subscription.

The pieces are separate resources (live: CloudTrail, CloudWatch Logs, CloudWatch and SNS; in
Terraform `aws_cloudtrail`, `aws_cloudwatch_log_group`, `aws_cloudwatch_log_metric_filter`,
`aws_cloudwatch_metric_alarm`, `aws_sns_topic` with its folded subscriptions), linked by ARN or
name live and by reference or literal name in Terraform.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from policies.aws.cloudwatch_filter_patterns import Event, PatternError, compile_pattern
from scanner.core.model import ComputedRef, Resource, Result, is_unknown, terraform_address

_GROUP_REF = re.compile(r"((?:module\.[\w-]+(?:\[[^\]]*\])?\.)*aws_cloudwatch_log_group\.[\w-]+)")
_GROUP_ARN = re.compile(r"^arn:[\w-]+:logs:([\w-]*):\d*:log-group:(.+?)(?::\*)?$")
_TOPIC_ARN = re.compile(r"^arn:[\w-]+:sns:")

GroupKey = tuple[str, str | None, str]


def address(resource: Resource) -> str:
    """A live resource's ARN, or a Terraform resource's address without the scan's label."""
    return terraform_address(resource.id) if resource.source == "terraform" else resource.id


def _region(resource: Resource) -> str | None:
    return None if resource.source == "terraform" else resource.location.region


@dataclass
class Inventory:
    groups_by_name: dict[str, str] = field(default_factory=dict)  # Terraform literal -> address
    filters: list[Resource] = field(default_factory=list)
    alarms: list[Resource] = field(default_factory=list)
    topics: dict[str, Resource] = field(default_factory=dict)

    @classmethod
    def of(cls, resources: Sequence[Resource]) -> Inventory:
        inventory = cls()
        for r in resources:
            if r.type == "aws_cloudwatch_log_group" and r.source == "terraform":
                name = r.get("name")
                if isinstance(name, str) and not isinstance(name, ComputedRef):
                    inventory.groups_by_name.setdefault(name, address(r))
            elif r.type == "aws_cloudwatch_log_metric_filter":
                inventory.filters.append(r)
            elif r.type == "aws_cloudwatch_metric_alarm":
                inventory.alarms.append(r)
            elif r.type == "aws_sns_topic":
                inventory.topics[address(r)] = r
        return inventory

    def key(self, value: Any, region: str | None, terraform: bool) -> GroupKey | None:
        """Which log group a trail's ARN or a filter's group name names (None: cannot tell)."""
        if isinstance(value, ComputedRef):
            found = _GROUP_REF.search(value)
            return ("tf", None, found.group(1)) if found else None
        if not isinstance(value, str):
            return None
        arn = _GROUP_ARN.match(value)
        name = arn.group(2) if arn else value
        if arn and not terraform:
            region = arn.group(1) or region
        if terraform and name in self.groups_by_name:
            return ("tf", None, self.groups_by_name[name])
        return ("name", None if terraform else region, name)


@dataclass
class Trace:
    """How far the best chain got, and what could not be read on the way."""

    stage: int = 0  # 1 filter found, 2 alarm found, 3 SNS action found
    unknown: list[str] = field(default_factory=list)

    def reached(self, stage: int) -> None:
        self.stage = max(self.stage, stage)


_MISSING = {
    0: "no metric filter on {group} matches the CIS pattern for {topic}",
    1: "a metric filter for {topic} exists on {group}, but no alarm is set on its metric",
    2: "the alarm for {topic} has no enabled SNS action",
    3: "the alarm for {topic} notifies SNS topics without any subscription",
}


def covers(pattern: Any, events: Sequence[Event]) -> bool:
    """True when the pattern matches every event; raises PatternError when it cannot be read."""
    matcher = compile_pattern(str(pattern))
    return all(matcher(event) for event in events)


def _metric_matches(alarm: Resource, filter_resource: Resource, name: Any, namespace: Any) -> Any:
    metric, alarm_namespace = alarm.get("metric_name"), alarm.get("namespace")
    if is_unknown(metric) or is_unknown(alarm_namespace) or is_unknown(name):
        return None  # cannot tell
    if isinstance(metric, ComputedRef):
        return address(filter_resource) in metric
    return metric == name and alarm_namespace == namespace


def _may_not_exist(link: Resource, trail: Resource) -> str | None:
    """Why a link of the chain (a metric filter, an alarm) may not exist while the trail does;
    None when it exists whenever the trail does: its existence is certain, or both are made
    under the same `count = COND ? N : 0` condition of one module instance."""
    existence = link.existence
    if existence is None:
        return None
    condition = getattr(existence, "condition", None)
    if condition is not None and condition == getattr(trail.existence, "condition", None):
        return None
    return f"{link.id} may not exist ({existence.reason})"


def _subscribed_topics(alarm: Resource, inventory: Inventory, trace: Trace, topic: str) -> bool:
    if alarm.get("actions_enabled") is False:
        return False
    actions = alarm.get("alarm_actions")
    if is_unknown(actions):
        trace.unknown.append(f"the actions of {alarm.id} are unknown")
        return False
    for action in actions or []:
        if is_unknown(action):
            trace.unknown.append(f"an action of {alarm.id} is unknown")
            continue
        reference = str(action)
        if isinstance(action, ComputedRef):
            reference = reference.removesuffix(".arn").removesuffix(".id")
        elif not _TOPIC_ARN.match(reference):
            continue  # an Auto Scaling or EC2 action notifies nobody
        trace.reached(3)
        sns_topic = inventory.topics.get(reference)
        if sns_topic is None:
            trace.unknown.append(f"SNS topic {reference} is not in the scan")
            continue
        subscriptions = sns_topic.get("subscriptions")
        if is_unknown(subscriptions):
            trace.unknown.append(f"subscriptions of {reference} are unknown")
            continue
        # Confirmed live (a pending email subscription delivers nothing); in Terraform, declared.
        if any(not is_unknown(s) and s.get("confirmed") is not False for s in subscriptions or []):
            return True
        if any(is_unknown(s) for s in subscriptions or []):  # may or may not exist
            trace.unknown.append(f"the subscriptions of {reference} may not exist")
    return False


def _filter_chain(
    filter_resource: Resource, inventory: Inventory, trace: Trace, topic: str, trail: Resource
) -> bool:
    transformations = filter_resource.get("metric_transformation")
    if is_unknown(transformations):
        trace.unknown.append(f"the metric of {filter_resource.id} is unknown")
        return False
    if isinstance(transformations, Mapping):
        transformations = [transformations]
    for transformation in transformations or []:
        name, namespace = transformation.get("name"), transformation.get("namespace")
        for alarm in inventory.alarms:
            if _region(alarm) != _region(filter_resource):
                continue
            matched = _metric_matches(alarm, filter_resource, name, namespace)
            if matched is None:
                trace.unknown.append(f"the metric of {alarm.id} is unknown")
            elif matched:
                trace.reached(2)
                if _subscribed_topics(alarm, inventory, trace, topic):
                    why = _may_not_exist(alarm, trail)
                    if why is None:
                        return True
                    trace.unknown.append(why)
    return False


def trail_alarm_verdict(
    trail: Resource, inventory: Inventory, topic: str, events: Sequence[Event]
) -> Result:
    logging = trail.get("enable_logging")
    if logging is False:
        return Result.failed(f"the trail is not logging, so nothing reaches an alarm for {topic}")
    group_arn = trail.get("cloud_watch_logs_group_arn")
    if is_unknown(group_arn):
        return Result.unknown(f"the trail's log group is unknown: {group_arn.reason}")
    if not group_arn:
        return Result.failed(f"the trail delivers to no CloudWatch Logs group: no alarm on {topic}")
    terraform = trail.source == "terraform"
    group = inventory.key(group_arn, _region(trail), terraform)
    if group is None:
        return Result.unknown(f"cannot tell which log group {group_arn} names")
    trace = Trace()
    for filter_resource in inventory.filters:
        filter_group = inventory.key(
            filter_resource.get("log_group_name"), _region(filter_resource), terraform
        )
        if filter_group is None:
            trace.unknown.append(f"the log group of {filter_resource.id} is unknown")
            continue
        if filter_group != group:
            continue
        pattern = filter_resource.get("pattern")
        try:
            covering = not is_unknown(pattern) and covers(pattern, events)
        except PatternError as exc:
            trace.unknown.append(f"{filter_resource.id}: pattern not read ({exc})")
            continue
        if is_unknown(pattern):
            trace.unknown.append(f"the pattern of {filter_resource.id} is unknown")
            continue
        if covering:
            trace.reached(1)
            if _filter_chain(filter_resource, inventory, trace, topic, trail):
                why = _may_not_exist(filter_resource, trail)
                if why is not None:
                    trace.unknown.append(why)
                    continue
                return Result.passed(
                    f"{filter_resource.id} on {group[2]} feeds an alarm notifying a subscribed"
                    f" SNS topic for {topic}"
                )
    if trace.unknown:
        return Result.unknown(trace.unknown[0])
    return Result.failed(_MISSING[trace.stage].format(group=group[2], topic=topic))


def is_multi_region(trail: Resource) -> bool:
    """The alarms are judged on multi-region trails (a regional trail misses other regions'
    events); an unknown flag is judged too, and becomes unknown."""
    value = trail.get("is_multi_region_trail")
    return True if is_unknown(value) else value is True


def multi_region_verdict(trail: Resource) -> Result | None:
    value = trail.get("is_multi_region_trail")
    if is_unknown(value):
        return Result.unknown(f"whether the trail is multi-region is unknown: {value.reason}")
    return None


VerdictFunction = Callable[[Resource, Inventory], Result]
