"""Value helpers shared by the evaluator, the resolver and the folder."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from scanner.core.model import ComputedRef, Unknown

META_KEYS = frozenset({"__start_line__", "__end_line__"})


class Failed(Unknown):
    """An expression Terraform itself would reject (missing key, bad type).

    Still Unknown to every consumer; `try()` and `can()` use the distinction to move on.
    """

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
