"""Amazon EMR in one region: the account's block public access setting, and where the master
node of each active cluster can be reached.

GetBlockPublicAccessConfiguration once per region; ListClusters (active states only, paginated)
and DescribeCluster per active cluster (the master's DNS name is not in the listing).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from scanner.core.model import Location, Resource
from scanner.sources.aws.collector import (
    CallRecorder,
    ClientFactory,
    Collector,
    RawService,
    fan_out_by_key,
    partition_for,
    unknown_from,
)

ACTIVE_STATES = ["STARTING", "BOOTSTRAPPING", "RUNNING", "WAITING"]
BPA_TYPE = "aws_emr_block_public_access_configuration"


def collect(
    clients: ClientFactory, recorder: CallRecorder, account: str, region: str
) -> dict[str, Any]:
    emr = clients("emr", region)
    clusters = recorder.paginate(emr, "list_clusters", "Clusters", ClusterStates=ACTIVE_STATES)
    ids = [str(c["Id"]) for c in clusters] if isinstance(clusters, list) else []
    return {
        "block_public_access": recorder.call(emr, "get_block_public_access_configuration"),
        "clusters": clusters,
        "described": fan_out_by_key(
            recorder,
            lambda cluster_id: recorder.call(emr, "describe_cluster", ClusterId=cluster_id),
            ids,
        ),
        "partition": emr.meta.partition,
    }


def _block_public_access(raw: RawService, partition: str) -> Resource:
    response = raw.data.get("block_public_access")
    failed = unknown_from(response)
    attributes: dict[str, Any]
    if failed is not None:
        attributes = {"block_public_security_group_rules": failed}
    else:
        config = (response or {}).get("BlockPublicAccessConfiguration") or {}
        ranges = config.get("PermittedPublicSecurityGroupRuleRanges") or []
        attributes = {
            "block_public_security_group_rules": config.get("BlockPublicSecurityGroupRules"),
            "permitted_public_security_group_rule_range": [
                {"min_range": r.get("MinRange"), "max_range": r.get("MaxRange", r.get("MinRange"))}
                for r in ranges
                if isinstance(r, Mapping)
            ],
        }
    return Resource(
        type=BPA_TYPE,
        id=f"arn:{partition}:elasticmapreduce:{raw.region}:{raw.account}:block-public-access",
        source="aws",
        location=Location(account=raw.account, region=raw.region),
        attributes=attributes,
        raw=response,
    )


def _cluster(summary: Mapping[str, Any], described: Any, raw: RawService) -> Resource:
    failed = unknown_from(described)
    cluster = (described or {}).get("Cluster") or {} if failed is None else {}
    ec2 = cluster.get("Ec2InstanceAttributes") or {}
    return Resource(
        type="aws_emr_cluster",
        id=str(summary.get("ClusterArn") or cluster.get("ClusterArn") or summary["Id"]),
        source="aws",
        location=Location(account=raw.account, region=raw.region),
        attributes={
            "id": summary.get("Id"),
            "name": summary.get("Name"),
            "state": (summary.get("Status") or {}).get("State"),
            "master_public_dns": failed
            if failed is not None
            else cluster.get("MasterPublicDnsName"),
            "subnet_id": ec2.get("Ec2SubnetId"),
        },
        raw={"summary": dict(summary), "cluster": described},
    )


def normalize(raw: RawService) -> Iterable[Resource]:
    partition = str(raw.data.get("partition") or partition_for(raw.region))
    if "block_public_access" in raw.data:
        yield _block_public_access(raw, partition)
    clusters = raw.data.get("clusters")
    described = raw.data.get("described") or {}
    for summary in clusters if isinstance(clusters, list) else []:
        yield _cluster(summary, described.get(str(summary["Id"])), raw)


COLLECTOR = Collector(
    name="emr",
    actions=(
        "elasticmapreduce:GetBlockPublicAccessConfiguration",
        "elasticmapreduce:ListClusters",
        "elasticmapreduce:DescribeCluster",
    ),
    scope="regional",
    collect=collect,
    normalize=normalize,
    resource_types=(BPA_TYPE, "aws_emr_cluster"),
)
