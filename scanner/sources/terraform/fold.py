"""Fold companion resources into their parent and build the canonical Resources.

Parents are indexed by address and by literal name once, so matching a companion is a dict
lookup whichever way it references the parent (`.id`, `.bucket`, `.arn` or a literal name).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from scanner.core.model import ComputedRef, Location, Resource, ScanWarning, Skip, Unknown
from scanner.sources.terraform import access_companions as access
from scanner.sources.terraform import canonical as c
from scanner.sources.terraform.access_companions import append_item as _append
from scanner.sources.terraform.iam_links import iam_principal_attributes, link_iam_principals
from scanner.sources.terraform.policy import normalise_policy
from scanner.sources.terraform.resolve import ResolvedResource
from scanner.sources.terraform.values import Conditional, to_jsonable

TYPE_ALIASES = {"aws_alb_listener": "aws_lb_listener", "aws_alb": "aws_lb"}

# companion type -> (parent type, the argument that names the parent)
COMPANIONS: dict[str, tuple[str, str]] = {
    "aws_s3_bucket_server_side_encryption_configuration": ("aws_s3_bucket", "bucket"),
    "aws_s3_bucket_versioning": ("aws_s3_bucket", "bucket"),
    "aws_s3_bucket_public_access_block": ("aws_s3_bucket", "bucket"),
    "aws_s3_bucket_logging": ("aws_s3_bucket", "bucket"),
    "aws_s3_bucket_acl": ("aws_s3_bucket", "bucket"),
    "aws_s3_bucket_policy": ("aws_s3_bucket", "bucket"),
    "aws_security_group_rule": ("aws_security_group", "security_group_id"),
    "aws_vpc_security_group_ingress_rule": ("aws_security_group", "security_group_id"),
    "aws_vpc_security_group_egress_rule": ("aws_security_group", "security_group_id"),
    "aws_flow_log": ("aws_vpc", "vpc_id"),
    "aws_efs_backup_policy": ("aws_efs_file_system", "file_system_id"),
    "aws_redshift_logging": ("aws_redshift_cluster", "cluster_identifier"),
    "aws_wafv2_web_acl_association": ("aws_lb", "resource_arn"),
    "aws_iam_role_policy_attachment": ("aws_iam_role", "role"),
    "aws_sns_topic_subscription": ("aws_sns_topic", "topic_arn"),
    "aws_iam_user_policy_attachment": ("aws_iam_user", "user"),
    "aws_iam_group_policy_attachment": ("aws_iam_group", "group"),
    **{kind: (types[0], arg) for kind, (types, arg, _) in access.COMPANIONS.items()},
}
# Companions that may configure a parent of several types (the first is COMPANIONS' one).
COMPANION_PARENT_TYPES = {
    "aws_wafv2_web_acl_association": ("aws_lb", "aws_api_gateway_stage"),
    **{kind: types for kind, (types, _, _) in access.COMPANIONS.items()},
}
# The parent argument a literal reference is matched against.
LITERAL_NAME = {
    "aws_s3_bucket": "bucket",
    "aws_security_group": "name",
    "aws_redshift_cluster": "cluster_identifier",
    "aws_iam_role": "name",
    "aws_iam_user": "name",
    "aws_iam_group": "name",
    "aws_lambda_function": "function_name",
}
# Parents a companion may name by a literal name of theirs; one whose name is known only at
# apply (an unset variable, a computed value) may be the one a literal that matches no other
# names. (A security group rule names its group by id, which is never a literal in the same
# configuration.)
NAMED_BY_LITERAL = frozenset(LITERAL_NAME) - {"aws_security_group"}
# Resources that stand for a parent: a companion naming one configures the parent it names
# (a Lambda permission or function URL on an alias is the function's, invoked through the alias).
FORWARDERS = {"aws_lambda_alias": "function_name"}
# Parents that stand for an attribute of another resource: a companion naming that attribute
# (`network_acl_id = aws_vpc.main.default_network_acl_id`) configures the parent.
STANDS_FOR = {"aws_default_network_acl": "default_network_acl_id"}
# What each companion sets on the parent (made Unknown when a companion's parent is unknown).
COMPANION_SETS = {
    "aws_s3_bucket_server_side_encryption_configuration": ("server_side_encryption",),
    "aws_s3_bucket_versioning": ("versioning",),
    "aws_s3_bucket_public_access_block": ("public_access_block",),
    "aws_s3_bucket_logging": ("logging",),
    "aws_s3_bucket_acl": ("acl", "acl_grants"),
    "aws_s3_bucket_policy": ("policy",),
    "aws_security_group_rule": ("ingress", "egress"),
    "aws_vpc_security_group_ingress_rule": ("ingress",),
    "aws_vpc_security_group_egress_rule": ("egress",),
    "aws_flow_log": ("flow_logs",),
    "aws_efs_backup_policy": ("backup_policy",),
    "aws_redshift_logging": ("logging",),
    "aws_wafv2_web_acl_association": ("web_acl_arn",),
    "aws_iam_role_policy_attachment": ("managed_policy_arns",),
    "aws_sns_topic_subscription": ("subscriptions",),
    "aws_iam_user_policy_attachment": ("managed_policy_arns",),
    "aws_iam_group_policy_attachment": ("managed_policy_arns",),
    **{kind: sets for kind, (_, _, sets) in access.COMPANIONS.items()},
}
_POLICY_ATTACHMENTS = (
    "aws_iam_role_policy_attachment",
    "aws_iam_user_policy_attachment",
    "aws_iam_group_policy_attachment",
)
_INLINE_S3_KEYS = ("server_side_encryption_configuration", "grant")


@dataclass
class _Parent:
    resolved: ResolvedResource
    type: str
    attributes: dict[str, Any]
    skips: list[Skip]
    companions: list[ResolvedResource] = field(default_factory=list)


def canonical_parent(resource: ResolvedResource, type_name: str) -> dict[str, Any]:
    attributes = dict(resource.attributes)
    if type_name == "aws_s3_bucket":
        for key in _INLINE_S3_KEYS:
            attributes.pop(key, None)
        raw = resource.attributes
        attributes["acl"] = raw.get("acl")
        attributes["acl_grants"] = c.inline_grants(raw.get("grant"))
        attributes["server_side_encryption"] = c.server_side_encryption(
            raw.get("server_side_encryption_configuration")
        )
        attributes["versioning"] = c.inline_versioning(raw.get("versioning"))
        attributes["logging"] = c.logging(raw.get("logging"))
        attributes["public_access_block"] = None
        attributes["policy"] = normalise_policy(raw.get("policy"))
    elif type_name == "aws_security_group":
        attributes["ingress"] = c.inline_rules(resource.attributes.get("ingress"))
        attributes["egress"] = c.inline_rules(resource.attributes.get("egress"))
    elif type_name == "aws_vpc":
        attributes["flow_logs"] = []
    elif type_name in ("aws_lb", "aws_api_gateway_stage"):
        attributes["web_acl_arn"] = None  # only an aws_wafv2_web_acl_association sets it
    elif type_name == "aws_efs_file_system":
        attributes["backup_policy"] = []  # only an aws_efs_backup_policy sets it
    elif type_name == "aws_sns_topic":
        attributes["subscriptions"] = []
        if "policy" in attributes:
            attributes["policy"] = normalise_policy(attributes["policy"])
    elif type_name in ("aws_iam_role", "aws_iam_user", "aws_iam_group"):
        attributes.update(iam_principal_attributes(resource.attributes))
    elif type_name in access.PARENT_TYPES:
        attributes.update(access.parent_defaults(type_name, resource.attributes))
    elif "policy" in attributes:
        attributes["policy"] = normalise_policy(attributes["policy"])
    return attributes


def apply_companion(parent: dict[str, Any], kind: str, arguments: dict[str, Any]) -> None:
    """Set what one companion says on the parent; a companion wins over an inline block."""
    if kind == "aws_s3_bucket_server_side_encryption_configuration":
        parent["server_side_encryption"] = c.server_side_encryption(arguments)
    elif kind == "aws_s3_bucket_versioning":
        parent["versioning"] = c.companion_versioning(arguments)
    elif kind == "aws_s3_bucket_public_access_block":
        parent["public_access_block"] = c.public_access_block(arguments)
    elif kind == "aws_s3_bucket_logging":
        parent["logging"] = c.logging(arguments)
    elif kind == "aws_s3_bucket_acl":
        parent["acl"] = arguments.get("acl")
        parent["acl_grants"] = c.companion_grants(arguments)
    elif kind == "aws_s3_bucket_policy":
        parent["policy"] = normalise_policy(arguments.get("policy"))
    elif kind == "aws_flow_log":
        _append(parent, "flow_logs", dict(arguments))
    elif kind == "aws_efs_backup_policy":
        parent["backup_policy"] = arguments.get("backup_policy")
    elif kind == "aws_wafv2_web_acl_association":
        parent["web_acl_arn"] = arguments.get("web_acl_arn")
    elif kind == "aws_redshift_logging":
        # The resource's existence is what turns audit logging on (it has no enable flag).
        block = {"enable": True}
        for key in ("bucket_name", "s3_key_prefix", "log_destination_type", "log_exports"):
            if arguments.get(key) is not None:
                block[key] = arguments[key]
        parent["logging"] = [block]
    elif kind in _POLICY_ATTACHMENTS:
        _append(parent, "managed_policy_arns", arguments.get("policy_arn"))
    elif kind in access.COMPANIONS:
        access.apply(parent, kind, arguments)
    elif kind == "aws_sns_topic_subscription":
        # Terraform cannot know whether the endpoint confirmed (email asks a person).
        _append(parent, "subscriptions", {"protocol": arguments.get("protocol"), "confirmed": None})
    else:
        vpc_rule = kind.startswith("aws_vpc_security_group_")
        direction: Any = (
            ("ingress" if kind.endswith("ingress_rule") else "egress")
            if vpc_rule
            else arguments.get("type")
        )
        if not isinstance(direction, str) or direction not in (
            "ingress",
            "egress",
        ):  # unknown direction: both become unknown
            reason = Unknown(f"rule type {direction!r} is not known")
            parent["ingress"] = parent["egress"] = reason
            return
        _append(parent, direction, c.security_group_rule(arguments, vpc_rule=vpc_rule))


def _exists_with(companion: ResolvedResource, parent: ResolvedResource) -> bool:
    """Whether the companion exists exactly when its parent does: both are instances of
    `COND ? ... : 0` with the same COND and branch, in the same module instance. The parent is
    judged as existing, so such a companion folds as present, with its instance's values."""
    mine, theirs = companion.existence, parent.existence
    return (
        isinstance(mine, Conditional)
        and isinstance(theirs, Conditional)
        and mine.condition == theirs.condition
        and companion.module_prefix == parent.module_prefix
    )


