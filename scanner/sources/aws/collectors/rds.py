"""RDS: DB instances, clusters and manual DB snapshots.

The RDS API also serves DocumentDB and Neptune (same endpoints, engine `docdb` / `neptune*`), and
lists Aurora and Multi-AZ cluster members among DB instances. Each gets its own Terraform type so
that instance-level checks (Multi-AZ, deletion protection) never judge a cluster member, whose
storage, backups and protection belong to the cluster.
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
    unknown_from,
)

# Terraform argument <- DescribeDBInstances field. Only fields present in the response are copied:
# an absent field means the provider default, never an invented value.
_INSTANCE_FIELDS = {
    "identifier": "DBInstanceIdentifier",
    "engine": "Engine",
    "engine_version": "EngineVersion",
    "instance_class": "DBInstanceClass",
    "storage_encrypted": "StorageEncrypted",
    "kms_key_id": "KmsKeyId",
    "storage_type": "StorageType",
    "publicly_accessible": "PubliclyAccessible",
    "backup_retention_period": "BackupRetentionPeriod",
    "deletion_protection": "DeletionProtection",
    "multi_az": "MultiAZ",
    "iam_database_authentication_enabled": "IAMDatabaseAuthenticationEnabled",
    "replicate_source_db": "ReadReplicaSourceDBInstanceIdentifier",
    "auto_minor_version_upgrade": "AutoMinorVersionUpgrade",
    "copy_tags_to_snapshot": "CopyTagsToSnapshot",
    "performance_insights_enabled": "PerformanceInsightsEnabled",
    "performance_insights_kms_key_id": "PerformanceInsightsKMSKeyId",
    "monitoring_interval": "MonitoringInterval",
    "ca_cert_identifier": "CACertificateIdentifier",
    "enabled_cloudwatch_logs_exports": "EnabledCloudwatchLogsExports",
}
# A cluster member's storage, backup and protection settings mirror its cluster's; Terraform's
# aws_rds_cluster_instance has no such arguments, so they are not copied onto it.
_CLUSTER_INSTANCE_FIELDS = {
    "identifier": "DBInstanceIdentifier",
    "cluster_identifier": "DBClusterIdentifier",
    "engine": "Engine",
    "engine_version": "EngineVersion",
    "instance_class": "DBInstanceClass",
    "publicly_accessible": "PubliclyAccessible",
    "auto_minor_version_upgrade": "AutoMinorVersionUpgrade",
    "performance_insights_enabled": "PerformanceInsightsEnabled",
    "performance_insights_kms_key_id": "PerformanceInsightsKMSKeyId",
    "monitoring_interval": "MonitoringInterval",
    "ca_cert_identifier": "CACertificateIdentifier",
}
_CLUSTER_FIELDS = {
    "cluster_identifier": "DBClusterIdentifier",
    "engine": "Engine",
    "engine_version": "EngineVersion",
    "engine_mode": "EngineMode",
    "storage_encrypted": "StorageEncrypted",
    "kms_key_id": "KmsKeyId",
    "storage_type": "StorageType",
    "backup_retention_period": "BackupRetentionPeriod",
    "deletion_protection": "DeletionProtection",
    "iam_database_authentication_enabled": "IAMDatabaseAuthenticationEnabled",
    "replication_source_identifier": "ReplicationSourceIdentifier",
    "publicly_accessible": "PubliclyAccessible",  # Multi-AZ DB clusters only
    "copy_tags_to_snapshot": "CopyTagsToSnapshot",
    "enabled_cloudwatch_logs_exports": "EnabledCloudwatchLogsExports",
    "db_subnet_group_name": "DBSubnetGroup",
}
_SNAPSHOT_FIELDS = {
    "db_snapshot_identifier": "DBSnapshotIdentifier",
    "db_instance_identifier": "DBInstanceIdentifier",
    "engine": "Engine",
    "encrypted": "Encrypted",
    "kms_key_id": "KmsKeyId",
    "snapshot_type": "SnapshotType",
}

_TYPES = {
    # engine family -> (standalone instance, cluster member, cluster)
    "rds": ("aws_db_instance", "aws_rds_cluster_instance", "aws_rds_cluster"),
    "docdb": ("aws_docdb_cluster_instance", "aws_docdb_cluster_instance", "aws_docdb_cluster"),
    "neptune": (
        "aws_neptune_cluster_instance",
        "aws_neptune_cluster_instance",
        "aws_neptune_cluster",
    ),
}


def collect(
    clients: ClientFactory, recorder: CallRecorder, account: str, region: str
) -> dict[str, Any]:
    rds = clients("rds", region)
    # Only manual snapshots: automated ones cannot be shared or made public, and a snapshot made
    # by `aws_db_snapshot` (the canonical type) is manual. Shared/public snapshots owned by other
    # accounts are excluded by the API's defaults (IncludeShared/IncludePublic false).
    snapshots = recorder.paginate(
        rds, "describe_db_snapshots", "DBSnapshots", SnapshotType="manual"
    )
    names = [s["DBSnapshotIdentifier"] for s in snapshots] if isinstance(snapshots, list) else []
    responses = fan_out_by_key(
        recorder,
        lambda name: recorder.call(
            rds, "describe_db_snapshot_attributes", DBSnapshotIdentifier=name
        ),
        names,
    )
    return {
        "db_instances": recorder.paginate(rds, "describe_db_instances", "DBInstances"),
        "db_clusters": recorder.paginate(rds, "describe_db_clusters", "DBClusters"),
        "db_snapshots": snapshots,
        "db_snapshot_attributes": responses,
    }


def _family(engine: Any) -> str:
    text = str(engine or "")
    if text.startswith("docdb"):
        return "docdb"
    if text.startswith("neptune"):
        return "neptune"
    return "rds"


def _pick(item: Mapping[str, Any], fields: Mapping[str, str]) -> dict[str, Any]:
    return {name: item[key] for name, key in fields.items() if item.get(key) is not None}


def _tags(item: Mapping[str, Any]) -> dict[str, Any]:
    return {tag["Key"]: tag.get("Value") for tag in item.get("TagList") or []}


def _security_groups(item: Mapping[str, Any]) -> list[str]:
    return [group["VpcSecurityGroupId"] for group in item.get("VpcSecurityGroups") or []]


def _items(value: Any) -> list[Mapping[str, Any]]:
    """The listed items, or none when the list call failed (the recorder reports that error)."""
    return value if isinstance(value, list) else []


def _instance(item: Mapping[str, Any], location: Location) -> Resource:
    standalone, member, _ = _TYPES[_family(item.get("Engine"))]
    in_cluster = item.get("DBClusterIdentifier") is not None
    attributes = _pick(item, _CLUSTER_INSTANCE_FIELDS if in_cluster else _INSTANCE_FIELDS)
    subnet_group = (item.get("DBSubnetGroup") or {}).get("DBSubnetGroupName")
    if subnet_group is not None:
        attributes["db_subnet_group_name"] = subnet_group
    if not in_cluster:
        attributes["vpc_security_group_ids"] = _security_groups(item)
    attributes["tags"] = _tags(item)
    return Resource(
        type=member if in_cluster else standalone,
        id=item["DBInstanceArn"],
        source="aws",
        location=location,
        attributes=attributes,
        raw=dict(item),
    )


def _cluster(item: Mapping[str, Any], location: Location) -> Resource:
    attributes = _pick(item, _CLUSTER_FIELDS)
    attributes["vpc_security_group_ids"] = _security_groups(item)
    attributes["tags"] = _tags(item)
    return Resource(
        type=_TYPES[_family(item.get("Engine"))][2],
        id=item["DBClusterArn"],
        source="aws",
        location=location,
        attributes=attributes,
        raw=dict(item),
    )


def _snapshot(item: Mapping[str, Any], response: Any, location: Location) -> Resource:
    attributes = _pick(item, _SNAPSHOT_FIELDS)
    unknown = unknown_from(response)
    if unknown is None and not isinstance(response, Mapping):
        unknown = Unknown("rds:DescribeDBSnapshotAttributes was not recorded for this snapshot")
    if unknown is not None:
        # Without the attributes we cannot say who may restore it: unknown, never "private".
        attributes["public"] = unknown
        attributes["shared_accounts"] = unknown
    else:
        restore: list[str] = []
        result = response.get("DBSnapshotAttributesResult") or {}
        for attribute in result.get("DBSnapshotAttributes") or []:
            if attribute.get("AttributeName") == "restore":
                restore.extend(attribute.get("AttributeValues") or [])
        # "all" in the restore attribute is how RDS marks a snapshot any AWS account may restore.
        attributes["public"] = "all" in restore
        attributes["shared_accounts"] = sorted(value for value in restore if value != "all")
    return Resource(
        type="aws_db_snapshot",
        id=item["DBSnapshotArn"],
        source="aws",
        location=location,
        attributes=attributes,
        raw={"snapshot": dict(item), "attributes": response},
    )


def normalize(raw: RawService) -> Iterable[Resource]:
    location = Location(account=raw.account, region=raw.region)
    for item in _items(raw.data.get("db_instances")):
        yield _instance(item, location)
    for item in _items(raw.data.get("db_clusters")):
        yield _cluster(item, location)
    attributes = raw.data.get("db_snapshot_attributes") or {}
    for item in _items(raw.data.get("db_snapshots")):
        yield _snapshot(item, attributes.get(item["DBSnapshotIdentifier"]), location)


COLLECTOR = Collector(
    name="rds",
    actions=(
        "rds:DescribeDBInstances",
        "rds:DescribeDBClusters",
        "rds:DescribeDBSnapshots",
        "rds:DescribeDBSnapshotAttributes",
    ),
    scope="regional",
    collect=collect,
    normalize=normalize,
    resource_types=(
        "aws_db_instance",
        "aws_rds_cluster_instance",
        "aws_rds_cluster",
        "aws_db_snapshot",
        "aws_docdb_cluster",
        "aws_docdb_cluster_instance",
        "aws_neptune_cluster",
        "aws_neptune_cluster_instance",
    ),
)
