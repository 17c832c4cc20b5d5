"""EC2 in one region: EBS volumes and encryption by default, security groups, VPCs with their
flow logs, and instances' metadata options.

Six region-wide calls, paginated, run side by side; no per-resource calls. Flow logs are listed
once per region and folded into their VPC, as the Terraform normalizer folds `aws_flow_log`.
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

# data key -> (operation, result key or None for a single call)
_CALLS: dict[str, tuple[str, str | None]] = {
    "volumes": ("DescribeVolumes", "Volumes"),
    "ebs_encryption_by_default": ("GetEbsEncryptionByDefault", None),
    "security_groups": ("DescribeSecurityGroups", "SecurityGroups"),
    "vpcs": ("DescribeVpcs", "Vpcs"),
    "flow_logs": ("DescribeFlowLogs", "FlowLogs"),
    "reservations": ("DescribeInstances", "Reservations"),
}
ALL_PORTS = (0, 65535)


def collect(
    clients: ClientFactory, recorder: CallRecorder, account: str, region: str
) -> dict[str, Any]:
    ec2 = clients("ec2", region)

    def run(key: str) -> Any:
        operation, result_key = _CALLS[key]
        if result_key is None:
            return recorder.call(ec2, operation)
        return recorder.paginate(ec2, operation, result_key)

    keys = sorted(_CALLS)
    data: dict[str, Any] = fan_out_by_key(recorder, run, keys)
    data["partition"] = ec2.meta.partition
    return data


def tags_dict(tags: Any) -> dict[str, Any]:
    """EC2's `[{"Key": k, "Value": v}]` as Terraform's `tags` map."""
    if not isinstance(tags, list):
        return {}
    return {str(t.get("Key")): t.get("Value") for t in tags if isinstance(t, Mapping)}


def ec2_arn(partition: str, region: str, account: str, kind: str, resource_id: str) -> str:
    """An EC2 resource's ARN (`account` is empty for AMIs and snapshots, as AWS writes them)."""
    return f"arn:{partition}:ec2:{region}:{account}:{kind}/{resource_id}"


def _rules(permissions: Iterable[Mapping[str, Any]], group_id: str) -> list[dict[str, Any]]:
    """IpPermissions as canonical rules; protocol "-1" means every port (0-65535)."""
    rules = []
    for permission in permissions:
        protocol = str(permission.get("IpProtocol", "-1"))
        if protocol == "-1":
            from_port, to_port = ALL_PORTS
        else:
            from_port = int(permission.get("FromPort", ALL_PORTS[0]))
            to_port = int(permission.get("ToPort", ALL_PORTS[1]))
        ranges = permission.get("IpRanges", [])
        ipv6 = permission.get("Ipv6Ranges", [])
        pairs = permission.get("UserIdGroupPairs", [])
        descriptions = [
            entry.get("Description")
            for entry in [*ranges, *ipv6, *pairs]
            if entry.get("Description")
        ]
        rules.append(
            {
                "from_port": from_port,
                "to_port": to_port,
                "protocol": protocol,
                "cidr_blocks": [r["CidrIp"] for r in ranges if "CidrIp" in r],
                "ipv6_cidr_blocks": [r["CidrIpv6"] for r in ipv6 if "CidrIpv6" in r],
                "security_groups": [
                    p["GroupId"] for p in pairs if p.get("GroupId") and p["GroupId"] != group_id
                ],
                "self": any(p.get("GroupId") == group_id for p in pairs),
                "prefix_list_ids": [
                    p["PrefixListId"]
                    for p in permission.get("PrefixListIds", [])
                    if "PrefixListId" in p
                ],
                "description": descriptions[0] if descriptions else None,
            }
        )
    return rules


