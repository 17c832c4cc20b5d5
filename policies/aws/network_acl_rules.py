"""Network ACL rule arithmetic: which ingress rules let the whole internet reach a TCP port.

Rules have the canonical shape of docs/resource-schema.md (`rule_number`, `action`, `protocol` as
"-1" or an IANA number, `cidr_block`, `ipv6_cidr_block`, `from_port`, `to_port`). AWS evaluates
a network ACL's rules in ascending rule number and applies the first that matches a packet.

The rule judged (also in the check's docstring): TCP port P is open to the internet over IPv4
(IPv6) when an `allow` rule whose source is 0.0.0.0/0 (::/0) and whose protocol is -1 or TCP
with a port range containing P is not preceded — a lower rule number — by a `deny` rule of the
same family's /0 source covering TCP port P. A lower deny of a narrower source blocks only part
of the internet, so the port stays open; an allow of a narrower source does not count. Anything
that cannot be known (an unknown rule, action, protocol, port, CIDR or rule number) that could
change the answer makes it unknown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from policies.aws.definite_matches import all_of
from policies.aws.network_exposure import is_internet_cidr
from scanner.core.model import Unknown, UnknownValueError, is_reference, is_unknown

TCP = "6"
ALL_PROTOCOLS = "-1"
FAMILIES = {"IPv4": "cidr_block", "IPv6": "ipv6_cidr_block"}
INTERNET = {"IPv4": "0.0.0.0/0", "IPv6": "::/0"}


def _known(rule: Any, key: str) -> Any:
    """`rule[key]`; raises when the rule or the value is unknown. A computed CIDR is returned as
    is: `is_internet_cidr` decides on it (a literal prefix length may settle it)."""
    if is_unknown(rule):
        raise UnknownValueError(f"a rule is unknown: {rule.reason}")
    value = rule.get(key)
    if is_unknown(value) or (is_reference(value) and key not in FAMILIES.values()):
        why = value.reason if is_unknown(value) else f"the computed value {value}"
        raise UnknownValueError(f"{key} of rule {rule.get('rule_number')} is unknown: {why}")
    return value


def covers_tcp_port(rule: Any, port: int) -> bool:
    """Protocol -1, or TCP with a port range containing `port`."""
    protocol = _known(rule, "protocol")
    if protocol == ALL_PROTOCOLS:
        return True
    if protocol != TCP:
        return False
    low, high = _known(rule, "from_port"), _known(rule, "to_port")
    if not isinstance(low, int) or not isinstance(high, int):
        raise UnknownValueError(f"rule {rule.get('rule_number')} has no port range")
    return low <= port <= high


def from_whole_family(rule: Any, family: str) -> bool:
    """The rule's source is the whole IPv4 (IPv6) internet."""
    cidr = _known(rule, FAMILIES[family])
    return cidr is not None and is_internet_cidr(cidr)


def _is(rule: Any, action: str, family: str, port: int) -> bool:
    return all_of(
        lambda: _known(rule, "action") == action,
        lambda: covers_tcp_port(rule, port),
        lambda: from_whole_family(rule, family),
    )


def _decide(rule: Any, action: str, family: str, port: int) -> bool | Unknown:
    """`_is` as a value: True, False or the Unknown saying why it cannot be told."""
    try:
        return _is(rule, action, family, port)
    except UnknownValueError as exc:
        return Unknown(exc.reason)


def _number(rule: Any) -> int | None:
    """The rule number, or None when it is not known."""
    if is_unknown(rule):
        return None
    number = rule.get("rule_number")
    return number if isinstance(number, int) and not isinstance(number, bool) else None


def _before(first: Any, second: Any) -> bool | None:
    """Whether `first` is evaluated before `second` (None: cannot tell)."""
    a, b = _number(first), _number(second)
    if a is None or b is None:
        return None
    return a < b


@dataclass(frozen=True)
class Opening:
    """An allow rule that certainly opens `port` to the internet over `family`."""

    rule: Mapping[str, Any]
    family: str
    port: int

    def describe(self) -> str:
        protocol = "all traffic" if self.rule.get("protocol") == ALL_PROTOCOLS else "TCP"
        return (
            f"ingress rule {self.rule.get('rule_number')} allows {INTERNET[self.family]} "
            f"on port {self.port} ({protocol})"
        )


def openings(rules: list[Any], port: int) -> tuple[list[Opening], list[str]]:
    """(allow rules certainly opening `port`, reasons why another may open it)."""
    found: list[Opening] = []
    unknown_reasons: list[str] = []
    for family in FAMILIES:
        for allow in rules:
            opens = _decide(allow, "allow", family, port)
            if opens is False:
                continue
            blocked: bool | Unknown = False
            for other in rules:
                if other is allow:
                    continue
                before = _before(other, allow)
                if before is False:
                    continue
                denies = _decide(other, "deny", family, port)
                if denies is True and before is True:
                    blocked = True
                    break
                if denies is not False:
                    blocked = Unknown(
                        f"rule {_number(other)} may deny the traffic first"
                        if isinstance(denies, bool)
                        else denies.reason
                    )
            if blocked is True:
                continue
            if isinstance(opens, Unknown):
                unknown_reasons.append(opens.reason)
            elif isinstance(blocked, Unknown):
                unknown_reasons.append(blocked.reason)
            else:
                found.append(Opening(allow, family, port))
    return found, unknown_reasons
