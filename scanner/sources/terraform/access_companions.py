"""Companions that grant access to their parent, folded into the canonical shapes of
docs/resource-schema.md: Lambda permissions and function URLs, EBS snapshot and AMI sharing, and
network ACL rules. `fold.py` dispatches these types here; each function is pure.

A companion whose count/for_each is unknown may or may not exist: what it would add is one
Unknown entry (or an Unknown sharing flag), never present and never absent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scanner.core.model import ComputedRef, Unknown
from scanner.sources.terraform import canonical as c

LAMBDA_TYPES = ("aws_lambda_function",)
SNAPSHOT_TYPES = ("aws_ebs_snapshot", "aws_ebs_snapshot_copy")
AMI_TYPES = ("aws_ami", "aws_ami_copy", "aws_ami_from_instance")
NETWORK_ACL_TYPES = ("aws_network_acl", "aws_default_network_acl")

# companion type -> (parent types, argument naming the parent, attributes it sets)
COMPANIONS: dict[str, tuple[tuple[str, ...], str, tuple[str, ...]]] = {
    "aws_lambda_permission": (LAMBDA_TYPES, "function_name", ("policy",)),
    "aws_lambda_function_url": (LAMBDA_TYPES, "function_name", ("function_url",)),
    "aws_snapshot_create_volume_permission": (SNAPSHOT_TYPES, "snapshot_id", ("public",)),
    "aws_ami_launch_permission": (AMI_TYPES, "image_id", ("public",)),
    "aws_network_acl_rule": (NETWORK_ACL_TYPES, "network_acl_id", ("ingress", "egress")),
}
PARENT_TYPES = frozenset(LAMBDA_TYPES + SNAPSHOT_TYPES + AMI_TYPES + NETWORK_ACL_TYPES)
_PROTOCOL_NUMBERS = {"all": "-1", "tcp": "6", "udp": "17", "icmp": "1", "icmpv6": "58"}


def parent_defaults(type_name: str, arguments: Mapping[str, Any]) -> dict[str, Any]:
    """What a parent has before its companions are folded in."""
    if type_name in LAMBDA_TYPES:
        return {"policy": None, "function_url": []}
    if type_name in SNAPSHOT_TYPES + AMI_TYPES:
        return {"public": False}
    return {
        "ingress": network_acl_entries(arguments.get("ingress")),
        "egress": network_acl_entries(arguments.get("egress")),
    }


def apply(parent: dict[str, Any], kind: str, arguments: Mapping[str, Any]) -> None:
    if kind == "aws_lambda_permission":
        _add_statement(parent, lambda_permission_statement(arguments))
    elif kind == "aws_lambda_function_url":
        append_item(
            parent, "function_url", {"authorization_type": arguments.get("authorization_type")}
        )
    elif kind in ("aws_snapshot_create_volume_permission", "aws_ami_launch_permission"):
        _merge_public(parent, grants_public(kind, arguments))
    else:
        direction = _rule_direction(arguments)
        if isinstance(direction, Unknown):
            parent["ingress"] = parent["egress"] = direction
            return
        append_item(parent, direction, network_acl_entry(arguments, rule_number_key="rule_number"))


def apply_uncertain(
    parent: dict[str, Any], kind: str, arguments: Mapping[str, Any], unknown: Unknown
) -> None:
    """A companion that may not exist (its count/for_each is unknown)."""
    if kind == "aws_lambda_permission":
        _add_statement(parent, unknown)
    elif kind == "aws_lambda_function_url":
        append_item(parent, "function_url", unknown)
    elif kind in ("aws_snapshot_create_volume_permission", "aws_ami_launch_permission"):
        if grants_public(kind, arguments) is not False:
            _merge_public(parent, unknown)  # it would share publicly, if it exists
    else:
        direction = _rule_direction(arguments)
        for key in ("ingress", "egress"):
            if isinstance(direction, Unknown) or direction == key:
                append_item(parent, key, unknown)


def unresolved_sets(kind: str, arguments: Mapping[str, Any]) -> bool:
    """Whether a companion whose parent cannot be resolved may change what it would set (a
    launch permission for one named account makes no image public)."""
    if kind in ("aws_snapshot_create_volume_permission", "aws_ami_launch_permission"):
        return grants_public(kind, arguments) is not False
    return True


def mark_unresolved(parent: dict[str, Any], key: str, unknown: Unknown) -> None:
    """A companion of this type configures some parent that cannot be resolved: it may add one
    more entry here (what others added certainly stays)."""
    if key == "public":
        _merge_public(parent, unknown)
    elif key == "policy":
        _add_statement(parent, unknown)
    else:
        append_item(parent, key, unknown)


def literal_name(kind: str, value: str) -> str:
    """The parent's name in a literal reference: Lambda accepts a function's name, its ARN or a
    partial ARN (`123456789012:function:name`), each with an optional `:qualifier`."""
    if kind not in ("aws_lambda_permission", "aws_lambda_function_url"):
        return value
    _, marker, after = value.partition(":function:")
    name = after if marker else value
    return name.split(":", 1)[0]


# -- Lambda ------------------------------------------------------------------------------------


def _known(value: Any, what: str) -> Any:
    """A literal value, or an Unknown naming `what` when it is known only at apply."""
    if isinstance(value, ComputedRef):
        return Unknown(f"{what} is the computed value {value}")
    return value


def lambda_permission_statement(arguments: Mapping[str, Any]) -> dict[str, Any]:
    """An `aws_lambda_permission` as the statement Lambda adds to the function's policy."""
    principal = arguments.get("principal")
    if isinstance(principal, str) and not isinstance(principal, ComputedRef):
        if principal == "*":
            principal_value: Any = "*"
        elif principal.endswith(".amazonaws.com") or principal.endswith(".amazonaws.com.cn"):
            principal_value = {"Service": principal}
        else:
            principal_value = {"AWS": principal}
    elif isinstance(principal, Unknown):
        principal_value = principal
    else:
        # An account id read from a data source or another resource: never the wildcard.
        principal_value = {"AWS": principal}
    condition: dict[str, dict[str, Any]] = {}
    pairs = (
        ("source_arn", "ArnLike", "AWS:SourceArn"),
        ("source_account", "StringEquals", "AWS:SourceAccount"),
        ("principal_org_id", "StringEquals", "aws:PrincipalOrgID"),
        ("function_url_auth_type", "StringEquals", "lambda:FunctionUrlAuthType"),
    )
    for argument, operator, key in pairs:
        value = arguments.get(argument)
        if value is not None:
            condition.setdefault(operator, {})[key] = value
    statement: dict[str, Any] = {
        "Sid": arguments.get("statement_id"),
        "Effect": "Allow",
        "Principal": principal_value,
        "Action": [arguments.get("action")],
        "Resource": ["*"],
    }
    if condition:
        statement["Condition"] = condition
    return statement


