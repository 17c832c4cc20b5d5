"""Canonical shapes of folded attributes (docs/resource-schema.md), from inline blocks or from
companion resources. Pure functions of resolved attribute dicts; Unknown passes through."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scanner.core.model import ComputedRef, Unknown
from scanner.sources.terraform.expressions import to_bool, to_number


def first_block(value: Any) -> Any:
    """The first of a list of nested blocks (dict), None when absent, Unknown when unknown."""
    if isinstance(value, Unknown) or value is None:
        return value
    if isinstance(value, list):
        return first_block(value[0]) if value else None
    return value if isinstance(value, Mapping) else Unknown(f"expected a block, got {value!r}")


def all_blocks(value: Any) -> list[Any] | Unknown:
    if isinstance(value, Unknown):
        return value
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, Mapping | Unknown)]


def as_bool(value: Any, default: bool | None = None) -> Any:
    if value is None:
        return default
    if isinstance(value, Unknown):
        return value
    decided = to_bool(value)
    return Unknown(f"expected a bool, got {value!r}") if decided is None else decided


def as_int(value: Any) -> Any:
    if value is None or isinstance(value, Unknown):
        return value
    number = None if isinstance(value, ComputedRef) else to_number(value)
    if number is None:
        return Unknown(f"expected a number, got {value!r}")
    return int(number)


def as_str_list(value: Any) -> Any:
    if value is None:
        return []
    if isinstance(value, Unknown):
        return value
    return list(value) if isinstance(value, list) else [value]


def _get(block: Any, key: str) -> Any:
    return block if isinstance(block, Unknown) else block.get(key)


# -- S3 ----------------------------------------------------------------------------------------


def server_side_encryption(configuration: Any) -> Any:
    """From an inline `server_side_encryption_configuration` block or the companion's arguments."""
    configuration = first_block(configuration)
    if configuration is None or isinstance(configuration, Unknown):
        return configuration
    rule = first_block(configuration.get("rule"))
    if rule is None or isinstance(rule, Unknown):
        return rule
    default = first_block(rule.get("apply_server_side_encryption_by_default"))
    if default is None or isinstance(default, Unknown):
        return default
    return {
        "sse_algorithm": default.get("sse_algorithm"),
        "kms_master_key_id": default.get("kms_master_key_id"),
        "bucket_key_enabled": as_bool(rule.get("bucket_key_enabled")),
    }


def inline_versioning(block: Any) -> Any:
    block = first_block(block)
    if block is None or isinstance(block, Unknown):
        return block
    return {
        "enabled": as_bool(block.get("enabled"), False),
        "mfa_delete": as_bool(block.get("mfa_delete")),
    }


def _status_flag(status: Any) -> Any:
    if status is None or isinstance(status, Unknown):
        return status
    if isinstance(status, ComputedRef):
        return Unknown(f"versioning status is the computed value {status}")
    return status == "Enabled"


def companion_versioning(arguments: Mapping[str, Any]) -> Any:
    configuration = first_block(arguments.get("versioning_configuration"))
    if configuration is None or isinstance(configuration, Unknown):
        return configuration
    enabled = _status_flag(configuration.get("status"))
    return {
        "enabled": False if enabled is None else enabled,
        "mfa_delete": _status_flag(configuration.get("mfa_delete")),
    }


def logging(block: Any) -> Any:
    block = first_block(block)
    if block is None or isinstance(block, Unknown):
        return block
    return {
        "target_bucket": block.get("target_bucket"),
        "target_prefix": block.get("target_prefix"),
    }


def public_access_block(arguments: Mapping[str, Any]) -> dict[str, Any]:
    flags = (
        "block_public_acls",
        "block_public_policy",
        "ignore_public_acls",
        "restrict_public_buckets",
    )
    return {flag: as_bool(arguments.get(flag), False) for flag in flags}


def inline_grants(blocks: Any) -> Any:
    """v3 `grant { type, uri, permissions = [...] }` blocks: one entry per permission."""
    grants = all_blocks(blocks)
    if isinstance(grants, Unknown):
        return grants
    out: list[Any] = []
    for grant in grants:
        if isinstance(grant, Unknown):
            return grant
        permissions = as_str_list(grant.get("permissions"))
        if isinstance(permissions, Unknown):
            return permissions
        for permission in permissions:
            out.append(
                {
                    "grantee_uri": grant.get("uri"),
                    "grantee_type": grant.get("type"),
                    "permission": permission,
                }
            )
    return out


def companion_grants(arguments: Mapping[str, Any]) -> Any:
    """`aws_s3_bucket_acl.access_control_policy { grant { grantee { type, uri } permission } }`."""
    policy = first_block(arguments.get("access_control_policy"))
    if policy is None:
        return []
    if isinstance(policy, Unknown):
        return policy
    grants = all_blocks(policy.get("grant"))
    if isinstance(grants, Unknown):
        return grants
    out: list[Any] = []
    for grant in grants:
        grantee = first_block(_get(grant, "grantee"))
        if isinstance(grantee, Unknown):
            return grantee
        grantee = grantee or {}
        out.append(
            {
                "grantee_uri": grantee.get("uri"),
                "grantee_type": grantee.get("type"),
                "permission": grant.get("permission"),
            }
        )
    return out


# -- security groups ---------------------------------------------------------------------------

ALL_PROTOCOLS = ("-1", "all")


def security_group_rule(arguments: Mapping[str, Any], *, vpc_rule: bool = False) -> dict[str, Any]:
    """One rule in canonical shape, from an inline block, `aws_security_group_rule` or an
    `aws_vpc_security_group_*_rule`."""
    if vpc_rule:
        protocol = arguments.get("ip_protocol")
        cidr_blocks = as_str_list(arguments.get("cidr_ipv4"))
        ipv6 = as_str_list(arguments.get("cidr_ipv6"))
        groups = as_str_list(arguments.get("referenced_security_group_id"))
        is_self = False
    else:
        protocol = arguments.get("protocol")
        cidr_blocks = as_str_list(arguments.get("cidr_blocks"))
        ipv6 = as_str_list(arguments.get("ipv6_cidr_blocks"))
        groups = as_str_list(
            arguments.get("security_groups", arguments.get("source_security_group_id"))
        )
        is_self = as_bool(arguments.get("self"), False)
    if isinstance(protocol, int | float) and not isinstance(protocol, bool):
        protocol = str(int(protocol))
    elif isinstance(protocol, ComputedRef):
        # Known only at apply: it may be "-1" (every port), so it must not read as TCP.
        protocol = Unknown(f"protocol is the computed value {protocol}")
    elif isinstance(protocol, str):
        protocol = protocol.lower()
    from_port, to_port = as_int(arguments.get("from_port")), as_int(arguments.get("to_port"))
    if isinstance(protocol, str) and protocol in ALL_PROTOCOLS:
        from_port, to_port = 0, 65535  # all protocols means all ports
    return {
        "from_port": from_port,
        "to_port": to_port,
        "protocol": protocol,
        "cidr_blocks": cidr_blocks,
        "ipv6_cidr_blocks": ipv6,
        "security_groups": groups,
        "self": is_self,
        "description": arguments.get("description"),
    }


def inline_rules(blocks: Any) -> Any:
    rules = all_blocks(blocks)
    if isinstance(rules, Unknown):
        return rules
    out: list[Any] = []
    for rule in rules:
        if isinstance(rule, Unknown):
            return rule
        out.append(security_group_rule(rule))
    return out
