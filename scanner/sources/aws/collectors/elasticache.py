"""ElastiCache replication groups (Redis OSS / Valkey): encryption at rest and in transit.

DescribeReplicationGroups returns both settings for every group: one paginated call per region.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from scanner.core.model import Location, Resource
from scanner.sources.aws.collector import CallRecorder, ClientFactory, Collector, RawService

# Terraform argument <- DescribeReplicationGroups field (copied only when present).
_FIELDS = {
    "description": "Description",
    "at_rest_encryption_enabled": "AtRestEncryptionEnabled",
    "transit_encryption_enabled": "TransitEncryptionEnabled",
    "transit_encryption_mode": "TransitEncryptionMode",
    "kms_key_id": "KmsKeyId",
    "auth_token_enabled": "AuthTokenEnabled",
    "engine": "Engine",
}


def collect(
    clients: ClientFactory, recorder: CallRecorder, account: str, region: str
) -> dict[str, Any]:
    elasticache = clients("elasticache", region)
    return {
        "replication_groups": recorder.paginate(
            elasticache, "describe_replication_groups", "ReplicationGroups"
        )
    }


def _attributes(item: Mapping[str, Any]) -> dict[str, Any]:
    attributes: dict[str, Any] = {"replication_group_id": item.get("ReplicationGroupId")}
    attributes.update({name: item[key] for name, key in _FIELDS.items() if key in item})
    # The API omits the flags on groups created before they existed: those are unencrypted.
    attributes.setdefault("at_rest_encryption_enabled", False)
    attributes.setdefault("transit_encryption_enabled", False)
    return attributes


def normalize(raw: RawService) -> Iterable[Resource]:
    location = Location(account=raw.account, region=raw.region)
    groups = raw.data.get("replication_groups")
    for item in groups if isinstance(groups, list) else []:
        yield Resource(
            type="aws_elasticache_replication_group",
            id=item["ARN"],
            source="aws",
            location=location,
            attributes=_attributes(item),
            raw=dict(item),
        )


COLLECTOR = Collector(
    name="elasticache",
    actions=("elasticache:DescribeReplicationGroups",),
    scope="regional",
    collect=collect,
    normalize=normalize,
    resource_types=("aws_elasticache_replication_group",),
)
