"""EC2: security groups open to the internet, and instance metadata service hardening."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from policies.aws.definite_matches import all_of, definite_matches
from policies.aws.network_exposure import (
    internet_cidrs,
    is_all_traffic,
    port_text,
    rule_covers_port,
)
from scanner.core.model import Resource, Result
from scanner.core.registry import check

SSH_PORT = 22
RDP_PORT = 3389


def _judge_ingress(
    group: Resource, opens: Callable[[Mapping[str, Any]], bool], what: str
) -> Result:
    """Fail on any ingress rule that admits 0.0.0.0/0 or ::/0 and satisfies `opens`."""

    def exposed(rule: Mapping[str, Any]) -> bool:
        # Both must hold: one that is certainly false settles it even if the other is unknown.
        return all_of(lambda: opens(rule), lambda: bool(internet_cidrs(rule)))

    bad, unknown_reasons = definite_matches(group.get("ingress") or [], exposed)
    if bad:
        details = "; ".join(
            f"ingress rule allows {', '.join(internet_cidrs(rule))} on {port_text(rule)}"
            for rule in bad
        )
        return Result.failed(details)
    if unknown_reasons:
        return Result.unknown(f"an ingress rule is unknown: {unknown_reasons[0]}")
    return Result.passed(f"no ingress rule opens {what} to 0.0.0.0/0 or ::/0")


@check(
    id="ec2_security_group_ssh_not_open_to_internet",
    title="Security groups do not allow SSH (port 22) from the internet",
    severity="high",
    resource_types=["aws_security_group"],
    references={"checkov": ["CKV_AWS_24"], "aws_config": ["restricted-ssh"]},
)
def ec2_security_group_ssh_not_open_to_internet(group: Resource) -> Result:
    """SSH open to 0.0.0.0/0 or ::/0 invites credential stuffing and exploit scanning against
    every host in the group. Rules whose port range includes 22, or that allow all traffic, fail.

    Remediation: allow SSH only from a bastion or VPN range, or use SSM Session Manager:

        ingress {
          from_port   = 22
          to_port     = 22
          protocol    = "tcp"
          cidr_blocks = ["10.20.0.0/16"]
        }
    """
    return _judge_ingress(group, lambda rule: rule_covers_port(rule, SSH_PORT), "port 22")


@check(
    id="ec2_security_group_rdp_not_open_to_internet",
    title="Security groups do not allow RDP (port 3389) from the internet",
    severity="high",
    resource_types=["aws_security_group"],
    references={"checkov": ["CKV_AWS_25"], "aws_config": ["restricted-common-ports"]},
)
def ec2_security_group_rdp_not_open_to_internet(group: Resource) -> Result:
    """RDP exposed to the internet is one of the most common ransomware entry points. Rules whose
    port range includes 3389, or that allow all traffic, fail.

    Remediation: restrict RDP to a VPN or bastion range, or use Fleet Manager / Session Manager:

        ingress {
          from_port   = 3389
          to_port     = 3389
          protocol    = "tcp"
          cidr_blocks = ["10.20.0.0/16"]
        }
    """
    return _judge_ingress(group, lambda rule: rule_covers_port(rule, RDP_PORT), "port 3389")


@check(
    id="ec2_security_group_all_ports_not_open_to_internet",
    title="Security groups do not allow all traffic from the internet",
    severity="critical",
    resource_types=["aws_security_group"],
    references={"checkov": ["CKV_AWS_277"], "aws_config": ["vpc-sg-open-only-to-authorized-ports"]},
)
def ec2_security_group_all_ports_not_open_to_internet(group: Resource) -> Result:
    """A rule allowing every protocol (`-1`) or every port 0-65535 from 0.0.0.0/0 or ::/0 exposes
    every service on the host, including ones nobody meant to publish.

    Remediation: allow only the ports the service needs:

        ingress {
          from_port        = 443
          to_port          = 443
          protocol         = "tcp"
          cidr_blocks      = ["0.0.0.0/0"]
        }
    """
    return _judge_ingress(group, is_all_traffic, "all ports")


@check(
    id="ec2_instance_imdsv2_required",
    title="EC2 instances and launch templates require IMDSv2 session tokens",
    severity="medium",
    resource_types=["aws_instance", "aws_launch_template"],
    references={"checkov": ["CKV_AWS_79"], "aws_config": ["ec2-imdsv2-check"]},
)
def ec2_instance_imdsv2_required(instance: Resource) -> Result:
    """IMDSv1 answers any request from the instance, so a server-side request forgery bug hands
    the instance role's credentials to an attacker; IMDSv2 requires a session token.

    Defaults: `metadata_options.http_tokens` is "optional" (IMDSv1 allowed) and `http_endpoint`
    is "enabled". A disabled metadata endpoint passes.

    Remediation:

        metadata_options {
          http_endpoint = "enabled"
          http_tokens   = "required"
        }
    """
    if instance.get("metadata_options.0.http_endpoint", "enabled") == "disabled":
        return Result.passed("the instance metadata service is disabled")
    tokens = instance.get("metadata_options.0.http_tokens", "optional")
    if tokens == "required":
        return Result.passed('http_tokens is "required": only IMDSv2 is served')
    return Result.failed(f'http_tokens is "{tokens}": IMDSv1 requests are answered')
