"""EFS file systems: encryption at rest and the automatic-backup policy.

DescribeFileSystems lists every file system with its encryption; the backup policy needs one
DescribeBackupPolicy per file system. A file system that never had a policy answers
PolicyNotFound: that is "no automatic backups", a fact, not a collection error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from scanner.core.model import Location, Resource, Unknown
from scanner.sources.aws.collector import (
    CallRecorder,
    ClientFactory,
    Collector,
    RawService,
    call_optional,
    fan_out_by_key,
    partition_for,
    unknown_from,
)


def collect(
    clients: ClientFactory, recorder: CallRecorder, account: str, region: str
) -> dict[str, Any]:
    efs = clients("efs", region)
    systems = recorder.paginate(efs, "describe_file_systems", "FileSystems")
    ids = [s["FileSystemId"] for s in systems] if isinstance(systems, list) else []
    policies = fan_out_by_key(
        recorder,
        lambda fs_id: call_optional(
            recorder, efs, "describe_backup_policy", ("PolicyNotFound",), FileSystemId=fs_id
        ),
        ids,
    )
    return {"file_systems": systems, "backup_policies": policies}


def backup_policy(response: Any, recorded: bool) -> list[dict[str, Any]] | Unknown:
    """The `backup_policy` block of `aws_efs_backup_policy`, folded onto the file system.

    None (PolicyNotFound) is an empty list: the file system has no backup policy.
    """
    unknown = unknown_from(response)
    if unknown is not None:
        return unknown
    if not recorded:
        return Unknown("efs:DescribeBackupPolicy was not recorded for this file system")
    if response is None:
        return []
    status = (response.get("BackupPolicy") or {}).get("Status")
    return [{"status": status}] if status else []


def _resource(item: Mapping[str, Any], policies: Mapping[str, Any], location: Location) -> Resource:
    fs_id = item["FileSystemId"]
    attributes: dict[str, Any] = {
        "creation_token": item.get("CreationToken"),
        "encrypted": bool(item.get("Encrypted", False)),
        "performance_mode": item.get("PerformanceMode"),
        "throughput_mode": item.get("ThroughputMode"),
        "tags": {tag["Key"]: tag.get("Value") for tag in item.get("Tags") or []},
        "backup_policy": backup_policy(policies.get(fs_id), fs_id in policies),
    }
    if item.get("KmsKeyId"):
        attributes["kms_key_id"] = item["KmsKeyId"]
    arn = item.get("FileSystemArn") or (
        f"arn:{partition_for(location.region or '')}:elasticfilesystem:{location.region}:"
        f"{location.account}:file-system/{fs_id}"
    )
    return Resource(
        type="aws_efs_file_system",
        id=str(arn),
        source="aws",
        location=location,
        attributes=attributes,
        raw={"file_system": dict(item), "backup_policy": policies.get(fs_id)},
    )


def normalize(raw: RawService) -> Iterable[Resource]:
    location = Location(account=raw.account, region=raw.region)
    systems = raw.data.get("file_systems")
    policies = raw.data.get("backup_policies") or {}
    for item in systems if isinstance(systems, list) else []:
        yield _resource(item, policies, location)


COLLECTOR = Collector(
    name="efs",
    actions=(
        "elasticfilesystem:DescribeFileSystems",
        "elasticfilesystem:DescribeBackupPolicy",
    ),
    scope="regional",
    collect=collect,
    normalize=normalize,
    resource_types=("aws_efs_file_system",),
)
