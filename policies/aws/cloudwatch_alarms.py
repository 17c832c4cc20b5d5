"""The CIS AWS Foundations metric-filter-and-alarm set (CIS 4.1-4.14 in v1.4, 4.x/5.x later),
the CloudWatch checks of prowler's HIPAA set: one check per topic, over multi-region trails.

Each check follows a multi-region trail to its CloudWatch Logs group and passes when a metric
filter on that group covers the topic, an alarm watches the filter's metric, and the alarm
notifies an SNS topic with at least one subscription (policies/aws/cloudwatch_alarm_chain.py).

Matching rule (documented in docs/aws.md): a filter covers a topic when its pattern matches
every sample CloudTrail event below, the events the CIS pattern exists to catch
(policies/aws/cloudwatch_filter_patterns.py evaluates it). So the CIS pattern passes in any
spacing, quoting or order, with extra `||` alternatives or an `$.eventSource` condition; a
pattern that drops an event (a missing event name, an extra `&&` that excludes it) fails.

The checks are built from one table to keep fourteen near-identical functions out of the code;
each is registered under its own id with its own docstring.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from policies.aws.cloudwatch_alarm_chain import (
    Inventory,
    is_multi_region,
    multi_region_verdict,
    trail_alarm_verdict,
)
from policies.aws.cloudwatch_filter_patterns import Event
from scanner.core.model import Resource, Result
from scanner.core.registry import check

_USER = {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/alice"}


def _api(source: str, *names: str) -> list[Event]:
    """One event per API name, as CloudTrail records a console or CLI call."""
    return [
        {
            "eventSource": f"{source}.amazonaws.com",
            "eventName": name,
            "eventType": "AwsApiCall",
            "userIdentity": _USER,
            "sourceIPAddress": "203.0.113.7",
        }
        for name in names
    ]


# (id topic, title, what it catches, CIS v1.4 number, sample events)
TOPICS: list[tuple[str, str, str, str, list[Event]]] = [
    (
        "unauthorized_api_calls",
        "unauthorized API calls",
        "calls refused with UnauthorizedOperation or AccessDenied (probing, or a broken role)",
        "4.1",
        [
            {**_api("ec2", "DescribeInstances")[0], "errorCode": "Client.UnauthorizedOperation"},
            {**_api("s3", "GetObject")[0], "errorCode": "AccessDenied"},
            {**_api("kms", "Decrypt")[0], "errorCode": "AccessDeniedException"},
        ],
    ),
    (
        "console_signin_without_mfa",
        "console sign-in without MFA",
        "successful console sign-ins of IAM users without MFA",
        "4.2",
        [
            {
                **_api("signin", "ConsoleLogin")[0],
                "eventType": "AwsConsoleSignIn",
                "additionalEventData": {"MFAUsed": "No"},
                "responseElements": {"ConsoleLogin": "Success"},
            }
        ],
    ),
    (
        "root_usage",
        "root account usage",
        "anything the root user does (other than AWS acting on its behalf)",
        "4.3",
        [
            {
                **_api("s3", "ListBuckets")[0],
                "userIdentity": {"type": "Root", "arn": "arn:aws:iam::111122223333:root"},
            },
            {
                **_api("signin", "ConsoleLogin")[0],
                "eventType": "AwsConsoleSignIn",
                "userIdentity": {"type": "Root", "arn": "arn:aws:iam::111122223333:root"},
            },
        ],
    ),
    (
        "iam_policy_changes",
        "IAM policy changes",
        "IAM policies created, changed, attached or detached",
        "4.4",
        _api(
            "iam",
            *(
                f"{verb}{kind}Policy"
                for verb in ("Delete", "Put")
                for kind in ("Group", "Role", "User")
            ),
            "CreatePolicy",
            "DeletePolicy",
            "CreatePolicyVersion",
            "DeletePolicyVersion",
            *(
                f"{verb}{kind}Policy"
                for verb in ("Attach", "Detach")
                for kind in ("Role", "User", "Group")
            ),
        ),
    ),
    (
        "cloudtrail_changes",
        "CloudTrail configuration changes",
        "trails created, updated, deleted, started or stopped",
        "4.5",
        _api(
            "cloudtrail", "CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"
        ),
    ),
    (
        "console_auth_failures",
        "console authentication failures",
        "failed console sign-ins (password guessing)",
        "4.6",
        [
            {
                **_api("signin", "ConsoleLogin")[0],
                "eventType": "AwsConsoleSignIn",
                "errorMessage": "Failed authentication",
                "responseElements": {"ConsoleLogin": "Failure"},
            }
        ],
    ),
    (
        "kms_key_disable_or_deletion",
        "disabling or scheduled deletion of customer-managed KMS keys",
        "KMS keys disabled or scheduled for deletion (ePHI under them becomes unreadable)",
        "4.7",
        _api("kms", "DisableKey", "ScheduleKeyDeletion"),
    ),
    (
        "s3_bucket_policy_changes",
        "S3 bucket policy changes",
        "bucket policies, ACLs, CORS, lifecycle and replication changed",
        "4.8",
        _api(
            "s3",
            "PutBucketAcl",
            "PutBucketPolicy",
            "PutBucketCors",
            "PutBucketLifecycle",
            "PutBucketReplication",
            "DeleteBucketPolicy",
            "DeleteBucketCors",
            "DeleteBucketLifecycle",
            "DeleteBucketReplication",
        ),
    ),
    (
        "config_changes",
        "AWS Config changes",
        "the configuration recorder or delivery channel stopped, changed or deleted",
        "4.9",
        _api(
            "config",
            "StopConfigurationRecorder",
            "DeleteDeliveryChannel",
            "PutDeliveryChannel",
            "PutConfigurationRecorder",
        ),
    ),
    (
        "security_group_changes",
        "security group changes",
        "security groups created, deleted, or their rules changed",
        "4.10",
        _api(
            "ec2",
            "AuthorizeSecurityGroupIngress",
            "AuthorizeSecurityGroupEgress",
            "RevokeSecurityGroupIngress",
            "RevokeSecurityGroupEgress",
            "CreateSecurityGroup",
            "DeleteSecurityGroup",
        ),
    ),
    (
        "network_acl_changes",
        "network ACL changes",
        "network ACLs or their entries created, replaced or deleted",
        "4.11",
        _api(
            "ec2",
            "CreateNetworkAcl",
            "CreateNetworkAclEntry",
            "DeleteNetworkAcl",
            "DeleteNetworkAclEntry",
            "ReplaceNetworkAclEntry",
            "ReplaceNetworkAclAssociation",
        ),
    ),
    (
        "network_gateway_changes",
        "network gateway changes",
        "internet and customer gateways created, attached, detached or deleted",
        "4.12",
        _api(
            "ec2",
            "CreateCustomerGateway",
            "DeleteCustomerGateway",
            "AttachInternetGateway",
            "CreateInternetGateway",
            "DeleteInternetGateway",
            "DetachInternetGateway",
        ),
    ),
    (
        "route_table_changes",
        "route table changes",
        "routes and route tables created, replaced, disassociated or deleted",
        "4.13",
        _api(
            "ec2",
            "CreateRoute",
            "CreateRouteTable",
            "ReplaceRoute",
            "ReplaceRouteTableAssociation",
            "DeleteRouteTable",
            "DeleteRoute",
            "DisassociateRouteTable",
        ),
    ),
    (
        "vpc_changes",
        "VPC changes",
        "VPCs and peering connections created, changed or deleted",
        "4.14",
        _api(
            "ec2",
            "CreateVpc",
            "DeleteVpc",
            "ModifyVpcAttribute",
            "AcceptVpcPeeringConnection",
            "CreateVpcPeeringConnection",
            "DeleteVpcPeeringConnection",
            "RejectVpcPeeringConnection",
            "AttachClassicLinkVpc",
            "DetachClassicLinkVpc",
            "DisableVpcClassicLink",
            "EnableVpcClassicLink",
        ),
    ),
]
CONTEXT_TYPES = [
    "aws_cloudwatch_log_group",
    "aws_cloudwatch_log_metric_filter",
    "aws_cloudwatch_metric_alarm",
    "aws_sns_topic",
]

_DOC = """Without an alarm on {what}, they go unnoticed until someone reads the logs, if ever:
    CIS AWS Foundations {cis} asks for a metric filter and an alarm on them (information system
    activity review, log-in monitoring, security incident procedures).

    Judged on each multi-region trail (regional trails get no finding): it passes when the trail
    delivers to a CloudWatch Logs group with a metric filter whose pattern matches every sample
    event of the topic (see the module docstring and docs/aws.md for the rule), an alarm on the
    filter's metric (same name and namespace, actions enabled), and an SNS topic among the
    alarm's actions with at least one subscription. A missing link fails, naming it; a link that
    cannot be read (an unresolved reference, a pattern this reader does not parse, a topic
    outside the scan) makes the result unknown, and so does a filter or alarm that may not
    exist when the trail does (Terraform `count = var.alarms ? 1 : 0` with the flag unknown).

    Remediation: add the CIS filter and an alarm, for example:

        resource "aws_cloudwatch_log_metric_filter" "{topic}" {{
          name           = "{topic}"
          log_group_name = aws_cloudwatch_log_group.cloudtrail.name
          pattern        = "<the CIS {cis} pattern>"
          metric_transformation {{
            name      = "{topic}"
            namespace = "CISBenchmark"
            value     = "1"
          }}
        }}
        resource "aws_cloudwatch_metric_alarm" "{topic}" {{
          alarm_name          = "{topic}"
          metric_name         = "{topic}"
          namespace           = "CISBenchmark"
          statistic           = "Sum"
          period              = 300
          threshold           = 1
          comparison_operator = "GreaterThanOrEqualToThreshold"
          evaluation_periods  = 1
          alarm_actions       = [aws_sns_topic.security_alerts.arn]
        }}
