"""The CIS alarm set: the filter-pattern rule (semantic, on sample events), its parser on
arbitrary text, and the unknowns of refused calls, through the real normalizers on AWS-shaped
responses."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policies.aws.cloudwatch_alarm_chain import covers
from policies.aws.cloudwatch_alarms import TOPICS
from policies.aws.cloudwatch_filter_patterns import PatternError, compile_pattern
from scanner.compliance.suppressions import evaluate_with_suppressions as evaluate
from scanner.core.model import Resource
from scanner.core.registry import load_registry
from scanner.sources.aws.collector import CallError, RawService
from scanner.sources.aws.collectors import cloudtrail, cloudwatch, logs, sns

REGISTRY = load_registry()
EVENTS = {topic: events for topic, *_, events in TOPICS}
ACCOUNT, REGION = "111122223333", "us-east-1"
CIS_ROOT = (
    '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS'
    ' && $.eventType != "AwsServiceEvent" }'
)


@pytest.mark.parametrize(
    ("topic", "pattern", "expected"),
    [
        # CIS v1.4 and v3 wordings, any spacing or quoting
        (
            "unauthorized_api_calls",
            '{($.errorCode="*UnauthorizedOperation")||($.errorCode="AccessDenied*")}',
            True,
        ),
        (
            "unauthorized_api_calls",
            '{(($.errorCode ="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*")) &&'
            ' (($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket"))}',
            True,
        ),
        (
            "console_signin_without_mfa",
            '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") &&'
            ' ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
            True,
        ),
        ("root_usage", CIS_ROOT, True),
        (
            "cloudtrail_changes",
            "{ ($.eventName = StopLogging) || ($.eventName = DeleteTrail) || "
            "($.eventName = UpdateTrail) || ($.eventName = CreateTrail) || "
            "($.eventName = StartLogging) }",
            True,
        ),
        # dropping an event, or narrowing with an extra && condition, no longer covers the topic
        (
            "cloudtrail_changes",
            "{ ($.eventName = StopLogging) || ($.eventName = DeleteTrail) }",
            False,
        ),
        ("root_usage", '{ $.userIdentity.type = "Root" && $.eventName = "ConsoleLogin" }', False),
        (
            "kms_key_disable_or_deletion",
            "{ ($.eventSource = kms.amazonaws.com) && ($.eventName = DisableKey) }",
            False,
        ),
    ],
)
def test_patterns_are_judged_on_the_events_they_must_catch(
    topic: str, pattern: str, expected: bool
) -> None:
    assert covers(pattern, EVENTS[topic]) is expected


@pytest.mark.parametrize(
    "pattern", ["ConsoleLogin", "[ip, user]", "{ $.bytes > 10 }", "{ ($.a = 1 }"]
)
def test_patterns_it_cannot_read_are_errors(pattern: str) -> None:
    with pytest.raises(PatternError):
        compile_pattern(pattern)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet='{}()$.=!&|" *aeNOTEXISTS\\', max_size=80) | st.text(max_size=80))
def test_the_parser_raises_only_pattern_errors(text: str) -> None:
    try:
        matcher = compile_pattern(text)
    except PatternError:
        return
    matcher({"eventName": "x", "a": {"b": 1}})


def denied(service: str, operation: str) -> dict[str, Any]:
    return CallError(service, operation, REGION, "AccessDenied", "not authorized").as_marker()


def _account(filters: Any = None, alarms: Any = None, subscriptions: Any = None) -> list[Resource]:
    group_arn = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:trail:*"
    trail_arn = f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/main"
    topic_arn = f"arn:aws:sns:{REGION}:{ACCOUNT}:alerts"
    data = {
        cloudtrail: {
            "trails": {
                "trailList": [
                    {
                        "Name": "main",
                        "TrailARN": trail_arn,
                        "IsMultiRegionTrail": True,
                        "CloudWatchLogsLogGroupArn": group_arn,
                    }
                ]
            },
            "trail_status": {trail_arn: {"IsLogging": True}},
            "event_selectors": {trail_arn: {"EventSelectors": []}},
        },
        logs: {
            "log_groups": [],
            "metric_filters": filters
            if filters is not None
            else [
                {
                    "filterName": "root",
                    "logGroupName": "trail",
                    "filterPattern": CIS_ROOT,
                    "metricTransformations": [{"metricName": "root", "metricNamespace": "CIS"}],
                }
            ],
        },
        cloudwatch: {
            "alarms": alarms
            if alarms is not None
            else [
                {
                    "AlarmArn": f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:root",
                    "MetricName": "root",
                    "Namespace": "CIS",
                    "AlarmActions": [topic_arn],
                }
            ]
        },
        sns: {
            "topics": [{"TopicArn": topic_arn}],
            "attributes": {topic_arn: {"Attributes": {}}},
            "subscriptions": subscriptions
            if subscriptions is not None
            else [
                {"TopicArn": topic_arn, "Protocol": "email", "SubscriptionArn": topic_arn + ":1"}
            ],
        },
    }
    resources: list[Resource] = []
    for module, raw in data.items():
        resources.extend(module.normalize(RawService(module.COLLECTOR.name, ACCOUNT, REGION, raw)))
    return resources


def _root_alarm_status(resources: list[Resource]) -> tuple[str, str]:
    spec = REGISTRY.checks["cloudwatch_root_usage_alarm_configured"]
    (finding,) = evaluate(resources, [spec], REGISTRY).findings
    return finding.status.value, finding.message


def test_the_complete_chain_passes_and_each_missing_link_fails() -> None:
    assert _root_alarm_status(_account())[0] == "pass"
    assert _root_alarm_status(_account(alarms=[]))[0] == "fail"
    assert _root_alarm_status(_account(subscriptions=[]))[0] == "fail"
    topic_arn = f"arn:aws:sns:{REGION}:{ACCOUNT}:alerts"
    pending = [
        {"TopicArn": topic_arn, "Protocol": "email", "SubscriptionArn": "PendingConfirmation"}
    ]
    assert _root_alarm_status(_account(subscriptions=pending))[0] == "fail"


@pytest.mark.parametrize(
    ("changes", "call"),
    [
        ({"filters": denied("logs", "DescribeMetricFilters")}, "DescribeMetricFilters"),
        ({"alarms": denied("cloudwatch", "DescribeAlarms")}, "DescribeAlarms"),
        ({"subscriptions": denied("sns", "ListSubscriptions")}, "ListSubscriptions"),
    ],
)
def test_a_refused_listing_makes_the_alarm_check_unknown(
    changes: dict[str, Any], call: str
) -> None:
    status, message = _root_alarm_status(_account(**changes))
    assert status == "unknown", message
