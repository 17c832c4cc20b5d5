"""A denied, throttled or unreachable call never aborts the scan and never yields pass."""

from __future__ import annotations

from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError, EndpointConnectionError

from scanner.compliance.suppressions import evaluate_with_suppressions as evaluate
from scanner.core.model import Status
from scanner.core.registry import load_registry
from scanner.sources.aws.inventory import collect_aws, normalize_collection

REGISTRY = load_registry()
BUCKET = "arn:aws:s3:::phi-records"


def _deny(operation: str):
    def handler(**_kwargs: Any) -> None:
        raise ClientError(
            {"Error": {"Code": "AccessDenied", "Message": "denied by the test"}}, operation
        )

    return handler


def _findings(resources, *check_ids):
    specs = [REGISTRY.checks[c] for c in check_ids]
    return {(f.check_id, f.resource.id): f for f in evaluate(resources, specs, REGISTRY).findings}


def test_denied_call_gives_unknown_and_a_collection_error(clients) -> None:
    s3 = clients("s3")
    s3.create_bucket(Bucket="phi-records")
    s3.put_bucket_encryption(
        Bucket="phi-records",
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    collection = collect_aws(
        regions=["us-east-1"],
        services=["s3"],
        event_handlers=[("before-call.s3.GetBucketEncryption", _deny("GetBucketEncryption"))],
    )
    errors = collection.scan_errors()
    assert [(e.target, e.message) for e in errors] == [
        ("s3:GetBucketEncryption us-east-1", "AccessDenied: denied by the test")
    ]
    resources = normalize_collection(collection.raw_services)
    findings = _findings(
        resources,
        "s3_bucket_encrypted_at_rest",
        "s3_bucket_encrypted_with_kms_cmk",
        "s3_bucket_versioning_enabled",
    )
    for check in ("s3_bucket_encrypted_at_rest", "s3_bucket_encrypted_with_kms_cmk"):
        finding = findings[(check, BUCKET)]
        assert finding.status is Status.UNKNOWN, (check, finding.message)
        assert "s3:GetBucketEncryption" in finding.message and "AccessDenied" in finding.message
    # The other settings of the same bucket were still read and judged.
    assert findings[("s3_bucket_versioning_enabled", BUCKET)].status is Status.FAIL


def test_denied_password_policy_makes_every_password_check_unknown(clients) -> None:
    collection = collect_aws(
        regions=["us-east-1"],
        services=["iam"],
        event_handlers=[
            ("before-call.iam.GetAccountPasswordPolicy", _deny("GetAccountPasswordPolicy"))
        ],
    )
    resources = normalize_collection(collection.raw_services)
    checks = [c for c in REGISTRY.checks if c.startswith("iam_password_policy_")]
    findings = _findings(resources, *checks)
    assert len(findings) == 4
    assert {f.status for f in findings.values()} == {Status.UNKNOWN}


class _Body:
    def __init__(self, payload: bytes) -> None:
        self._payload = payload

    def stream(self, **_kwargs: Any):
        yield self._payload


def test_throttling_is_retried_then_succeeds(clients) -> None:
    failures = {"left": 2}

    def throttle(request: Any, **_kwargs: Any) -> AWSResponse | None:
        if failures["left"] == 0:
            return None  # let the real request through
        failures["left"] -= 1
        body = (
            b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>"
            b"<Message>Rate exceeded</Message></Error><RequestId>1</RequestId></ErrorResponse>"
        )
        return AWSResponse(request.url, 400, {"Content-Type": "text/xml"}, _Body(body))

    collection = collect_aws(
        regions=["us-east-1"],
        services=["iam"],
        event_handlers=[("before-send.iam.GetAccountSummary", throttle)],
    )
    assert failures["left"] == 0
    assert not collection.scan_errors()
    assert collection.requests_by_operation["iam.GetAccountSummary"] == 3
    resources = {r.id: r for r in normalize_collection(collection.raw_services)}
    assert resources["arn:aws:iam::123456789012:root"].attributes["root_mfa_enabled"] is False


def test_unreachable_endpoint_is_an_error_not_an_empty_region(clients) -> None:
    clients("ec2", "eu-west-1").create_volume(AvailabilityZone="eu-west-1a", Size=1)

    def unreachable(model: Any, context: Any, **_kwargs: Any) -> None:
        if context.get("client_region") == "eu-west-1":
            raise EndpointConnectionError(endpoint_url="https://ec2.eu-west-1.example")

    collection = collect_aws(
        regions=["us-east-1", "eu-west-1"],
        services=["ec2"],
        event_handlers=[("before-call.ec2.DescribeVolumes", unreachable)],
    )
    targets = [e.target for e in collection.scan_errors()]
    assert targets == ["ec2:DescribeVolumes eu-west-1"]
    assert collection.scan_errors()[0].message.startswith("EndpointConnectionError:")
    # us-east-1 was still collected in full.
    resources = normalize_collection(collection.raw_services)
    assert any(r.location.region == "us-east-1" and r.type == "aws_vpc" for r in resources)