def apply_uncertain_companion(
    parent: dict[str, Any], companion: ResolvedResource, why: Unknown | None = None
) -> None:
    """A companion whose count/for_each is unknown may or may not exist (or, with `why`, may
    or may not configure this parent): what it would set is unknown on the parent, never
    present (a rule it would add is one unknown rule)."""
    reason = companion.existence.reason if companion.existence is not None else ""
    unknown = why if why is not None else Unknown(f"{companion.address} may not exist ({reason})")
    kind = companion.type
    if kind == "aws_flow_log":
        _append(parent, "flow_logs", unknown)
    elif kind in _POLICY_ATTACHMENTS:
        _append(parent, "managed_policy_arns", unknown)
    elif kind == "aws_sns_topic_subscription":
        _append(parent, "subscriptions", unknown)
    elif kind in access.COMPANIONS:
        access.apply_uncertain(parent, kind, companion.attributes, unknown)
    elif kind in ("aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"):
        _append(parent, "ingress" if kind.endswith("ingress_rule") else "egress", unknown)
    elif kind == "aws_security_group_rule":
        direction = companion.attributes.get("type")
        if not isinstance(direction, str) or isinstance(direction, ComputedRef):
            direction = None
        for key in ("ingress", "egress"):
            if direction in (key, None) or direction not in ("ingress", "egress"):
                _append(parent, key, unknown)
    else:
        for key in COMPANION_SETS[kind]:
            parent[key] = unknown


