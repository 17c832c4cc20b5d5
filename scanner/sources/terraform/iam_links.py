"""IAM principals in Terraform: which managed policies are attached and which inline policies
they hold, gathered from every resource that says so.

Attachments (`aws_iam_{role,user,group}_policy_attachment`) are folded into their principal as
companions by fold.py. Two kinds cannot be folded that way and are linked here instead:

- inline policies (`aws_iam_{role,user,group}_policy`) stay resources of their own, since
  `iam_policy_no_full_admin_privileges` judges their documents; the principal only learns their
  names (`inline_policy_names`);
- `aws_iam_policy_attachment` attaches one policy to lists of users, roles and groups.

A reference that names a principal outside the configuration is ignored (there is nothing here
to judge); one whose value is unknown adds an Unknown entry to every principal of that type,
since any of them may be the one it names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scanner.core.model import ComputedRef, Resource, Unknown

PRINCIPAL_TYPES = ("aws_iam_role", "aws_iam_user", "aws_iam_group")
# inline policy type -> (principal type, the argument that names it)
_INLINE = {
    "aws_iam_role_policy": ("aws_iam_role", "role"),
    "aws_iam_user_policy": ("aws_iam_user", "user"),
    "aws_iam_group_policy": ("aws_iam_group", "group"),
}
# aws_iam_policy_attachment's list arguments
_SHARED_ATTACHMENT = {"roles": "aws_iam_role", "users": "aws_iam_user", "groups": "aws_iam_group"}


def iam_principal_attributes(arguments: Mapping[str, Any]) -> dict[str, Any]:
    """What a principal block says itself: the role's (deprecated) `managed_policy_arns` and
    `inline_policy` blocks. An `inline_policy {}` without a name declares none."""
    arns = arguments.get("managed_policy_arns")
    inline = arguments.get("inline_policy")
    names: Any
    if isinstance(inline, Unknown):
        names = inline
    else:
        blocks = inline if isinstance(inline, list) else [inline] if inline else []
        names = [b.get("name") for b in blocks if isinstance(b, Mapping) and b.get("name")]
    return {"managed_policy_arns": _as_list(arns), "inline_policy_names": names}


def _as_list(value: Any) -> Any:
    if isinstance(value, Unknown):
        return value
    if isinstance(value, list):
        return list(value)
    return [value] if value else []


def _address(reference: str) -> str:
    """`aws_iam_role.app.name` -> `aws_iam_role.app` (module prefixes kept)."""
    return reference.rpartition(".")[0]


class _Principals:
    def __init__(self, resources: list[Resource]) -> None:
        self.by_id: dict[str, Resource] = {}
        self.by_name: dict[tuple[str, str], Resource] = {}
        self.of_type: dict[str, list[Resource]] = {t: [] for t in PRINCIPAL_TYPES}
        for resource in resources:
            if resource.type in PRINCIPAL_TYPES:
                self.by_id[resource.id] = resource
                self.of_type[resource.type].append(resource)
                name = resource.attributes.get("name")
                if isinstance(name, str) and not isinstance(name, ComputedRef):
                    self.by_name.setdefault((resource.type, name), resource)

    def add(self, principal_type: str, reference: Any, key: str, item: Any, why: str) -> None:
        if isinstance(reference, Unknown):
            # Any of them may be the one it names: each gets an unknown entry, which hides
            # no entry that is known (a known admin attachment still fails).
            for resource in self.of_type[principal_type]:
                _append(resource, key, Unknown(why))
            return
        if isinstance(reference, ComputedRef):
            target = self.by_id.get(_address(reference))
        elif isinstance(reference, str):
            target = self.by_name.get((principal_type, reference))
        else:
            target = None
        if target is not None and target.type == principal_type:
            _append(target, key, item)


def _append(resource: Resource, key: str, item: Any) -> None:
    current = resource.attributes.get(key)
    if isinstance(current, list):
        current.append(item)
    elif current is None:
        resource.attributes[key] = [item]
    # an Unknown list stays Unknown


def link_iam_principals(resources: list[Resource]) -> None:
    principals = _Principals(resources)
    for resource in resources:
        if resource.type in _INLINE:
            principal_type, argument = _INLINE[resource.type]
            principals.add(
                principal_type,
                resource.attributes.get(argument),
                "inline_policy_names",
                resource.attributes.get("name"),
                f"{resource.id} names a principal that cannot be resolved",
            )
        elif resource.type == "aws_iam_policy_attachment":
            for argument, principal_type in _SHARED_ATTACHMENT.items():
                listed = resource.attributes.get(argument)
                why = f"{resource.id} attaches to {argument} that cannot be resolved"
                entries = [listed] if isinstance(listed, Unknown) else listed or []
                for entry in entries:
                    principals.add(
                        principal_type,
                        entry,
                        "managed_policy_arns",
                        resource.attributes.get("policy_arn"),
                        why,
                    )
