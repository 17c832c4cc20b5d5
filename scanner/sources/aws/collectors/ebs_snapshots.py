"""EBS snapshots the account owns, and who may create volumes from them.

DescribeSnapshots(OwnerIds=self) lists them; whether one is public (`group: all`) or shared with
named accounts is only in its createVolumePermission attribute, one DescribeSnapshotAttribute per
snapshot. Encrypted snapshots are not asked: AWS refuses to make an encrypted snapshot public, so
they are private by construction. Snapshots of other owners are dropped even if the listing
returns them (an emulator may ignore the OwnerIds filter): their sharing is not ours to judge.
The RestorableByUserIds filter would find public snapshots in one call, but emulators ignore it,
so it is not relied on.
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
    fan_out_by_key,
    partition_for,
    unknown_from,
)
from scanner.sources.aws.collectors.ec2 import ec2_arn, tags_dict


def collect(
    clients: ClientFactory, recorder: CallRecorder, account: str, region: str
) -> dict[str, Any]:
    ec2 = clients("ec2", region)
    listed = recorder.paginate(ec2, "describe_snapshots", "Snapshots", OwnerIds=["self"])
    if not isinstance(listed, list):
        return {"snapshots": listed, "create_volume_permissions": {}}
    snapshots = [s for s in listed if str(s.get("OwnerId")) == account]
    unencrypted = [str(s["SnapshotId"]) for s in snapshots if not s.get("Encrypted")]
    permissions = fan_out_by_key(
        recorder,
        lambda snapshot_id: recorder.call(
            ec2,
            "describe_snapshot_attribute",
            SnapshotId=snapshot_id,
            Attribute="createVolumePermission",
        ),
        unencrypted,
    )
    return {
        "snapshots": snapshots,
        "create_volume_permissions": permissions,
        "partition": ec2.meta.partition,
    }


def sharing(snapshot: Mapping[str, Any], response: Any) -> tuple[Any, Any]:
    """(public, shared_accounts) from the createVolumePermission attribute."""
    if snapshot.get("Encrypted"):
        return False, []  # AWS refuses public sharing of encrypted snapshots
    unknown = unknown_from(response)
    if unknown is None and not isinstance(response, Mapping):
        unknown = Unknown("ec2:DescribeSnapshotAttribute was not recorded for this snapshot")
    if unknown is not None:
        return unknown, unknown
    entries = response.get("CreateVolumePermissions") or []
    public = any(str(entry.get("Group", "")).lower() == "all" for entry in entries)
    accounts = sorted(str(entry["UserId"]) for entry in entries if entry.get("UserId"))
    return public, accounts


def normalize(raw: RawService) -> Iterable[Resource]:
    snapshots = raw.data.get("snapshots")
    if not isinstance(snapshots, list):
        return  # the failed listing is in the report
    partition = str(raw.data.get("partition") or partition_for(raw.region))
    permissions = raw.data.get("create_volume_permissions") or {}
    for snapshot in snapshots:
        snapshot_id = str(snapshot["SnapshotId"])
        public, accounts = sharing(snapshot, permissions.get(snapshot_id))
        yield Resource(
            type="aws_ebs_snapshot",
            id=ec2_arn(partition, raw.region, "", "snapshot", snapshot_id),
            source="aws",
            location=Location(account=raw.account, region=raw.region),
            attributes={
                "id": snapshot_id,
                "volume_id": snapshot.get("VolumeId"),
                "volume_size": snapshot.get("VolumeSize"),
                "encrypted": bool(snapshot.get("Encrypted", False)),
                "kms_key_id": snapshot.get("KmsKeyId"),
                "description": snapshot.get("Description"),
                "public": public,
                "shared_accounts": accounts,
                "tags": tags_dict(snapshot.get("Tags")),
            },
            raw={"snapshot": dict(snapshot), "permissions": permissions.get(snapshot_id)},
        )


COLLECTOR = Collector(
    name="ebs_snapshots",
    actions=("ec2:DescribeSnapshots", "ec2:DescribeSnapshotAttribute"),
    scope="regional",
    collect=collect,
    normalize=normalize,
    resource_types=("aws_ebs_snapshot",),
)