def _security_group(group: Mapping[str, Any], raw: RawService, partition: str) -> Resource:
    region = raw.region
    group_id = str(group["GroupId"])
    owner = str(group.get("OwnerId") or raw.account)
    arn = str(
        group.get("SecurityGroupArn")
        or ec2_arn(partition, region, owner, "security-group", group_id)
    )
    return Resource(
        type="aws_security_group",
        id=arn,
        source="aws",
        location=Location(account=owner, region=region),
        attributes={
            "id": group_id,
            "arn": arn,
            "name": group.get("GroupName"),
            "description": group.get("Description"),
            "vpc_id": group.get("VpcId"),
            "ingress": _rules(group.get("IpPermissions", []), group_id),
            "egress": _rules(group.get("IpPermissionsEgress", []), group_id),
            "tags": tags_dict(group.get("Tags")),
        },
        raw=dict(group),
    )


def _flow_log(entry: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": entry.get("FlowLogId"),
        "traffic_type": entry.get("TrafficType"),
        "log_destination": entry.get("LogDestination"),
        "log_destination_type": entry.get("LogDestinationType"),
        "log_group_name": entry.get("LogGroupName"),
        "iam_role_arn": entry.get("DeliverLogsPermissionArn"),
        "max_aggregation_interval": entry.get("MaxAggregationInterval"),
        "log_format": entry.get("LogFormat"),
        "status": entry.get("FlowLogStatus"),
    }


def _vpcs(raw: RawService, partition: str) -> Iterable[Resource]:
    flow_logs = raw.data.get("flow_logs", [])
    failed = unknown_from(flow_logs)
    by_vpc: dict[str, list[dict[str, Any]]] = {}
    if failed is None:
        for entry in flow_logs:
            by_vpc.setdefault(str(entry.get("ResourceId")), []).append(_flow_log(entry))
    for vpc in raw.data.get("vpcs", []):
        vpc_id = str(vpc["VpcId"])
        owner = str(vpc.get("OwnerId") or raw.account)
        arn = ec2_arn(partition, raw.region, owner, "vpc", vpc_id)
        yield Resource(
            type="aws_vpc",
            id=arn,
            source="aws",
            location=Location(account=owner, region=raw.region),
            attributes={
                "id": vpc_id,
                "arn": arn,
                "cidr_block": vpc.get("CidrBlock"),
                "is_default": vpc.get("IsDefault"),
                "instance_tenancy": vpc.get("InstanceTenancy"),
                "flow_logs": failed if failed is not None else by_vpc.get(vpc_id, []),
                "tags": tags_dict(vpc.get("Tags")),
            },
            # `failed is not None`, never `if failed`: the truth of an Unknown raises, and that
            # once dropped every VPC and instance of the region when flow logs were denied.
            raw={
                "vpc": vpc,
                "flow_logs": flow_logs if failed is not None else by_vpc.get(vpc_id, []),
            },
        )


def _volume(volume: Mapping[str, Any], raw: RawService, partition: str) -> Resource:
    volume_id = str(volume["VolumeId"])
    arn = ec2_arn(partition, raw.region, raw.account, "volume", volume_id)
    return Resource(
        type="aws_ebs_volume",
        id=arn,
        source="aws",
        location=Location(account=raw.account, region=raw.region),
        attributes={
            "id": volume_id,
            "arn": arn,
            "availability_zone": volume.get("AvailabilityZone"),
            "encrypted": bool(volume.get("Encrypted", False)),
            "kms_key_id": volume.get("KmsKeyId"),
            "size": volume.get("Size"),
            "type": volume.get("VolumeType"),
            "iops": volume.get("Iops"),
            "throughput": volume.get("Throughput"),
            "snapshot_id": volume.get("SnapshotId") or None,
            "multi_attach_enabled": volume.get("MultiAttachEnabled"),
            "tags": tags_dict(volume.get("Tags")),
        },
        raw=dict(volume),
    )


