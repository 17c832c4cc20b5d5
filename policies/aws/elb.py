"""Load balancer listeners: encryption in transit and TLS protocol versions."""

from __future__ import annotations

import re

from scanner.core.model import Resource, Result, is_reference, is_unknown
from scanner.core.registry import check

TLS_PROTOCOLS = ("HTTPS", "TLS", "SSL")
# NLB/classic listeners that forward bytes unchanged: the load balancer neither adds nor strips
# encryption, so whether traffic is encrypted is decided between client and target.
PASSTHROUGH_PROTOCOLS = ("TCP", "UDP", "TCP_UDP")
# Predefined policies without a version in their name that still allow TLS 1.0 or 1.1.
LEGACY_WEAK_POLICIES = frozenset(
    {
        "ELBSecurityPolicy-2016-08",
        "ELBSecurityPolicy-2015-05",
        "ELBSecurityPolicy-2015-03",
        "ELBSecurityPolicy-2015-02",
        "ELBSecurityPolicy-2014-10",
        "ELBSecurityPolicy-2014-01",
        "ELBSecurityPolicy-2011-08",
        "ELBSecurityPolicy-FS-2018-06",
    }
)
# ELBSecurityPolicy-TLS-1-1-2017-01, -TLS13-1-0-2021-06, -FS-1-2-Res-2020-10, -TLS13-1-3-2021-06 ...
VERSIONED_POLICY = re.compile(r"^ELBSecurityPolicy-(?:TLS13|TLS|FS)-1-(\d)\b")
# Policy the API applies to an HTTPS/TLS listener created without ssl_policy.
DEFAULT_SSL_POLICY = "ELBSecurityPolicy-2016-08"


def _lb_listener_transport(listener: Resource) -> Result:
    protocol = listener.get("protocol")
    port = listener.get("port")
    if protocol is None and port is None:
        return Result.passed("not applicable: Gateway Load Balancer listener (GENEVE)")
    if is_reference(protocol):
        return Result.unknown(f"protocol is the computed value {protocol}")
    protocol = "HTTP" if protocol is None else protocol.upper()
    if protocol in ("HTTPS", "TLS"):
        return Result.passed(f"listener protocol is {protocol}")
    if protocol in PASSTHROUGH_PROTOCOLS:
        return Result.passed(
            f"{protocol} listener passes traffic through unchanged: encryption is end to end"
        )
    if protocol == "GENEVE":
        return Result.passed("not applicable: Gateway Load Balancer listener (GENEVE)")
    for action in listener.get("default_action") or []:
        if action.get("type") == "redirect":
            redirect = (action.get("redirect") or [{}])[0]
            if redirect.get("protocol", "#{protocol}") == "HTTPS":
                return Result.passed(f"{protocol} listener on port {port} redirects to HTTPS")
    return Result.failed(f"{protocol} listener on port {port} serves traffic unencrypted")


def _classic_elb_transport(elb: Resource) -> Result:
    plain = []
    for listener in elb.get("listener") or []:
        protocol = listener.get("lb_protocol").upper()
        if protocol not in TLS_PROTOCOLS and protocol not in PASSTHROUGH_PROTOCOLS:
            plain.append(f"{protocol} on port {listener.get('lb_port')}")
    if plain:
        return Result.failed(
            f"classic ELB listener(s) serve traffic unencrypted: {', '.join(plain)}"
        )
    return Result.passed("every classic ELB listener uses HTTPS/SSL or passes TCP through")


@check(
    id="elb_listener_encrypted_in_transit",
    title="Load balancer listeners use HTTPS/TLS or redirect HTTP to HTTPS",
    severity="high",
    resource_types=["aws_lb_listener", "aws_elb"],
    references={
        "checkov": ["CKV_AWS_2", "CKV2_AWS_20"],
        "aws_config": ["alb-http-to-https-redirection-check", "elb-tls-https-listeners-only"],
    },
)
def elb_listener_encrypted_in_transit(listener: Resource) -> Result:
    """A plain HTTP listener sends ePHI and session cookies across the network in clear text.

    Passes: HTTPS/TLS (SSL for classic ELB); HTTP whose default action redirects to HTTPS; TCP,
    UDP and TCP_UDP pass-through listeners (the load balancer neither adds nor removes
    encryption: the client-to-target protocol decides); Gateway Load Balancer listeners.
    Default: an `aws_lb_listener` without `protocol` is HTTP (Application Load Balancer).

    Remediation: terminate TLS on the listener and redirect port 80:

        resource "aws_lb_listener" "http" {
          port     = 80
          protocol = "HTTP"
          default_action {
            type = "redirect"
            redirect {
              port        = "443"
              protocol    = "HTTPS"
              status_code = "HTTP_301"
            }
          }
        }
    """
    if listener.type == "aws_elb":
        return _classic_elb_transport(listener)
    return _lb_listener_transport(listener)


def policy_allows_old_tls(policy: str) -> bool | None:
    """True when the predefined policy allows TLS 1.0/1.1, False when >= 1.2, None if unknown."""
    if policy in LEGACY_WEAK_POLICIES:
        return True
    match = VERSIONED_POLICY.match(policy)
    if match is None:
        return None
    return int(match.group(1)) < 2


@check(
    id="elb_listener_tls_1_2_minimum",
    title="HTTPS/TLS load balancer listeners use a security policy requiring TLS 1.2 or later",
    severity="high",
    resource_types=["aws_lb_listener"],
    references={"checkov": ["CKV_AWS_103"]},
)
def elb_listener_tls_1_2_minimum(listener: Resource) -> Result:
    """TLS 1.0 and 1.1 are deprecated (RFC 8996) and fail current guidance for protecting ePHI in
    transit; the listener's predefined security policy decides which versions clients may use.

    Failing policies: ELBSecurityPolicy-2016-08 (the default when `ssl_policy` is absent),
    -2015-05, -FS-2018-06, and every -TLS-1-0/-TLS-1-1/-TLS13-1-0/-TLS13-1-1/-FS-1-1 policy
    (including FIPS and PQ variants). Passing: -TLS-1-2-*, -TLS13-1-2-*, -TLS13-1-3-*,
    -FS-1-2-*. An unrecognised name is unknown. Listeners that are not HTTPS/TLS pass as not
    applicable.

    Remediation:

        resource "aws_lb_listener" "https" {
          protocol   = "HTTPS"
          ssl_policy = "ELBSecurityPolicy-TLS13-1-2-2021-06"
        }
    """
    protocol = listener.get("protocol")
    if is_reference(protocol):
        # Known only at apply: it may be HTTPS or TLS, whose policy is then judged.
        return Result.unknown(f"protocol is the computed value {protocol}")
    if protocol is None or protocol.upper() not in ("HTTPS", "TLS"):
        return Result.passed(f"not applicable: {protocol or 'HTTP'} listener negotiates no TLS")
    policy = listener.get("ssl_policy")
    if is_unknown(policy):
        return Result.unknown(f"ssl_policy is unknown: {policy.reason}")
    shown = policy or f"{DEFAULT_SSL_POLICY} (default)"
    weak = policy_allows_old_tls(policy or DEFAULT_SSL_POLICY)
    if weak is None:
        return Result.unknown(f"ssl_policy {policy} is not a recognised ELB security policy")
    if weak:
        return Result.failed(f"ssl_policy {shown} allows TLS 1.0/1.1")
    return Result.passed(f"ssl_policy {shown} requires TLS 1.2 or later")
