"""Value helpers shared by the evaluator, the resolver and the folder."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from scanner.core.model import ComputedRef, Unknown

META_KEYS = frozenset({"__start_line__", "__end_line__"})

# Bounded work on any input (docs/security.md): an evaluated value may hold at most this many
# elements plus characters, counted as written out (a list referenced twice counts twice), and one
# expression may take at most this many evaluation steps. 40 locals that each double the one before
# would otherwise need terabytes; a real configuration stays far below both.
MAX_VALUE_SIZE = 1_000_000
MAX_EVALUATION_STEPS = 2_000_000


class ValueTooLarge(Exception):
    """An evaluated value or an expression's work went past a documented cap."""


def check_size(value: Any, what: str = "value") -> None:
    """Raise ValueTooLarge when `value`, written out, is larger than MAX_VALUE_SIZE.

    A list referenced twice counts twice (that is what an output or a check would walk), but each
    distinct list or map is measured once, so 40 locals that double the one before cost 40 steps.
    """
    kind = type(value)
    if kind in _SCALARS or (kind is str and len(value) <= MAX_VALUE_SIZE):
        return  # most values: nothing to walk
    sizes: dict[int, int] = {}
    stack: list[tuple[Any, bool]] = [(value, False)]
    while stack:
        item, children_done = stack.pop()
        if id(item) in sizes or not _is_container(item):
            continue
        children = item.values() if isinstance(item, Mapping) else item
        if not children_done:
            stack.append((item, True))
            stack.extend((c, False) for c in children if _is_container(c) and id(c) not in sizes)
            continue
        total = 1 + len(children)
        for child in children:
            kind = type(child)
            if kind is str:
                total += len(child)
            elif kind not in _SCALARS:
                total += sizes.get(id(child), 0) if _is_container(child) else _scalar_size(child)
        if total > MAX_VALUE_SIZE:
            raise ValueTooLarge(
                f"{what} is larger than the cap of {MAX_VALUE_SIZE:,} elements and characters"
            )
        sizes[id(item)] = total
    if not _is_container(value) and _scalar_size(value) > MAX_VALUE_SIZE:
        raise ValueTooLarge(f"{what} is longer than the cap of {MAX_VALUE_SIZE:,} characters")


_SCALARS = frozenset({int, float, bool, type(None)})
_CONTAINERS = frozenset({list, dict, tuple})


def _is_container(value: Any) -> bool:
    kind = type(value)
    if kind in _CONTAINERS:
        return True
    if kind in _SCALARS or kind is str:
        return False
    return isinstance(value, Mapping | list | tuple)


def _scalar_size(value: Any) -> int:
    return len(value) if isinstance(value, str) else 1


class Failed(Unknown):
    """An expression Terraform itself would reject (missing key, bad type).

    Still Unknown to every consumer; `try()` and `can()` use the distinction to move on.
    """

    __slots__ = ()


class ProviderBlock(dict[str, Any]):
    """A nested block of a managed resource, as a reference reads it
    (`aws_eks_cluster.this.kubernetes_network_config[0]`).

    An argument the configuration leaves out of the block is set by the provider (a default or
    a computed value), so reading it is a computed reference, never a missing key: `try()` must
    not fall back past a value Terraform would have."""

    def __init__(self, address: str, items: Mapping[str, Any]) -> None:
        super().__init__(items)
        self.address = address


def as_provider_blocks(address: str, value: Any) -> Any:
    """A list of nested blocks (dicts) as ProviderBlocks, nested ones included; anything else
    (a map argument such as `tags`, a scalar, a list of strings) as it is."""
    if not isinstance(value, list) or not value or not all(isinstance(v, dict) for v in value):
        return value
    return [
        ProviderBlock(
            f"{address}[{index}]",
            {k: as_provider_blocks(f"{address}[{index}].{k}", v) for k, v in block.items()},
        )
        for index, block in enumerate(value)
    ]


class Conditional(Unknown):
    """The existence of an instance made by `count = COND ? N : 0` (or a `for_each` alike)
    whose COND is not known: it exists exactly when COND holds. `condition` identifies COND
    and the branch taken (its syntax tree, in one module instance), so two blocks with the
    same condition are known to exist together."""

    __slots__ = ("condition",)

    def __init__(self, reason: str, condition: str) -> None:
        super().__init__(reason)
        self.condition = condition

    def __getstate__(self) -> Any:
        return (self.reason, self.condition)

    def __setstate__(self, state: Any) -> None:
        self.reason, self.condition = state


class MayNotExist(Unknown):
    """`aws_x.y[0]` inside try()/can() where the instances of `aws_x.y` are not known: the index
    may be an error, and try() then takes its fallback."""

    __slots__ = ()


class JsonText(str):
    """The string `jsonencode(...)` (or a rendered policy document) produces.

    Keeps the structure it was made from, so a policy keeps its ComputedRefs instead of losing
    them in a round trip through text.
    """

    decoded: Any

    def __new__(cls, decoded: Any) -> JsonText:
        text = super().__new__(cls, json.dumps(decoded, sort_keys=False, default=str))
        text.decoded = decoded
        return text

    def __reduce__(self) -> tuple[Any, ...]:
        return (JsonText, (self.decoded,))


class PartialJson(Unknown):
    """`jsonencode(...)` of a structure with Unknowns inside: unknown as text (a check must not
    read it as a string), but `decoded` keeps the known parts, so a policy whose only unknown is
    one resource ARN can still be judged on its actions and principals."""

    __slots__ = ("decoded",)

    def __init__(self, reason: str, decoded: Any) -> None:
        super().__init__(reason)
        self.decoded = decoded

    def __getstate__(self) -> Any:
        return (self.reason, self.decoded)

    def __setstate__(self, state: Any) -> None:
        self.reason, self.decoded = state


def first_unknown(value: Any) -> Unknown | None:
    """The first Unknown nested anywhere in `value`, or None."""
    if isinstance(value, Unknown):
        return value
    if isinstance(value, Mapping):
        for item in value.values():
            found = first_unknown(item)
            if found is not None:
                return found
    elif isinstance(value, list | tuple):
        for item in value:
            found = first_unknown(item)
            if found is not None:
                return found
    return None


def strip_meta(value: Any) -> Any:
    """Drop python-hcl2's line-number keys, recursively."""
    if isinstance(value, dict):
        return {k: strip_meta(v) for k, v in value.items() if k not in META_KEYS}
    if isinstance(value, list):
        return [strip_meta(v) for v in value]
    return value


def to_jsonable(value: Any) -> Any:
    """Plain JSON data for `Resource.raw`: Unknown becomes its description, refs their address."""
    if isinstance(value, Unknown):
        return str(value)
    if isinstance(value, JsonText | ComputedRef):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items() if k not in META_KEYS}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    return value


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, Mapping):
        return "object"
    return type(value).__name__
