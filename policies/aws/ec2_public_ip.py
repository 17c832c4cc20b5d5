"""EC2 instances with a public IP address in subnets marked private or as holding ePHI.

Which subnets are private (the rule `ec2_instance_no_public_ip_in_private_subnet` applies; also
in docs/aws.md, "Instances in private subnets"). A subnet is private when one of its tags says
so; tag keys and values are compared without regard to case or surrounding spaces:

- `Tier` = `private` (the tag AWS's own VPC templates write);
- `ephi` or `phi` = `true` (the subnet holds ePHI, whatever its tier);
- `Name` contains `private` (`app-private-a`).

Any other subnet gets no finding: an instance with a public IP in a public subnet is a design
choice this check does not judge. An unresolved tag value of a subnet that no other tag marks
private makes its instances unknown.

Whether an instance has a public IP. Live: `PublicIpAddress` from DescribeInstances (an
Elastic IP included), or the public IP of another attached network interface; a stopped
instance has none. Terraform: `associate_public_ip_address`
when set; unset, the subnet's `map_public_ip_on_launch` decides (default false), which is why a
private subnet that maps public IPs on launch still fails its instances. An `aws_eip` whose
`instance` or `network_interface`, or an `aws_eip_association` whose `instance_id` or
`network_interface_id`, names the instance (its primary network interface:
`aws_instance.app.primary_network_interface_id`) gives it one too. An instance whose subnet is
not in the configuration (a literal id, a data source, a module output, a launch template that
may choose it) is unknown.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from scanner.core.model import (
    NotJudged,
    Resource,
    Result,
    is_reference,
    is_unknown,
    split_root_label,
)
from scanner.core.registry import check

PRIVATE_TIER_KEYS = ("tier",)
PRIVATE_TIER_VALUE = "private"
EPHI_KEYS = ("ephi", "phi")
EPHI_VALUE = "true"
NAME_KEY = "name"
NAME_MARKER = "private"
EIP_TYPES = ("aws_eip", "aws_eip_association")

Maybe = bool | None  # None: cannot be decided
# Instances outside private subnets are not this check's concern: no finding, not a pass.
OUTSIDE_PRIVATE_SUBNETS = NotJudged("not in a subnet tagged private or ePHI", warn=False)


def _norm(value: Any) -> str | None:
    """A tag's text, lowercased and stripped; None when it is not known before apply."""
    if is_unknown(value) or is_reference(value) or value is None:
        return None
    return str(value).strip().lower()


def private_marker(tags: Any) -> tuple[Maybe, str]:
    """Whether the tags mark a subnet private or ePHI, and which tag says so (or why not known)."""
    if is_unknown(tags):
        return None, f"the subnet's tags are unknown ({tags})"
    if not isinstance(tags, Mapping):
        return False, "no tags"
    undecided = ""
    for key, value in tags.items():
        name = str(key).strip().lower()
        if name not in (*PRIVATE_TIER_KEYS, *EPHI_KEYS, NAME_KEY):
            continue
        text = _norm(value)
        if text is None:
            undecided = undecided or f"tag {key} is not known before apply"
            continue
        if name in PRIVATE_TIER_KEYS and text == PRIVATE_TIER_VALUE:
            return True, f"tag {key}={value}"
        if name in EPHI_KEYS and text == EPHI_VALUE:
            return True, f"tag {key}={value}"
        if name == NAME_KEY and NAME_MARKER in text:
            return True, f"tag {key}={value}"
    return (None, undecided) if undecided else (False, "no private or ePHI tag")


def _reference_target(value: Any) -> str | None:
    """`aws_subnet.app.id` -> `aws_subnet.app`; None for anything that is not a reference."""
    return str(value).rpartition(".")[0] if is_reference(value) else None


def _same_configuration(a: Resource, b: Resource) -> bool:
    return split_root_label(a.id)[0] == split_root_label(b.id)[0]


def _terraform_subnet(instance: Resource, subnets: Sequence[Resource]) -> Resource | None:
    target = _reference_target(instance.get("subnet_id"))
    for subnet in subnets:
        if (
            subnet.source == "terraform"
            and _same_configuration(instance, subnet)
            and split_root_label(subnet.id)[1] == target
        ):
            return subnet
    return None


def _live_subnet(instance: Resource, subnets: Sequence[Resource]) -> Resource | None:
    subnet_id = instance.get("subnet_id")
    for subnet in subnets:
        if (
            subnet.source == instance.source
            and subnet.get("id") == subnet_id
            and subnet.location.account == instance.location.account
            and subnet.location.region == instance.location.region
        ):
            return subnet
    return None