def _parent_address(reference: Any) -> str | None:
    """`aws_s3_bucket.b.id` -> `aws_s3_bucket.b` (also with module prefixes and data sources)."""
    if not isinstance(reference, ComputedRef) or "${" in reference:
        return None
    address, _, _attribute = reference.rpartition(".")
    return address or None


def fold_resources(
    resolved: list[ResolvedResource],
    warn: Callable[[ScanWarning], None],
    *,
    keep_raw: bool = True,
) -> list[Resource]:
    """`keep_raw=False`: no `Resource.raw` (the arguments as written), for a caller that must not
    carry it (a Terraform state's raw attributes hold secrets) and need not pay for building it."""
    parents: dict[str, _Parent] = {}
    by_name: dict[tuple[str, str], _Parent] = {}
    unnamed: dict[str, list[_Parent]] = {}
    companions: list[ResolvedResource] = []
    order: list[_Parent] = []
    for resource in resolved:
        type_name = TYPE_ALIASES.get(resource.type, resource.type)
        if type_name in COMPANIONS and not (
            type_name == "aws_flow_log" and resource.attributes.get("vpc_id") is None
        ):
            companions.append(resource)
            continue
        parent = _Parent(
            resource, type_name, canonical_parent(resource, type_name), list(resource.skips)
        )
        parents[resource.address] = parent
        order.append(parent)
        name_key = LITERAL_NAME.get(type_name)
        literal = resource.attributes.get(name_key) if name_key else None
        if isinstance(literal, str) and not isinstance(literal, ComputedRef):
            by_name.setdefault((type_name, literal), parent)
        elif literal is not None and type_name in NAMED_BY_LITERAL:
            unnamed.setdefault(type_name, []).append(parent)
        stands_for = resource.attributes.get(STANDS_FOR.get(type_name, ""))
        if isinstance(stands_for, ComputedRef) and "${" not in stands_for:
            parents.setdefault(str(stands_for), parent)
    ambiguous = _register_conditional_bases(order, parents)
    unresolved: dict[tuple[str, str], dict[str, ResolvedResource]] = {}
    maybe_named: dict[int, tuple[_Parent, dict[str, ResolvedResource]]] = {}
    for companion in companions:
        _fold_one(companion, parents, by_name, unresolved, warn, ambiguous)
        _note_maybe_named(companion, by_name, unnamed, maybe_named)
    if unresolved:
        _mark_unresolved(order, unresolved)
    for parent, by_type in maybe_named.values():
        for companion in by_type.values():
            _mark_parent(parent, companion)
    folded = [_to_resource(parent, keep_raw) for parent in order]
    link_iam_principals(folded)
    return folded


