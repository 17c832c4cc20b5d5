"""`count` and `for_each`: the instances of a resource, data or module block, addressed as
Terraform addresses them (`aws_x.y[0]`, `aws_x.y["key"]`, `module.m["a"].aws_x.y`).

A block without either meta-argument has one instance with no key. A block whose collection is
known has one instance per element. A block whose collection cannot be known before apply keeps
one instance, `UNKNOWN_INSTANCES`, in which `count.index` and `each.*` are Unknown.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from scanner.core.model import ComputedRef, Unknown
from scanner.sources.terraform.config import Block
from scanner.sources.terraform.expressions import to_number
from scanner.sources.terraform.values import Failed, type_name

MAX_INSTANCES = 10_000  # a bigger count is almost certainly a mistake; judged as one instance


@dataclass(frozen=True)
class InstanceKey:
    """One instance: `count.index` (an int), a `for_each` key (a string) or none (a single)."""

    kind: str  # "single" | "count" | "each" | "unknown"
    key: Any = None
    value: Any = None
    # Set on the instances of `count = COND ? N : 0` when COND is not known (emit only).
    condition: Any = field(default=None, compare=False)

    @property
    def suffix(self) -> str:
        if self.kind == "count":
            return f"[{self.key}]"
        if self.kind == "each":
            return f"[{json.dumps(self.key)}]"
        return ""

    @property
    def memo_key(self) -> str:
        return self.suffix or self.kind


SINGLE = InstanceKey("single")


def unknown_instances(reason: str) -> InstanceKey:
    return InstanceKey("unknown", Unknown(reason))


def is_repeated(block: Block) -> bool:
    return "count" in block.body or "for_each" in block.body


def instance_keys(block: Block, count: Any, for_each: Any) -> list[InstanceKey]:
    """The instances of `block`, given its resolved `count` / `for_each` (None when not set)."""
    if "count" in block.body:
        return _count_keys(block, count)
    if "for_each" in block.body:
        return _for_each_keys(block, for_each)
    return [SINGLE]


def _count_keys(block: Block, count: Any) -> list[InstanceKey]:
    if isinstance(count, Unknown):
        return [unknown_instances(f"count of {block.local_address} is not known ({_why(count)})")]
    if count is None:  # `count = null` is an error in Terraform; one instance is the safe reading
        return [SINGLE]
    number = None if isinstance(count, ComputedRef) else to_number(count)
    if not isinstance(number, int) or number < 0 or number > MAX_INSTANCES:
        what = f"the computed value {count}" if isinstance(count, ComputedRef) else repr(count)
        return [unknown_instances(f"count of {block.local_address} is {what}")]
    return [InstanceKey("count", index) for index in range(number)]


def _for_each_keys(block: Block, items: Any) -> list[InstanceKey]:
    address = block.local_address
    if isinstance(items, Unknown):
        return [unknown_instances(f"for_each of {address} is not known ({_why(items)})")]
    if isinstance(items, Mapping):
        if any(isinstance(k, Unknown | ComputedRef) for k in items):
            return [unknown_instances(f"for_each of {address} has keys known only at apply")]
        return [InstanceKey("each", str(k), items[k]) for k in sorted(items, key=str)]
    if isinstance(items, list):
        keys: dict[str, Any] = {}
        for item in items:
            if isinstance(item, Unknown | ComputedRef) or not isinstance(item, str):
                what = "known only at apply" if isinstance(item, ComputedRef) else "not known"
                if not isinstance(item, Unknown | ComputedRef):
                    what = f"a {type_name(item)}, not a string"
                return [unknown_instances(f"an element of for_each of {address} is {what}")]
            keys[item] = item
        if len(keys) > MAX_INSTANCES:
            return [unknown_instances(f"for_each of {address} has {len(keys)} elements")]
        return [InstanceKey("each", k, k) for k in sorted(keys)]
    if items is None:
        return [unknown_instances(f"for_each of {address} is null")]
    return [unknown_instances(f"for_each of {address} is a {type_name(items)}")]


def _why(value: Unknown) -> str:
    return value.reason


def each_namespace(block: Block, key: InstanceKey) -> Any:
    """`each` inside one instance of `block`."""
    if key.kind == "each":
        return {"key": key.key, "value": key.value}
    if key.kind == "unknown":
        return Unknown(f"each.key/each.value of {block.local_address}: {key.key.reason}")
    return Failed(f"each is not available in {block.local_address} (no for_each)")


def count_namespace(block: Block, key: InstanceKey) -> Any:
    """`count` inside one instance of `block`."""
    if key.kind == "count":
        return {"index": key.key}
    if key.kind == "unknown":
        return {"index": Unknown(f"count.index of {block.local_address}: {key.key.reason}")}
    return Failed(f"count is not available in {block.local_address} (no count)")