def _eip_names(eip: Resource, instance: Resource) -> Maybe:
    """Whether an Elastic IP (or its association) in the configuration names the instance, by
    its id or by its primary network interface (`aws_instance.app.primary_network_interface_id`)."""
    if not _same_configuration(eip, instance):
        return False
    if eip.type == "aws_eip":
        keys = ("instance", "network_interface")
    else:
        keys = ("instance_id", "network_interface_id")
    votes: list[Maybe] = []
    for key in keys:
        value = eip.get(key)
        if value is None:
            continue
        if is_unknown(value):
            votes.append(None)
            continue
        target = _reference_target(value)
        # A literal id names an instance (or interface) outside the configuration.
        votes.append(target is not None and target == split_root_label(instance.id)[1])
    if True in votes:
        return True
    return None if None in votes else False


def _bool(value: Any) -> Maybe:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def _terraform_public_ip(
    instance: Resource, subnet: Resource, eips: Sequence[Resource]
) -> tuple[Maybe, str]:
    votes = [_eip_names(eip, instance) for eip in eips]
    if any(v is True for v in votes):
        return True, "an Elastic IP is associated with it"
    associate = instance.get("associate_public_ip_address")
    if associate is not None:
        decided = _bool(associate)
        if decided is None:
            return None, f"associate_public_ip_address is not known ({associate})"
        if decided:
            return True, "associate_public_ip_address is true"
    else:
        mapped = subnet.get("map_public_ip_on_launch")
        decided = False if mapped is None else _bool(mapped)
        if decided is None:
            return None, f"the subnet's map_public_ip_on_launch is not known ({mapped})"
        if decided:
            return True, "the subnet maps a public IP on launch (map_public_ip_on_launch)"
    if any(v is None for v in votes):
        return None, "an Elastic IP's instance is not known before apply"
    return False, "no public IP is associated"


@check(
    id="ec2_instance_no_public_ip_in_private_subnet",
    title="EC2 instances in private or ePHI subnets have no public IP address",
    severity="high",
    resource_types=["aws_instance"],
    context_types=["aws_subnet", *EIP_TYPES],
    scope="inventory",
    references={
        "checkov": ["CKV_AWS_88"],
        "aws_config": ["ec2-instance-no-public-ip"],
    },
)
def ec2_instance_no_public_ip_in_private_subnet(
    resources: Sequence[Resource],
) -> Iterator[tuple[Resource, Result | NotJudged]]:
    """A public IP makes an instance reachable from the internet as soon as a security group
    or NACL rule allows it; in a subnet meant to hold ePHI behind a load balancer or NAT, that
    bypasses the network design the risk analysis relied on.

    Judged: instances in subnets tagged private or ePHI (`Tier=private`, `ephi=true` or
    `phi=true`, a `Name` containing `private`; keys and values in any case). How the public IP
    and the subnet are read is in this module's docstring (docs/aws.md: "Instances in private
    subnets"). The tag rule is fixed: tag your private subnets with one of these.

    Remediation: launch without a public IP, and keep the subnet from assigning one:

        resource "aws_subnet" "app_private" {
          map_public_ip_on_launch = false
          tags = { Tier = "private" }
        }

        resource "aws_instance" "app" {
          subnet_id                   = aws_subnet.app_private.id
          associate_public_ip_address = false
        }
    """
    subnets = [r for r in resources if r.type == "aws_subnet"]
    eips = [r for r in resources if r.type in EIP_TYPES and r.source == "terraform"]
    for instance in resources:
        if instance.type != "aws_instance":
            continue
        subnet_id = instance.get("subnet_id")
        terraform = instance.source == "terraform"
        if subnet_id is None and not terraform:
            yield instance, OUTSIDE_PRIVATE_SUBNETS  # no VPC subnet: nothing marks it private
            continue
        subnet = (_terraform_subnet if terraform else _live_subnet)(instance, subnets)
        if subnet is None:
            chosen_elsewhere = instance.get("network_interface") or instance.get("launch_template")
            if terraform and subnet_id is None and not chosen_elsewhere:
                yield instance, OUTSIDE_PRIVATE_SUBNETS  # the default VPC: untagged subnets
                continue
            if subnet_id is not None:
                where = subnet_id
            elif instance.get("network_interface"):
                where = "its network interface"
            else:
                where = "its launch template"
            yield (
                instance,
                Result.unknown(f"its subnet ({where}) is not in the scanned inventory"),
            )
            continue
        private, why = private_marker(subnet.get("tags"))
        if private is False:
            yield instance, OUTSIDE_PRIVATE_SUBNETS  # no finding, not a pass
            continue
        if private is None:
            yield instance, Result.unknown(f"whether its subnet is private is unknown: {why}")
            continue
        if terraform:
            public, how = _terraform_public_ip(instance, subnet, eips)
        else:
            address = instance.get("public_ip")
            public, how = (True, f"public IP {address}") if address else (False, "no public IP")
        label = f"subnet {subnet.get('id') if not terraform else subnet.id} ({why})"
        if public is None:
            yield instance, Result.unknown(f"in private {label}: {how}")
        elif public:
            yield instance, Result.failed(f"in private {label}: {how}")
        else:
            yield instance, Result.passed(f"in private {label}: {how}")
