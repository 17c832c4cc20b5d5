"""Network ACLs in one region with their rules, in the shape Terraform's `aws_network_acl`
ingress/egress blocks have (docs/resource-schema.md).

One region-wide call, paginated (DescribeNetworkAcls): the rules come with it. Default ACLs are
included (`is_default`); their rule 100 allows all traffic from 0.0.0.0/0.
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
    partition_for,
)
from scanner.sources.aws.collectors.ec2 import ec2_arn, tags_dict


def collect(
    clients: ClientFactory, recorder: CallRecorder, account: str, region: str
) -> dict[str, Any]:
    ec2 = clients("ec2", region)
    return {
        "network_acls": recorder.paginate(ec2, "describe_network_acls", "NetworkAcls"),
        "partition": ec2.meta.partition,
    }


def entry(item: Mapping[str, Any]) -> dict[str, Any]:
    """One rule; protocol "-1" (every protocol) has no port range."""
    ports = item.get("PortRange") or {}
    return {
        "rule_number": item.get("RuleNumber"),
        "action": str(item.get("RuleAction", "")).lower(),
        "protocol": str(item.get("Protocol")),
        "cidr_block": item.get("CidrBlock"),
        "ipv6_cidr_block": item.get("Ipv6CidrBlock"),
        "from_port": ports.get("From"),
        "to_port": ports.get("To"),
    }


def normalize(raw: RawService) -> Iterable[Resource]:
    acls = raw.data.get("network_acls")
    if not isinstance(acls, list):
        return  # the failed listing is in the report
    partition = str(raw.data.get("partition") or partition_for(raw.region))
    for acl in acls:
        acl_id = str(acl["NetworkAclId"])
        owner = str(acl.get("OwnerId") or raw.account)
        entries = acl.get("Entries") or []
        yield Resource(
            type="aws_network_acl",
            id=ec2_arn(partition, raw.region, owner, "network-acl", acl_id),
            source="aws",
            location=Location(account=owner, region=raw.region),
            attributes={
                "id": acl_id,
                "vpc_id": acl.get("VpcId"),
                "is_default": bool(acl.get("IsDefault", False)),
                "subnet_ids": sorted(
                    str(a["SubnetId"]) for a in acl.get("Associations") or [] if a.get("SubnetId")
                ),
                "ingress": [entry(e) for e in entries if not e.get("Egress")],
                "egress": [entry(e) for e in entries if e.get("Egress")],
                "tags": tags_dict(acl.get("Tags")),
            },
            raw=dict(acl),
        )


COLLECTOR = Collector(
    name="network_acls",
    actions=("ec2:DescribeNetworkAcls",),
    scope="regional",
    collect=collect,
    normalize=normalize,
    resource_types=("aws_network_acl",),
)
