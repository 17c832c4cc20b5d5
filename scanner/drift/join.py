"""Join Terraform-managed resources to their live counterparts by canonical id.

The canonical id of a live AWS resource is its ARN. The state records the ARN of most resources
(`arn`), so the join is an exact ARN match. The documented exceptions:

- `aws_s3_bucket`: by bucket name (`bucket`); the bucket ARN carries no account or region.
- `aws_security_group`: by group id (`id`, sg-...); older states have no `arn` for groups.
- `aws_cloudwatch_log_group`: ARNs compared without the `:*` suffix some API versions add.
- A resource whose state has no `arn`: by its `id`, then its `name`, against the same attribute
  of live resources of the same type.

A managed resource that joins nothing is *deleted* only when the live side looked where it would
be: its type was collected, and its ARN's account and region were scanned. Otherwise it is *out of
scope* (counted, never reported as deleted).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from scanner.core.model import Resource
from scanner.sources.terraform.state import ManagedResource

_BY_ATTRIBUTE = {"aws_s3_bucket": ("bucket", "id"), "aws_security_group": ("id",)}
_FALLBACK_ATTRIBUTES = ("id", "name")


def _arn_key(arn: str) -> str:
    return arn[:-2] if arn.endswith(":*") else arn


@dataclass
class Join:
    pairs: list[tuple[ManagedResource, Resource]] = field(default_factory=list)
    deleted: list[ManagedResource] = field(default_factory=list)
    out_of_scope: list[ManagedResource] = field(default_factory=list)
    unmanaged: list[Resource] = field(default_factory=list)


class LiveIndex:
    """Live resources by (type, ARN) and by (type, attribute, value): one dict lookup a join."""

    def __init__(self, live: Iterable[Resource]) -> None:
        self.by_arn: dict[tuple[str, str], Resource] = {}
        self.by_attribute: dict[tuple[str, str, str], Resource] = {}
        for resource in live:
            self.by_arn.setdefault((resource.type, _arn_key(resource.id)), resource)
            for key in ("id", "name", "bucket"):
                value = resource.attributes.get(key)
                if isinstance(value, str) and value:
                    self.by_attribute.setdefault((resource.type, key, value), resource)

    def find(self, managed: ManagedResource) -> Resource | None:
        type_name, identity = managed.resource.type, managed.identity
        special = _BY_ATTRIBUTE.get(type_name)
        if special is not None:
            for state_key in special:
                value = identity.get(state_key)
                live_key = "bucket" if type_name == "aws_s3_bucket" else state_key
                if value and (found := self.by_attribute.get((type_name, live_key, value))):
                    return found
            return None
        arn = identity.get("arn")
        if arn:
            return self.by_arn.get((type_name, _arn_key(arn)))
        for key in _FALLBACK_ATTRIBUTES:
            value = identity.get(key)
            if value and (found := self.by_attribute.get((type_name, key, value))):
                return found
        return None


def _in_scope(managed: ManagedResource, accounts: set[str], regions: set[str]) -> bool:
    """Whether the live side looked where this resource would be (by its ARN, when it has one)."""
    parts = managed.identity.get("arn", "").split(":")
    if len(parts) < 6:
        return True  # no ARN (or a bucket's, which has no region): the type's scan covers it
    region, account = parts[3], parts[4]
    if region and regions and region not in regions:
        return False
    return not (account and accounts and account not in accounts)


def join(
    managed: list[ManagedResource],
    live: list[Resource],
    *,
    collected_types: set[str],
    accounts: set[str],
    regions: set[str],
) -> Join:
    index = LiveIndex(live)
    result = Join()
    joined: set[int] = set()
    for item in managed:
        found = index.find(item)
        if found is not None:  # two stacks managing one object still both join it
            joined.add(id(found))
            result.pairs.append((item, found))
        elif item.resource.type in collected_types and _in_scope(item, accounts, regions):
            result.deleted.append(item)
        else:
            result.out_of_scope.append(item)
    result.unmanaged = [r for r in live if id(r) not in joined and r.type in collected_types]
    return result
