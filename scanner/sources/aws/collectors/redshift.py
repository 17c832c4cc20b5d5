"""Redshift provisioned clusters: encryption, public accessibility and audit logging.

DescribeClusters carries encryption and accessibility; audit logging needs one
DescribeLoggingStatus per cluster. Terraform splits logging into `aws_redshift_logging` (folded
into the cluster), so the live side builds the same `logging` block.
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


def collect(
    clients: ClientFactory, recorder: CallRecorder, account: str, region: str
) -> dict[str, Any]:
    redshift = clients("redshift", region)
    clusters = recorder.paginate(redshift, "describe_clusters", "Clusters")
    names = [c["ClusterIdentifier"] for c in clusters] if isinstance(clusters, list) else []
    statuses = fan_out_by_key(
        recorder,
        lambda name: recorder.call(redshift, "describe_logging_status", ClusterIdentifier=name),
        names,
    )
    return {"clusters": clusters, "logging_status": statuses}


def logging_block(response: Any, recorded: bool) -> list[dict[str, Any]] | Unknown:
    """`logging` as the folded `aws_redshift_logging` gives it: one block, `enable` a bool."""
    unknown = unknown_from(response)
    if unknown is not None:
        return unknown
    if not recorded or not isinstance(response, Mapping):
        return Unknown("redshift:DescribeLoggingStatus was not recorded for this cluster")
    block: dict[str, Any] = {"enable": bool(response.get("LoggingEnabled", False))}
    for name, key in (
        ("bucket_name", "BucketName"),
        ("s3_key_prefix", "S3KeyPrefix"),
        ("log_destination_type", "LogDestinationType"),
        ("log_exports", "LogExports"),
    ):
        if response.get(key) is not None:
            block[name] = response[key]
    return [block]


def normalize(raw: RawService) -> Iterable[Resource]:
    location = Location(account=raw.account, region=raw.region)
    clusters = raw.data.get("clusters")
    statuses = raw.data.get("logging_status") or {}
    for item in clusters if isinstance(clusters, list) else []:
        name = item["ClusterIdentifier"]
        attributes: dict[str, Any] = {
            "cluster_identifier": name,
            "encrypted": bool(item.get("Encrypted", False)),
            "publicly_accessible": bool(item.get("PubliclyAccessible", False)),
            "logging": logging_block(statuses.get(name), name in statuses),
            "tags": {tag["Key"]: tag.get("Value") for tag in item.get("Tags") or []},
        }
        for attribute, key in (
            ("kms_key_id", "KmsKeyId"),
            ("node_type", "NodeType"),
            ("automated_snapshot_retention_period", "AutomatedSnapshotRetentionPeriod"),
        ):
            if item.get(key) is not None:
                attributes[attribute] = item[key]
        yield Resource(
            type="aws_redshift_cluster",
            id=(
                f"arn:{partition_for(raw.region)}:redshift:{raw.region}:{raw.account}:"
                f"cluster:{name}"
            ),
            source="aws",
            location=location,
            attributes=attributes,
            raw={"cluster": dict(item), "logging_status": statuses.get(name)},
        )


COLLECTOR = Collector(
    name="redshift",
    actions=("redshift:DescribeClusters", "redshift:DescribeLoggingStatus"),
    scope="regional",
    collect=collect,
    normalize=normalize,
    resource_types=("aws_redshift_cluster",),
)
