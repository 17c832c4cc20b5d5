"""Hostile or broken AWS responses, on the real moto server (issue 11): a body that does not
parse is a collection error (never an empty success), one bad call never takes the rest of its
collector with it, error messages never quote a body, and a deadline bounds the whole scan."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.awsrequest import AWSResponse

from scanner.compliance.suppressions import evaluate_with_suppressions as evaluate
from scanner.core.model import Status
from scanner.core.registry import load_registry
from scanner.sources.aws.inventory import collect_aws, normalize_collection
from scanner.sources.aws.response_guard import ScanDeadline
from tests.aws.test_aws_faults import _Body, _deny
from tests.conftest import run_comply

REGISTRY = load_registry()
CANARY = "CANARY-BODY-7f3a"


def _answer(status: int, body: bytes, content_type: str):
    def handler(request: Any, **_kwargs: Any) -> AWSResponse:
        return AWSResponse(request.url, status, {"Content-Type": content_type}, _Body(body))

    return handler


def _messages(collection) -> str:
    return " | ".join(f"{e.target}: {e.message}" for e in collection.scan_errors())


@pytest.mark.parametrize(
    "body",
    [
        b'{"SecretList": [{"ARN": "arn:aws:secretsmanager:us-east-1:1:secret:' + CANARY.encode(),
        b"<html>" + CANARY.encode() + b"</html>",
        b"null",
    ],
    ids=["truncated", "garbage", "not-an-object"],
)
def test_a_json_body_that_does_not_parse_is_a_collection_error(clients, body) -> None:
    clients("secretsmanager").create_secret(Name="db-password", SecretString="x")
    collection = collect_aws(
        regions=["us-east-1"],
        services=["secretsmanager"],
        event_handlers=[
            ("before-send.secrets-manager.ListSecrets", _answer(200, body, "application/json"))
        ],
    )
    errors = collection.scan_errors()
    assert [e.target for e in errors] == ["secretsmanager:ListSecrets us-east-1"]
    assert errors[0].message == (
        "MalformedResponseError: the ListSecrets response (HTTP 200) is not valid JSON; not read"
    )
    assert CANARY not in _messages(collection)
    assert normalize_collection(collection.raw_services) == []  # nothing judged as absent


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b'{"error": "upstream timeout"}', "none of its keys is a field of the response"),
        (b'{"SecretList": "' + CANARY.encode() + b'"}', "SecretList is a str, not a list"),
    ],
    ids=["foreign-object", "wrong-type"],
)
def test_a_json_body_of_the_wrong_shape_is_a_collection_error(clients, body, why) -> None:
    clients("secretsmanager").create_secret(Name="db-password", SecretString="x")
    collection = collect_aws(
        regions=["us-east-1"],
        services=["secretsmanager"],
        event_handlers=[
            ("before-send.secrets-manager.ListSecrets", _answer(200, body, "application/json"))
        ],
    )
    errors = collection.scan_errors()
    assert [(e.target, e.message) for e in errors] == [
        (
            "secretsmanager:ListSecrets us-east-1",
            "ShapeMismatchError: the ListSecrets response (HTTP 200) does not have its "
            f"documented shape: {why}",
        )
    ]
    assert CANARY not in _messages(collection)


def test_one_unparsable_xml_response_loses_only_that_call(clients) -> None:
    ec2 = clients("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    ec2.create_volume(AvailabilityZone="us-east-1a", Size=1, Encrypted=False)
    body = b"<DescribeFlowLogsResponse><flowLogSet><item>" + CANARY.encode()
    collection = collect_aws(
        regions=["us-east-1"],
        services=["ec2"],
        event_handlers=[("before-send.ec2.DescribeFlowLogs", _answer(200, body, "text/xml"))],
    )
    errors = collection.scan_errors()
    assert [(e.target, e.message) for e in errors] == [
        (
            "ec2:DescribeFlowLogs us-east-1",
            "ResponseParserError: the response could not be parsed (invalid XML or JSON)",
        )
    ]
    resources = normalize_collection(collection.raw_services)
    types = {r.type for r in resources}
    assert {"aws_vpc", "aws_ebs_volume"} <= types  # the rest of the collector survived
    flow = _findings(resources, "vpc_flow_logs_enabled")
    assert {f.status for f in flow.values()} == {Status.UNKNOWN}
    assert any(vpc in resource_id for _check, resource_id in flow)


def test_an_error_response_body_never_reaches_the_message(clients) -> None:
    body = b"<html><body>" + CANARY.encode() + b" internal error page</body></html>"
    collection = collect_aws(
        regions=["us-east-1"],
        services=["secretsmanager"],
        event_handlers=[
            ("before-send.secrets-manager.ListSecrets", _answer(403, body, "text/html"))
        ],
    )
    assert [e.target for e in collection.scan_errors()] == ["secretsmanager:ListSecrets us-east-1"]
    assert CANARY not in _messages(collection)


def _findings(resources, *check_ids):
    specs = [REGISTRY.checks[c] for c in check_ids]
    return {(f.check_id, f.resource.id): f for f in evaluate(resources, specs, REGISTRY).findings}


def test_denied_flow_logs_keep_every_vpc_and_instance(clients) -> None:
    ec2 = clients("ec2")
    ec2.create_vpc(CidrBlock="10.2.0.0/16")
    image = ec2.describe_images()["Images"][0]["ImageId"]
    ec2.run_instances(
        ImageId=image,
        MinCount=1,
        MaxCount=1,
        MetadataOptions={"HttpTokens": "required", "HttpEndpoint": "enabled"},
    )
    collection = collect_aws(
        regions=["us-east-1"],
        services=["ec2"],
        event_handlers=[("before-call.ec2.DescribeFlowLogs", _deny("DescribeFlowLogs"))],
    )
    assert [e.target for e in collection.scan_errors()] == ["ec2:DescribeFlowLogs us-east-1"]
    errors: list = []
    resources = normalize_collection(collection.raw_services, errors)
    assert errors == []
    findings = _findings(resources, "vpc_flow_logs_enabled", "ec2_instance_imdsv2_required")
    flow = [f for (check, _), f in findings.items() if check == "vpc_flow_logs_enabled"]
    imds = [f for (check, _), f in findings.items() if check == "ec2_instance_imdsv2_required"]
    assert len(flow) >= 2 and {f.status for f in flow} == {Status.UNKNOWN}  # default + ours
    assert [f.status for f in imds] == [Status.PASS]  # only the flow-log check became unknown


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_deadline_fails_every_call_sent_after_it(clients) -> None:
    clients("ec2").create_volume(AvailabilityZone="us-east-1a", Size=1)
    clock = _Clock()
    deadline = ScanDeadline(60, clock=clock)

    def stall(**_kwargs: Any) -> None:  # as if this call had hung for two minutes
        clock.now += 120

    collection = collect_aws(
        regions=["us-east-1"],
        services=["ec2"],
        max_workers=1,
        deadline=deadline,
        event_handlers=[("before-call.ec2.DescribeVpcs", stall)],
    )
    errors = collection.scan_errors()
    assert errors, "calls after the deadline must be collection errors"
    assert all(
        e.message == "DeadlineExceededError: not called: the scan's deadline of 60 s had passed "
        "(--deadline)"
        for e in errors
    )
    # Each call sent after the deadline fails once, without its retries.
    assert all(count == 1 for count in collection.requests_by_operation.values())


@pytest.mark.parametrize("command", [["aws"], ["snapshot", "README.md"]])
def test_changed_since_is_refused_for_live_and_snapshot_scans(command) -> None:
    result = run_comply("scan", *command, "--changed-since", "HEAD~1")
    assert result.exit_code == 2
    assert "--changed-since applies to scans of files" in result.stderr
