"""Amazon EMR: block public access for the account, and master nodes without a public address.

How `emr_cluster_master_no_public_ip` tells a public master from a private one: DescribeCluster's
`MasterPublicDnsName` is the master's public DNS name on a public subnet (`ec2-<ip>.<region>
.compute.amazonaws.com`, `ec2-<ip>.compute-1.amazonaws.com`) and its private one on a private
subnet (`ip-<ip>.ec2.internal`, `ip-<ip>.<region>.compute.internal`). Any other name (a custom
domain from the VPC's DHCP options) is unknown, never a pass.
"""

from __future__ import annotations

import re

from scanner.core.model import Resource, Result, is_reference, is_unknown
from scanner.core.registry import check

_PUBLIC_DNS = re.compile(r"^ec2-[0-9-]+\.([a-z0-9-]+\.)?compute(-1)?\.amazonaws\.com(\.cn)?$")
_PRIVATE_DNS = re.compile(r"^ip-[0-9-]+\.([a-z0-9-]+\.)?(ec2|compute)\.internal$")


@check(
    id="emr_account_block_public_access_enabled",
    title="EMR block public access is on in every region",
    severity="high",
    resource_types=["aws_emr_block_public_access_configuration"],
    references={"aws_config": ["emr-block-public-access"]},
)
def emr_account_block_public_access_enabled(setting: Resource) -> Result:
    """With block public access on, EMR refuses to start a cluster whose security groups admit
    traffic from 0.0.0.0/0 or ::/0 on any port but the permitted exceptions; off, a single
    rule opens the cluster's nodes (and the ePHI they process) to the internet.

    Judged per region (live: GetBlockPublicAccessConfiguration; Terraform:
    `aws_emr_block_public_access_configuration`). Permitted port ranges (port 22 by default) are
    listed in the message, not judged. An answer without the setting is unknown.

    Remediation:

        resource "aws_emr_block_public_access_configuration" "this" {
          block_public_security_group_rules = true
        }
    """
    value = setting.get("block_public_security_group_rules")
    if value is None:
        return Result.unknown("the block public access setting was not returned")
    if is_unknown(value) or is_reference(value):
        return Result.unknown(f"block_public_security_group_rules is not known ({value})")
    if not setting.get_bool("block_public_security_group_rules", False):
        return Result.failed("block public access is off: clusters may open ports to the internet")
    ranges = setting.get("permitted_public_security_group_rule_range") or []
    allowed = ", ".join(
        f"{r.get('min_range')}-{r.get('max_range')}" for r in ranges if isinstance(r, dict)
    )
    return Result.passed(
        "block public access is on" + (f" (permitted ports: {allowed})" if allowed else "")
    )


@check(
    id="emr_cluster_master_no_public_ip",
    title="EMR cluster master nodes have no public IP address",
    severity="high",
    resource_types=["aws_emr_cluster"],
    sources=["aws"],
)
def emr_cluster_master_no_public_ip(cluster: Resource) -> Result:
    """A master node with a public address is reachable from the internet wherever a security
    group allows it, with the cluster's web interfaces and the data it processes behind it.

    Live only (Terraform cannot know whether EMR gives the master a public address): active
    clusters (starting, bootstrapping, running, waiting). How the address is read is in this
    module's docstring (docs/aws.md: "EMR").

    Remediation: launch the cluster in a private subnet (with a NAT gateway or VPC endpoints for
    the AWS services it needs):

        resource "aws_emr_cluster" "analytics" {
          ec2_attributes {
            subnet_id = aws_subnet.private.id
          }
        }
    """
    name = cluster.get("master_public_dns")
    if is_unknown(name):
        return Result.unknown(f"the cluster could not be described: {name}")
    if not name:
        return Result.unknown("no master DNS name was returned (the master is not up yet)")
    text = str(name).lower()
    if _PRIVATE_DNS.match(text):
        return Result.passed(f"the master node's address is private ({name})")
    if _PUBLIC_DNS.match(text):
        return Result.failed(f"the master node has a public address ({name})")
    return Result.unknown(f"whether the master's DNS name {name} is public cannot be told")