def _add_statement(parent: dict[str, Any], statement: Any) -> None:
    policy = parent.get("policy")
    if isinstance(policy, Unknown):
        return
    if policy is None:
        policy = parent["policy"] = {"Version": "2012-10-17", "Statement": []}
    policy["Statement"].append(statement)


# -- snapshot and AMI sharing ------------------------------------------------------------------


def grants_public(kind: str, arguments: Mapping[str, Any]) -> bool | Unknown:
    """Whether the permission shares with everyone: `group = "all"` on an AMI launch permission.

    `aws_snapshot_create_volume_permission` names one account; `all` there is taken for the
    public group (AWS's name for it) rather than assumed to be refused.
    """
    key = "group" if kind == "aws_ami_launch_permission" else "account_id"
    value = _known(arguments.get(key), key)
    if isinstance(value, Unknown):
        return value
    return isinstance(value, str) and value.lower() == "all"


def _merge_public(parent: dict[str, Any], value: bool | Unknown) -> None:
    """True wins over everything; an Unknown wins over False."""
    current = parent.get("public")
    if current is True or value is False:
        return
    parent["public"] = value


# -- network ACL rules -------------------------------------------------------------------------


def _rule_direction(arguments: Mapping[str, Any]) -> str | Unknown:
    egress = c.as_bool(arguments.get("egress"), False)
    if isinstance(egress, Unknown):
        return egress
    return "egress" if egress else "ingress"


def network_acl_protocol(value: Any) -> Any:
    """ "-1" for every protocol, else the IANA number as text ("6" for tcp)."""
    value = _known(value, "protocol")
    if value is None or isinstance(value, Unknown):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value))
    text = str(value).strip().lower()
    return _PROTOCOL_NUMBERS.get(text, text)


def network_acl_entry(arguments: Mapping[str, Any], *, rule_number_key: str) -> dict[str, Any]:
    """One rule from an inline `ingress`/`egress` block (`rule_no`, `action`) or an
    `aws_network_acl_rule` (`rule_number`, `rule_action`)."""
    action = arguments.get("rule_action", arguments.get("action"))
    action = _known(action, "rule action")
    return {
        "rule_number": c.as_int(arguments.get(rule_number_key)),
        "action": action.lower() if isinstance(action, str) else action,
        "protocol": network_acl_protocol(arguments.get("protocol")),
        # A computed CIDR stays a reference: `"${data.x.ip}/32"` is still known to be narrow.
        "cidr_block": arguments.get("cidr_block"),
        "ipv6_cidr_block": arguments.get("ipv6_cidr_block"),
        "from_port": c.as_int(arguments.get("from_port")),
        "to_port": c.as_int(arguments.get("to_port")),
    }


def network_acl_entries(blocks: Any) -> Any:
    rules = c.all_blocks(blocks)
    if isinstance(rules, Unknown):
        return rules
    return [
        rule if isinstance(rule, Unknown) else network_acl_entry(rule, rule_number_key="rule_no")
        for rule in rules
    ]


def append_item(parent: dict[str, Any], key: str, item: Any) -> None:
    """Add `item` to the list `parent[key]` (created when absent; an Unknown list stays)."""
    current = parent.get(key)
    if isinstance(current, list):
        current.append(item)
    elif current is None:
        parent[key] = [item]
    # an Unknown list stays Unknown
