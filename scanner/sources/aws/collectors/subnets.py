"""VPC subnets in one region: their tags (which say a subnet is private or holds ePHI) and
whether they give instances a public IP on launch.

One region-wide call, paginated (DescribeSubnets); no per-subnet call.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scanner.core.model import Location, Resource
from scanner.sources.aws.collector import (
    CallRecorder,
    ClientFactory,
    Collector,
    RawService,
    partition_for,
    unknown_from,
)
from scanner.sources.aws.collectors.ec2 import ec2_arn, tags_dict


def collect(
    clients: ClientFactory, recorder: CallRecorder, account: str, region: str
) -> dict[str, Any]:
    ec2 = clients("ec2", region)
    return {
        "subnets": recorder.paginate(ec2, "describe_subnets", "Subnets"),
        "partition": ec2.meta.partition,
    }


def normalize(raw: RawService) -> Iterable[Resource]:
    subnets = raw.data.get("subnets")
    if unknown_from(subnets) is not None or not isinstance(subnets, list):
        return  # the failed listing is in the report; instances in them are judged unknown
    partition = str(raw.data.get("partition") or partition_for(raw.region))
    for subnet in subnets:
        subnet_id = str(subnet["SubnetId"])
        owner = str(subnet.get("OwnerId") or raw.account)
        arn = str(
            subnet.get("SubnetArn") or ec2_arn(partition, raw.region, owner, "subnet", subnet_id)
        )
        yield Resource(
            type="aws_subnet",
            id=arn,
            source="aws",
            location=Location(account=owner, region=raw.region),
            attributes={
                "id": subnet_id,
                "arn": arn,
                "vpc_id": subnet.get("VpcId"),
                "cidr_block": subnet.get("CidrBlock"),
                "availability_zone": subnet.get("AvailabilityZone"),
                "map_public_ip_on_launch": bool(subnet.get("MapPublicIpOnLaunch", False)),
                "tags": tags_dict(subnet.get("Tags")),
            },
            raw=dict(subnet),
        )


COLLECTOR = Collector(
    name="subnets",
    actions=("ec2:DescribeSubnets",),
    scope="regional",
    collect=collect,
    normalize=normalize,
    resource_types=("aws_subnet",),
)
