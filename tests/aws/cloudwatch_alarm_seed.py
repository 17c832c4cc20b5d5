"""Shared seed of the CIS alarm fixtures (tests/fixtures/cloudwatch_*_alarm_configured/aws.py).

Two multi-region trails, each delivering to its own log group with the topic's CIS metric
filter and an alarm on it: the monitored one's alarm notifies a topic with a subscription
(pass); the quiet one's alarm notifies a topic nobody subscribed to (fail). A regional trail
gets no finding.
"""

from __future__ import annotations

import json
from typing import Any

TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)


def seed_alarm_chain(clients: Any, topic: str, pattern: str) -> dict[str, list[str]]:
    clients("s3").create_bucket(Bucket="audit-trail-logs")
    role = clients("iam").create_role(RoleName="trail-to-logs", AssumeRolePolicyDocument=TRUST)
    logs, cloudwatch, sns = clients("logs"), clients("cloudwatch"), clients("sns")
    cloudtrail = clients("cloudtrail")
    alerts = sns.create_topic(Name="security-alerts")["TopicArn"]
    sns.subscribe(TopicArn=alerts, Protocol="email", Endpoint="secops@example.org")
    nobody = sns.create_topic(Name="nobody-listens")["TopicArn"]
    trails = {}
    for name, action in (("monitored", alerts), ("quiet", nobody)):
        group = f"cloudtrail-{name}"
        logs.create_log_group(logGroupName=group)
        arn = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]["arn"]
        trails[name] = cloudtrail.create_trail(
            Name=name,
            S3BucketName="audit-trail-logs",
            IsMultiRegionTrail=True,
            CloudWatchLogsLogGroupArn=arn,
            CloudWatchLogsRoleArn=role["Role"]["Arn"],
        )["TrailARN"]
        cloudtrail.start_logging(Name=name)
        metric = f"{topic}-{name}"
        logs.put_metric_filter(
            logGroupName=group,
            filterName=metric,
            filterPattern=pattern,
            metricTransformations=[
                {"metricName": metric, "metricNamespace": "CISBenchmark", "metricValue": "1"}
            ],
        )
        cloudwatch.put_metric_alarm(
            AlarmName=metric,
            MetricName=metric,
            Namespace="CISBenchmark",
            Statistic="Sum",
            Period=300,
            EvaluationPeriods=1,
            Threshold=1,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
            AlarmActions=[action],
        )
    cloudtrail.create_trail(Name="regional", S3BucketName="audit-trail-logs")
    return {"pass": [trails["monitored"]], "fail": [trails["quiet"]]}
