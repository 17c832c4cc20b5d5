"""Security-group rule arithmetic: which rules admit the whole internet, on which ports.

Rules have the folded shape of docs/resource-schema.md (`from_port`, `to_port`, `protocol`,
`cidr_blocks`, `ipv6_cidr_blocks`). Unknown values, and references to computed CIDRs, raise
UnknownValueError for the caller's decision.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Any

from scanner.core.model import UnknownValueError, is_reference

_LITERAL_PREFIX = re.compile(r"\}/(\d{1,3})$")
ALL_PROTOCOLS = frozenset({"-1", "all"})
# ICMP has no ports: an ICMP rule never opens SSH or RDP.
PORTLESS_PROTOCOLS = frozenset({"icmp", "1", "icmpv6", "58"})
MAX_PORT = 65535


def is_internet_cidr(cidr: Any) -> bool:
    """0.0.0.0/0, ::/0 (and their spellings such as 0::/0): a prefix that matches every address.

    Raises UnknownValueError for an Unknown, and for a reference to a computed attribute
    (`data.aws_ssm_parameter.cidr.value`): its text is an address, not the CIDR it will hold.
    """
    if is_reference(cidr):
        # A computed address with a literal prefix length (`"${data.http.ip.body}/32"`) is known
        # to be narrower than the internet, whatever the address turns out to be.
        prefix = _LITERAL_PREFIX.search(cidr)
        if prefix is not None and 0 < int(prefix.group(1)) <= 128:
            return False
        raise UnknownValueError(f"CIDR {cidr} is computed at apply time")
    if not isinstance(cidr, str):
        return bool(cidr == "0.0.0.0/0")  # an Unknown raises here; anything else is not a CIDR
    try:
        return ipaddress.ip_network(cidr, strict=False).prefixlen == 0
    except ValueError:
        return False


def internet_cidrs(rule: Mapping[str, Any]) -> list[str]:
    """The rule's sources that are certainly the whole internet (IPv4 and IPv6).

    Raises UnknownValueError only when none is and some source is unknown or computed.
    """
    sources = list(rule.get("cidr_blocks") or []) + list(rule.get("ipv6_cidr_blocks") or [])
    found: list[str] = []
    unknown_reason = None
    for cidr in sources:
        try:
            if is_internet_cidr(cidr):
                found.append(cidr)
        except UnknownValueError as exc:
            unknown_reason = exc.reason
    if not found and unknown_reason is not None:
        raise UnknownValueError(unknown_reason)
    return found


def protocol_of(rule: Mapping[str, Any]) -> str:
    protocol = rule.get("protocol", "-1")
    return str(protocol.lower()) if isinstance(protocol, str) else str(int(protocol))


def is_all_traffic(rule: Mapping[str, Any]) -> bool:
    """Protocol -1/all, or a TCP/UDP rule spanning every port 0-65535."""
    protocol = protocol_of(rule)
    if protocol in ALL_PROTOCOLS:
        return True
    if protocol in PORTLESS_PROTOCOLS:
        return False
    return bool(rule.get("from_port", 0) <= 0 and rule.get("to_port", 0) >= MAX_PORT)


def rule_covers_port(rule: Mapping[str, Any], port: int) -> bool:
    protocol = protocol_of(rule)
    if protocol in ALL_PROTOCOLS:
        return True
    if protocol in PORTLESS_PROTOCOLS:
        return False
    return bool(rule.get("from_port", 0) <= port <= rule.get("to_port", 0))


def port_text(rule: Mapping[str, Any]) -> str:
    if protocol_of(rule) in ALL_PROTOCOLS:
        return "all ports (protocol -1)"
    low, high = rule.get("from_port"), rule.get("to_port")
    return f"port {low}" if low == high else f"ports {low}-{high}"
