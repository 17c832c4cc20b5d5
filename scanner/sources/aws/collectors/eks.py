"""EKS clusters: secrets encryption, API endpoint exposure and control-plane logging."""

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

# resourcesVpcConfig field -> Terraform vpc_config argument; absent fields stay absent so the
# check applies the provider default (public endpoint on, open to 0.0.0.0/0).
_VPC_FIELDS = {
    "endpoint_private_access": "endpointPrivateAccess",
    "endpoint_public_access": "endpointPublicAccess",
    "public_access_cidrs": "publicAccessCidrs",
    "subnet_ids": "subnetIds",
    "security_group_ids": "securityGroupIds",
    "cluster_security_group_id": "clusterSecurityGroupId",
    "vpc_id": "vpcId",
}


def collect(
    clients: ClientFactory, recorder: CallRecorder, account: str, region: str
) -> dict[str, Any]:
    eks = clients("eks", region)
    names = recorder.paginate(eks, "list_clusters", "clusters")
    listed = names if isinstance(names, list) else []
    described = fan_out_by_key(
        recorder, lambda n: recorder.call(eks, "describe_cluster", name=n), listed
    )
    return {"clusters": names, "describe_cluster": described}


def _encryption_config(cluster: Mapping[str, Any]) -> list[dict[str, Any]]:
    blocks = []
    for config in cluster.get("encryptionConfig") or []:
        provider = config.get("provider") or {}
        block: dict[str, Any] = {"resources": list(config.get("resources") or [])}
        if provider.get("keyArn"):
            block["provider"] = [{"key_arn": provider["keyArn"]}]
        blocks.append(block)
    return blocks


def _enabled_log_types(cluster: Mapping[str, Any]) -> list[str]:
    # clusterLogging lists enabled and disabled groups of types; only the enabled ones count.
    enabled: set[str] = set()
    for group in (cluster.get("logging") or {}).get("clusterLogging") or []:
        if group.get("enabled"):
            enabled.update(group.get("types") or [])
    return sorted(enabled)


def _attributes(cluster: Mapping[str, Any]) -> dict[str, Any]:
    vpc = cluster.get("resourcesVpcConfig") or {}
    return {
        "name": cluster.get("name"),
        "version": cluster.get("version"),
        "role_arn": cluster.get("roleArn"),
        "encryption_config": _encryption_config(cluster),
        "vpc_config": [{name: vpc[key] for name, key in _VPC_FIELDS.items() if key in vpc}],
        "enabled_cluster_log_types": _enabled_log_types(cluster),
        "tags": dict(cluster.get("tags") or {}),
    }


def _resource(name: str, response: Any, location: Location) -> Resource:
    unknown = unknown_from(response)
    if unknown is None and not isinstance(response, Mapping):
        unknown = Unknown("eks:DescribeCluster was not recorded for this cluster")
    cluster = None if unknown is not None else response.get("cluster")
    if not isinstance(cluster, Mapping):
        reason = unknown if unknown is not None else Unknown("eks:DescribeCluster: no cluster")
        arn = (
            f"arn:{partition_for(location.region or '')}:eks:{location.region}:"
            f"{location.account}:cluster/{name}"
        )
        attributes: dict[str, Any] = {
            "name": name,
            "encryption_config": reason,
            "vpc_config": reason,
            "enabled_cluster_log_types": reason,
        }
        return Resource("aws_eks_cluster", arn, "aws", location, attributes, raw=response)
    return Resource(
        type="aws_eks_cluster",
        id=str(cluster["arn"]),
        source="aws",
        location=location,
        attributes=_attributes(cluster),
        # The certificate authority blob is public but bulky; evidence keeps the rest.
        raw={k: v for k, v in cluster.items() if k != "certificateAuthority"},
    )


def normalize(raw: RawService) -> Iterable[Resource]:
    location = Location(account=raw.account, region=raw.region)
    names = raw.data.get("clusters")
    described = raw.data.get("describe_cluster") or {}
    for name in names if isinstance(names, list) else []:
        yield _resource(name, described.get(name), location)


COLLECTOR = Collector(
    name="eks",
    actions=("eks:ListClusters", "eks:DescribeCluster"),
    scope="regional",
    collect=collect,
    normalize=normalize,
    resource_types=("aws_eks_cluster",),
)
