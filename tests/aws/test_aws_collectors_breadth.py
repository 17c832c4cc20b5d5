"""The issue-14 collectors (EFS, ECR, ...) against seeded moto state: declared actions cover every
operation sent, a snapshot re-normalizes identically, and a denied call makes only the checks
that depend on it unknown. Denied calls are injected by a botocore `before-call` handler raising
AccessDenied, so the real recorder turns them into error markers exactly as IAM would.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from botocore.exceptions import ClientError

from scanner.compliance.suppressions import evaluate_with_suppressions as evaluate
from scanner.core.model import Resource
from scanner.core.registry import load_registry
from scanner.sources.aws.collector import RawService
from scanner.sources.aws.collectors import collectors_by_name
from scanner.sources.aws.inventory import AwsCollection, collect_aws, normalize_collection

REGION = "us-east-1"
REGISTRY = load_registry()


def deny(service_id: str, operation: str) -> tuple[str, Callable[..., Any]]:
    def handler(**_kwargs: Any) -> None:
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "denied"}}, operation)

    return (f"before-call.{service_id}.{operation}", handler)


def scan(
    services: Sequence[str], *denied: tuple[str, Callable[..., Any]]
) -> tuple[AwsCollection, dict[str, Resource]]:
    collection = collect_aws(regions=[REGION], services=list(services), event_handlers=denied)
    errors: list[Any] = []
    resources = normalize_collection(collection.raw_services, errors)
    assert not errors, [e.to_dict() for e in errors]
    return collection, {r.id: r for r in resources}


def status(check_id: str, resource: Resource) -> str:
    (finding,) = evaluate([resource], [REGISTRY.checks[check_id]], REGISTRY).findings
    return str(finding.status.value)


def assert_declared_and_round_trip(
    services: Sequence[str],
) -> tuple[AwsCollection, dict[str, Resource]]:
    collection, by_id = scan(services)
    called = {key.rsplit(".", 1)[-1] for key in collection.requests_by_operation}
    called -= {"GetCallerIdentity"}
    declared = {
        action.split(":", 1)[1]
        for name in services
        for action in collectors_by_name()[name].actions
    }
    assert called <= declared, called - declared
    assert not collection.scan_errors(), [e.to_dict() for e in collection.scan_errors()]
    services_raw = [
        RawService.from_dict(json.loads(json.dumps(s.to_dict()))) for s in collection.raw_services
    ]
    again = {r.id: (r.type, r.attributes) for r in normalize_collection(services_raw)}
    assert again == {r.id: (r.type, r.attributes) for r in by_id.values()}
    return collection, by_id


# -- EFS ----------------------------------------------------------------------------------------


def test_efs_denied_backup_policy_leaves_encryption_judged(clients: Any) -> None:
    efs = clients("efs")
    arn = efs.create_file_system(CreationToken="fs", Encrypted=True)["FileSystemArn"]
    full, by_id = assert_declared_and_round_trip(["efs"])
    assert by_id[arn].attributes["backup_policy"] == []
    # One DescribeBackupPolicy per file system, one listing per region: nothing repeated.
    assert full.requests_by_operation["efs.DescribeBackupPolicy"] == 1
    assert full.requests_by_operation["efs.DescribeFileSystems"] == 1
    collection, denied = scan(["efs"], deny("efs", "DescribeBackupPolicy"))
    assert status("efs_file_system_backup_policy_enabled", denied[arn]) == "unknown"
    assert status("efs_file_system_encrypted_at_rest", denied[arn]) == "pass"
    assert [e.operation for _, e in collection.call_errors] == ["DescribeBackupPolicy"]


def test_efs_denied_listing_yields_no_resource_and_an_error(clients: Any) -> None:
    clients("efs").create_file_system(CreationToken="fs")
    collection, by_id = scan(["efs"], deny("efs", "DescribeFileSystems"))
    assert not by_id
    assert [e.operation for _, e in collection.call_errors] == ["DescribeFileSystems"]


# -- ECR ----------------------------------------------------------------------------------------


def test_ecr_repository_settings_are_read_from_the_listing(clients: Any) -> None:
    ecr = clients("ecr")
    arn = ecr.create_repository(
        repositoryName="app",
        imageTagMutability="IMMUTABLE",
        imageScanningConfiguration={"scanOnPush": True},
    )["repository"]["repositoryArn"]
    full, by_id = assert_declared_and_round_trip(["ecr"])
    assert full.requests_by_operation["ecr.DescribeRepositories"] == 1
    assert by_id[arn].attributes["image_tag_mutability"] == "IMMUTABLE"
    assert by_id[arn].attributes["image_scanning_configuration"] == [{"scan_on_push": True}]