_INDEX = re.compile(r"\[[^\[\]]*\]$")


def _register_conditional_bases(
    order: list[_Parent], parents: dict[str, _Parent]
) -> dict[str, list[_Parent]]:
    """Parents made by `count = COND ? N : 0` are emitted with their index
    (`aws_network_acl.private[0]`), but other blocks' references to them cannot know the
    instances and read `aws_network_acl.private.id`. The unindexed address stands for the one
    instance when there is one; with several it is ambiguous (returned): a companion naming it
    makes what it sets unknown on them, never absent."""
    bases: dict[str, list[_Parent]] = {}
    for parent in order:
        if isinstance(parent.resolved.existence, Conditional):
            base = _INDEX.sub("", parent.resolved.address)
            bases.setdefault(base, []).append(parent)
    ambiguous: dict[str, list[_Parent]] = {}
    for base, group in bases.items():
        if len(group) == 1:
            parents.setdefault(base, group[0])
        else:
            ambiguous[base] = group
    return ambiguous


def _fold_one(
    companion: ResolvedResource,
    parents: dict[str, _Parent],
    by_name: dict[tuple[str, str], _Parent],
    unresolved: dict[tuple[str, str], dict[str, ResolvedResource]],
    warn: Callable[[ScanWarning], None],
    ambiguous: Mapping[str, list[_Parent]] | None = None,
) -> None:
    parent_type, argument = COMPANIONS[companion.type]
    parent_types = COMPANION_PARENT_TYPES.get(companion.type, (parent_type,))
    reference = companion.attributes.get(argument)
    target: _Parent | None = None
    for _hop in range(2):
        address = _parent_address(reference)
        if isinstance(reference, ComputedRef) and str(reference) in parents:
            target = parents[str(reference)]  # a parent standing for this attribute
        elif address is not None:
            target = parents.get(address)
        elif isinstance(reference, str) and not isinstance(reference, ComputedRef):
            target = by_name.get((parent_type, access.literal_name(companion.type, reference)))
        forward = FORWARDERS.get(target.type) if target is not None else None
        if target is None or forward is None or parent_type != "aws_lambda_function":
            break
        reference = target.resolved.attributes.get(forward)  # the alias's function
        target = None
    if target is not None and target.type in parent_types:
        if companion.existence is not None and not _exists_with(companion, target.resolved):
            apply_uncertain_companion(target.attributes, companion)
        else:
            apply_companion(target.attributes, companion.type, companion.attributes)
        target.skips.extend(s for s in companion.skips if s not in target.skips)
        target.companions.append(companion)
        return
    if target is None and address is not None and ambiguous and address in ambiguous:
        why = Unknown(f"{companion.address} configures one of the instances of {address}")
        for candidate in ambiguous[address]:
            if candidate.type in parent_types:
                apply_uncertain_companion(candidate.attributes, companion, why)
                candidate.companions.append(companion)
        return
    if isinstance(reference, Unknown) or (address is None and isinstance(reference, ComputedRef)):
        # We cannot tell which parent it configures: what it sets becomes unknown on every parent
        # of that type in the same module (applied once, in `_mark_unresolved`).
        relevant = companion.type not in access.COMPANIONS or access.unresolved_sets(
            companion.type, companion.attributes
        )
        for each_type in parent_types if relevant else ():
            group = unresolved.setdefault((each_type, companion.module_prefix), {})
            group.setdefault(companion.type, companion)
    warn(
        ScanWarning(
            target=companion.file,
            message=f"{companion.address}: its {parent_type} ({argument} = {reference!s}) is not "
            "in the configuration; not folded",
            line=companion.start_line or None,
        )
    )


