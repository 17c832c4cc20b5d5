"""DynamoDB Accelerator (DAX) clusters: encryption at rest and in transit.

DescribeClusters returns every cluster of the region with its `SSEDescription` and endpoint
encryption type, so a region costs one (paginated) call and no per-cluster call.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from scanner.core.model import Location, Resource
from scanner.sources.aws.collector import CallRecorder, ClientFactory, Collector, RawService

# SSE can only be chosen at creation: ENABLING is a cluster being created with it.
_SSE_ON = ("ENABLED", "ENABLING")


def collect(
    clients: ClientFactory, recorder: CallRecorder, account: str, region: str
) -> dict[str, Any]:
    dax = clients("dax", region)
    return {"clusters": recorder.paginate(dax, "describe_clusters", "Clusters")}


def _attributes(item: Mapping[str, Any]) -> dict[str, Any]:
    sse = item.get("SSEDescription")
    status = sse.get("Status") if isinstance(sse, Mapping) else None
    return {
        "cluster_name": item.get("ClusterName"),
        "arn": item.get("ClusterArn"),
        "status": item.get("Status"),
        "server_side_encryption": [{"enabled": status in _SSE_ON, "status": status}],
        "cluster_endpoint_encryption_type": item.get("ClusterEndpointEncryptionType") or "NONE",
    }


def normalize(raw: RawService) -> Iterable[Resource]:
    location = Location(account=raw.account, region=raw.region)
    clusters = raw.data.get("clusters")
    for item in clusters if isinstance(clusters, list) else []:
        yield Resource(
            type="aws_dax_cluster",
            id=str(item["ClusterArn"]),
            source="aws",
            location=location,
            attributes=_attributes(item),
            raw=dict(item),
        )


COLLECTOR = Collector(
    name="dax",
    actions=("dax:DescribeClusters",),
    scope="regional",
    collect=collect,
    normalize=normalize,
    resource_types=("aws_dax_cluster",),
)