def _public_ip(instance: Mapping[str, Any]) -> Any:
    """`PublicIpAddress` is the primary interface's; an Elastic IP on another attached interface
    reaches the instance too (each interface's `Association.PublicIp`)."""
    if instance.get("PublicIpAddress"):
        return instance["PublicIpAddress"]
    for interface in instance.get("NetworkInterfaces") or []:
        address = (interface.get("Association") or {}).get("PublicIp")
        if address:
            return address
    return None


def _instance(instance: Mapping[str, Any], owner: str, raw: RawService, partition: str) -> Resource:
    instance_id = str(instance["InstanceId"])
    arn = ec2_arn(partition, raw.region, owner, "instance", instance_id)
    attributes: dict[str, Any] = {
        "id": instance_id,
        "arn": arn,
        "instance_type": instance.get("InstanceType"),
        "ami": instance.get("ImageId"),
        "subnet_id": instance.get("SubnetId"),
        "public_ip": _public_ip(instance),
        "vpc_security_group_ids": [g.get("GroupId") for g in instance.get("SecurityGroups", [])],
        "iam_instance_profile": (instance.get("IamInstanceProfile") or {}).get("Arn"),
        "instance_state": (instance.get("State") or {}).get("Name"),
        "tags": tags_dict(instance.get("Tags")),
    }
    options = instance.get("MetadataOptions")
    if options:  # absent: the provider default ("optional") applies, as in Terraform
        attributes["metadata_options"] = [
            {
                "http_tokens": options.get("HttpTokens"),
                "http_endpoint": options.get("HttpEndpoint"),
                "http_put_response_hop_limit": options.get("HttpPutResponseHopLimit"),
                "instance_metadata_tags": options.get("InstanceMetadataTags"),
            }
        ]
    return Resource(
        type="aws_instance",
        id=arn,
        source="aws",
        location=Location(account=owner, region=raw.region),
        attributes=attributes,
        raw=dict(instance),
    )


def _ebs_default(raw: RawService, partition: str) -> Resource:
    response = raw.data.get("ebs_encryption_by_default") or {}
    failed = unknown_from(response)
    enabled: Any = failed if failed is not None else bool(response.get("EbsEncryptionByDefault"))
    return Resource(
        type="aws_ebs_encryption_by_default",
        id=f"arn:{partition}:ec2:{raw.region}:{raw.account}:ebs-encryption-by-default",
        source="aws",
        location=Location(account=raw.account, region=raw.region),
        attributes={"enabled": enabled},
        raw=response,
    )


def _listed(raw: RawService, key: str) -> list[Any]:
    """A region-wide list, or nothing when its call failed (the error is in the report)."""
    value = raw.data.get(key, [])
    return [] if unknown_from(value) is not None else list(value)


def normalize(raw: RawService) -> Iterable[Resource]:
    partition = str(raw.data.get("partition") or partition_for(raw.region))
    for volume in _listed(raw, "volumes"):
        yield _volume(volume, raw, partition)
    if "ebs_encryption_by_default" in raw.data:
        yield _ebs_default(raw, partition)
    for group in _listed(raw, "security_groups"):
        yield _security_group(group, raw, partition)
    if unknown_from(raw.data.get("vpcs")) is None:
        yield from _vpcs(raw, partition)
    for reservation in _listed(raw, "reservations"):
        owner = str(reservation.get("OwnerId") or raw.account)
        for instance in reservation.get("Instances", []):
            # Terminated instances linger in the listing for an hour; they hold nothing.
            if (instance.get("State") or {}).get("Name") != "terminated":
                yield _instance(instance, owner, raw, partition)


COLLECTOR = Collector(
    name="ec2",
    actions=(
        "ec2:DescribeVolumes",
        "ec2:GetEbsEncryptionByDefault",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeVpcs",
        "ec2:DescribeFlowLogs",
        "ec2:DescribeInstances",
    ),
    scope="regional",
    collect=collect,
    normalize=normalize,
    resource_types=(
        "aws_ebs_volume",
        "aws_ebs_encryption_by_default",
        "aws_security_group",
        "aws_vpc",
        "aws_instance",
    ),
)