def _note_maybe_named(
    companion: ResolvedResource,
    by_name: dict[tuple[str, str], _Parent],
    unnamed: dict[str, list[_Parent]],
    maybe_named: dict[int, tuple[_Parent, dict[str, ResolvedResource]]],
) -> None:
    """A companion naming its parent by a literal that no parent's known name matches may
    configure a parent whose name is known only at apply: what it sets is unknown there."""
    parent_type, argument = COMPANIONS[companion.type]
    reference = companion.attributes.get(argument)
    if not isinstance(reference, str) or isinstance(reference, ComputedRef):
        return
    if (parent_type, access.literal_name(companion.type, reference)) in by_name:
        return
    if companion.type in access.COMPANIONS and not access.unresolved_sets(
        companion.type, companion.attributes
    ):
        return
    for parent in unnamed.get(parent_type, ()):
        entry = maybe_named.setdefault(id(parent), (parent, {}))
        entry[1].setdefault(companion.type, companion)


def _mark_unresolved(
    order: list[_Parent], unresolved: dict[tuple[str, str], dict[str, ResolvedResource]]
) -> None:
    for parent in order:
        for companion in unresolved.get((parent.type, parent.resolved.module_prefix), {}).values():
            _mark_parent(parent, companion)


def _mark_parent(parent: _Parent, companion: ResolvedResource) -> None:
    """A companion that may configure this parent (which one it names cannot be told)."""
    for key in COMPANION_SETS[companion.type]:
        current = parent.attributes.get(key)
        empty = current is None or (isinstance(current, list) and not current)
        reason = Unknown(f"{companion.address} configures a {parent.type} that cannot be resolved")
        if companion.type in access.COMPANIONS:
            access.mark_unresolved(parent.attributes, key, reason)
        elif empty or parent.type == "aws_security_group" or key == "managed_policy_arns":
            parent.attributes[key] = reason


def _to_resource(parent: _Parent, keep_raw: bool) -> Resource:
    resolved = parent.resolved
    raw = None
    if keep_raw:
        raw = {
            "address": resolved.address,
            "type": resolved.type,
            "arguments": to_jsonable(resolved.attributes),
            "companions": [
                {"address": c.address, "type": c.type, "arguments": to_jsonable(c.attributes)}
                for c in parent.companions
            ],
        }
    return Resource(
        type=parent.type,
        id=resolved.address,
        source="terraform",
        location=Location(
            file=resolved.file, start_line=resolved.start_line, end_line=resolved.end_line
        ),
        attributes=parent.attributes,
        raw=raw,
        skips=parent.skips,
        extra_locations=[
            Location(file=c.file, start_line=c.start_line, end_line=c.end_line)
            for c in parent.companions
        ],
        existence=resolved.existence,
    )
