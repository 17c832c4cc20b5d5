"""VPC network ACLs: remote administration ports open to the internet (CIS AWS 5.1)."""

from __future__ import annotations

from policies.aws.network_acl_rules import openings
from scanner.core.model import Resource, Result, is_unknown
from scanner.core.registry import check

ADMIN_PORTS = (22, 3389)


@check(
    id="vpc_network_acl_admin_ports_not_open_to_internet",
    title="Network ACLs do not allow SSH or RDP from the internet",
    severity="medium",
    resource_types=["aws_network_acl", "aws_default_network_acl"],
    references={
        "checkov": ["CKV_AWS_232", "CKV_AWS_231"],
        "aws_config": ["nacl-no-unrestricted-ssh-rdp"],
        "cis_aws_v1.4": ["5.1"],
    },
)
def vpc_network_acl_admin_ports_not_open_to_internet(acl: Resource) -> Result:
    """A network ACL is the subnet's stateless first filter: when it admits SSH (22) or RDP
    (3389) from anywhere, only the security groups stand between the internet and every host's
    remote administration port, and one permissive group exposes ePHI systems.

    The rule (rule order respected, as AWS applies it: lowest rule number first): TCP port 22 or
    3389 is open over IPv4 (IPv6) when an ingress `allow` rule with source 0.0.0.0/0 (::/0) and
    protocol -1 (all) or TCP with a port range containing the port is not preceded by a
    lower-numbered `deny` of the same /0 source covering that TCP port. A lower deny of a
    narrower source blocks only part of the internet; allows of narrower sources do not count;
    UDP and ICMP rules never open these ports; egress is not judged. Default ACLs fail: their
    rule 100 allows all traffic from 0.0.0.0/0. A rule whose count/for_each is unknown may exist,
    so it makes the result unknown unless another rule settles it.

    Remediation: deny the ports from the internet before the broad allow, or allow them only
    from your administration network (use SSM Session Manager instead of open ports):

        ingress {
          rule_no    = 90
          action     = "deny"
          protocol   = "tcp"
          from_port  = 22
          to_port    = 22
          cidr_block = "0.0.0.0/0"
        }
    """
    rules = acl.get("ingress")
    if is_unknown(rules):
        return Result.unknown(f"the ingress rules are unknown: {rules.reason}")
    found: list[str] = []
    unknown_reasons: list[str] = []
    for port in ADMIN_PORTS:
        opened, reasons = openings(list(rules or []), port)
        found.extend(opening.describe() for opening in opened)
        unknown_reasons.extend(reasons)
    if found:
        return Result.failed("; ".join(found))
    if unknown_reasons:
        return Result.unknown(f"an ingress rule is unknown: {unknown_reasons[0]}")
    return Result.passed("no ingress rule opens port 22 or 3389 to 0.0.0.0/0 or ::/0")
