"""Reading parsed IAM policy documents (identity and resource policies) as checks need them.

The sources parse every `policy` argument to a dict whose `Statement` is a list and whose
`Action`, `NotAction` and `Resource` are lists (docs/resource-schema.md). These helpers only walk
that shape; they never decide on an Unknown value themselves, the caller does.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Mapping
from typing import Any

from scanner.core.model import is_unknown

# Condition keys that narrow *who* (or from where) a wildcard principal can act; a statement
# carrying one of them, with fixed values under a positive operator, is not public in the sense
# of "anyone on the internet".
RESTRICTING_CONDITION_KEYS = frozenset(
    key.lower()
    for key in (
        "aws:SourceArn",
        "aws:SourceAccount",
        "aws:SourceOwner",
        "aws:SourceVpc",
        "aws:SourceVpce",
        "aws:SourceIp",
        "aws:SourceOrgID",
        "aws:SourceOrgPaths",
        "aws:PrincipalOrgID",
        "aws:PrincipalOrgPaths",
        "aws:PrincipalAccount",
        "aws:PrincipalArn",
        "aws:userid",
        "aws:username",
        "s3:DataAccessPointAccount",
        "s3:DataAccessPointArn",
    )
)


def statements(document: Any) -> Iterator[Any]:
    """Each statement of a parsed policy (which may itself be Unknown: the caller decides)."""
    statement_list = document.get("Statement", [])
    if isinstance(statement_list, Mapping):  # tolerate a single statement object
        yield statement_list
        return
    yield from statement_list


def as_list(value: Any) -> list[Any]:
    """`Action: "s3:*"` and `Action: ["s3:*"]` alike; an Unknown stays a one-element list."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def principal_is_everyone(principal: Any) -> bool:
    """`"*"`, `{"AWS": "*"}` or `{"AWS": ["*", ...]}`. Raises on an Unknown principal."""
    if is_unknown(principal):
        return bool(principal)  # the marker raises: the caller's finding becomes unknown
    if isinstance(principal, str):
        return principal == "*"
    if isinstance(principal, Mapping):
        return any(value == "*" for value in as_list(principal.get("AWS")))
    return False


def condition_keys(statement: Mapping[str, Any]) -> set[str]:
    """Lower-cased condition keys of a statement, across every operator."""
    keys: set[str] = set()
    condition = statement.get("Condition") or {}
    for operator_block in condition.values():
        keys.update(str(key).lower() for key in operator_block)
    return keys


def condition_values(statement: Mapping[str, Any], key: str) -> list[Any]:
    """Every value given for `key` (case-insensitive) under any operator of the statement."""
    values: list[Any] = []
    condition = statement.get("Condition") or {}
    for operator_block in condition.values():
        for name, value in operator_block.items():
            if str(name).lower() == key.lower():
                values.extend(as_list(value))
    return values


def _operator_restricts(operator: str) -> bool:
    """A positive match operator: negated ones (`StringNotEquals`, `NotIpAddress`) admit everyone
    else, `...IfExists` and `ForAllValues:` are true when the key is absent, `Null` only tests
    presence."""
    name = operator.lower()
    return not (
        "not" in name
        or name.endswith("ifexists")
        or name.startswith("forallvalues:")
        or name == "null"
    )


def _value_restricts(key: str, value: Any) -> bool:
    """A fixed value: no `*`/`?` wildcard, and for aws:SourceIp not a /0 network."""
    if is_unknown(value):
        return bool(value)  # the marker raises: the caller's finding becomes unknown
    text = str(value)
    if "*" in text or "?" in text or not text:
        return False
    if key == "aws:sourceip":
        try:
            return ipaddress.ip_network(text, strict=False).prefixlen > 0
        except ValueError:
            return True  # not an address: matches no caller outside it
    return True


def is_restricted_by_condition(statement: Mapping[str, Any]) -> bool:
    """True when a condition pins who (or from where) may act: a restricting key under a positive
    operator, every value fixed. Conditions are ANDed, so one such condition is enough."""
    condition = statement.get("Condition") or {}
    for operator, operator_block in condition.items():
        if not _operator_restricts(str(operator)):
            continue
        for name, value in operator_block.items():
            key = str(name).lower()
            values = as_list(value)
            if (
                key in RESTRICTING_CONDITION_KEYS
                and values
                and all(_value_restricts(key, v) for v in values)
            ):
                return True
    return False


def allows_everyone(statement: Any) -> bool:
    """An Allow statement open to any principal (`*`, `{"AWS": "*"}` or a NotPrincipal) that no
    condition restricts. Raises UnknownValueError on an unknown statement or principal."""
    if is_unknown(statement):
        return bool(statement)  # the marker raises: the caller's finding becomes unknown
    if statement.get("Effect") != "Allow":
        return False
    if "NotPrincipal" in statement:  # Allow + NotPrincipal: everyone except a few
        everyone = True
    else:
        everyone = principal_is_everyone(statement.get("Principal"))
    return everyone and not is_restricted_by_condition(statement)
