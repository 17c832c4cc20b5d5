"""Rule-order cases of the network ACL arithmetic that the fixtures do not spell out: which rule
decides first, and when an unknown may decide instead."""

from __future__ import annotations

from typing import Any

import pytest

from policies.aws.network_acl_rules import openings
from scanner.core.model import Unknown


def rule(number: Any, action: str, protocol: str = "6", cidr: Any = "0.0.0.0/0", **ports: Any):
    low, high = ports.get("low", 22), ports.get("high", 22)
    return {
        "rule_number": number,
        "action": action,
        "protocol": protocol,
        "cidr_block": cidr,
        "ipv6_cidr_block": None,
        "from_port": low,
        "to_port": high,
    }


def verdict(rules: list[Any]) -> str:
    found, unknown = openings(rules, 22)
    return "open" if found else ("unknown" if unknown else "closed")


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        ([rule(100, "allow")], "open"),
        ([rule(100, "allow", low=20, high=25)], "open"),
        ([rule(100, "allow", low=23, high=25)], "closed"),
        ([rule(100, "allow", protocol="17")], "closed"),  # UDP 22 is not SSH
        ([rule(100, "allow", protocol="-1")], "open"),
        ([rule(90, "deny", protocol="-1"), rule(100, "allow")], "closed"),
        ([rule(110, "deny"), rule(100, "allow")], "open"),  # listed first, evaluated second
        ([rule(90, "deny", cidr="10.0.0.0/8"), rule(100, "allow")], "open"),
        ([rule(90, "deny", low=3389, high=3389), rule(100, "allow")], "open"),
        ([rule(90, "deny", protocol="17"), rule(100, "allow")], "open"),  # a UDP deny lets TCP by
        ([rule(None, "deny"), rule(100, "allow")], "unknown"),  # the deny's place is not known
        ([rule(90, "deny"), rule(None, "allow")], "unknown"),
        ([rule(90, Unknown("var.action")), rule(100, "allow")], "unknown"),
        # A certain deny first settles it, whatever an unknown rule would do.
        (
            [rule(80, "deny"), rule(90, "deny", cidr=Unknown("var.cidr")), rule(100, "allow")],
            "closed",
        ),
        ([Unknown("a rule that may exist"), rule(100, "allow")], "unknown"),
        ([Unknown("a rule that may exist")], "unknown"),
        ([rule(100, "allow", cidr="10.0.0.0/8"), rule(200, "allow", cidr=Unknown("v"))], "unknown"),
        ([], "closed"),
    ],
)
def test_rule_order(rules: list[Any], expected: str) -> None:
    assert verdict(rules) == expected