"""


def _make_check(
    topic: str, title: str, what: str, cis: str, events: list[Event]
) -> Callable[[Sequence[Resource]], Iterator[tuple[Resource, Result]]]:
    def judge(resources: Sequence[Resource]) -> Iterator[tuple[Resource, Result]]:
        inventory = Inventory.of(resources)
        for trail in resources:
            if trail.type == "aws_cloudtrail" and is_multi_region(trail):
                verdict = multi_region_verdict(trail) or trail_alarm_verdict(
                    trail, inventory, title, events
                )
                yield trail, verdict

    check_id = f"cloudwatch_{topic}_alarm_configured"
    judge.__name__ = judge.__qualname__ = check_id
    judge.__doc__ = _DOC.format(what=what, cis=cis, topic=topic)
    return check(
        id=check_id,
        title=f"A CloudWatch alarm with a subscribed SNS topic watches {title}",
        severity="medium",
        resource_types=["aws_cloudtrail"],
        context_types=CONTEXT_TYPES,
        scope="inventory",
        applies_to=is_multi_region,
        references={"cis_aws_v1.4": [cis]},
    )(judge)


def _register() -> dict[str, Any]:
    made = {}
    for topic, title, what, cis, events in TOPICS:
        function = _make_check(topic, title, what, cis, events)
        made[function.__name__] = function
    return made


globals().update(_register())
