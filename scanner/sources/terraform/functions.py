"""The Terraform functions the evaluator knows; any other function makes the value Unknown."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from scanner.core.model import ComputedRef, Unknown, UnknownValueError
from scanner.sources.terraform.expressions import _render, to_bool, to_number
from scanner.sources.terraform.values import Failed, JsonText, first_unknown, type_name

if TYPE_CHECKING:
    from scanner.sources.terraform.expressions import Evaluator, Scope
    from scanner.sources.terraform.syntax import Node

Function = Callable[[list[Any]], Any]


class _Bad(Exception):
    """A call Terraform would reject; becomes a Failed value."""


def _string(value: Any) -> str:
    rendered = _render(value)
    if rendered is None:
        raise _Bad(f"expected a string, got a {type_name(value)}")
    return rendered


def _list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    raise _Bad(f"expected a list, got a {type_name(value)}")


def _map(value: Any) -> Mapping[str, Any]:
    if isinstance(value, Mapping):
        return value
    raise _Bad(f"expected a map, got a {type_name(value)}")


def _jsonencode(args: list[Any]) -> Any:
    nested = first_unknown(args[0])
    return nested if nested is not None else JsonText(args[0])


def _jsondecode(args: list[Any]) -> Any:
    if isinstance(args[0], JsonText):
        return args[0].decoded
    if isinstance(args[0], ComputedRef):
        return Unknown(f"jsondecode of the computed value {args[0]}")
    try:
        return json.loads(_string(args[0]))
    except json.JSONDecodeError as exc:
        raise _Bad(f"invalid JSON: {exc}") from exc


_FORMAT_VERB = re.compile(r"%(%|[-+# 0]*\d*(?:\.\d+)?[sdvqftbeExXo])")


def _format(args: list[Any]) -> str:
    spec = _string(args[0])
    values = iter(args[1:])

    def substitute(match: re.Match[str]) -> str:
        verb = match.group(1)
        if verb == "%":
            return "%"
        try:
            value = next(values)
        except StopIteration as exc:
            raise _Bad("not enough arguments for format") from exc
        if verb.endswith("q"):
            return json.dumps(_string(value))
        if verb.endswith(("s", "v")):
            return _string(value) if not isinstance(value, list | dict) else json.dumps(value)
        number = to_number(value)
        if number is None:
            raise _Bad(f"%{verb} needs a number")
        return str(("%" + verb) % number)

    return _FORMAT_VERB.sub(substitute, spec)


def _concat(args: list[Any]) -> list[Any]:
    return [item for arg in args for item in _list(arg)]


def _merge(args: list[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for arg in args:
        if arg is not None:
            out.update(_map(arg))
    return out


def _lookup(args: list[Any]) -> Any:
    mapping = _map(args[0])
    key = _string(args[1])
    if key in mapping:
        return mapping[key]
    if len(args) > 2:
        return args[2]
    raise _Bad(f"no key {key!r}")


def _coalesce(args: list[Any]) -> Any:
    for arg in args:
        if isinstance(arg, Unknown):
            return arg  # it might be the non-empty one: we cannot tell which argument wins
        if arg is not None and arg != "":
            return arg
    raise _Bad("no non-null argument")


def _tonumber(args: list[Any]) -> Any:
    if args[0] is None:
        return None
    number = to_number(args[0])
    if number is None:
        raise _Bad(f"cannot convert {args[0]!r} to a number")
    return number


def _tobool(args: list[Any]) -> Any:
    if args[0] is None:
        return None
    decided = to_bool(args[0])
    if decided is None:
        raise _Bad(f"cannot convert {args[0]!r} to a bool")
    return decided


def _toset(args: list[Any]) -> list[Any]:
    out: list[Any] = []
    seen: set[str] = set()
    for item in _list(args[0]):
        marker = json.dumps(item, sort_keys=True, default=str)
        if marker not in seen:
            seen.add(marker)
            out.append(item)
    return out


def _length(args: list[Any]) -> int:
    value = args[0]
    if isinstance(value, str | list | Mapping) and not isinstance(value, ComputedRef):
        return len(value)
    raise _Bad(f"length of a {type_name(value)}")


def _flatten(args: list[Any]) -> list[Any]:
    out: list[Any] = []
    for item in _list(args[0]):
        out.extend(_flatten([item]) if isinstance(item, list) else [item])
    return out


def _element(args: list[Any]) -> Any:
    items = _list(args[0])
    index = to_number(args[1])
    if not items or not isinstance(index, int):
        raise _Bad("element of an empty list")
    return items[index % len(items)]


def _contains(args: list[Any]) -> bool:
    needle = args[1]
    return any(
        type(item) is type(needle) and item == needle
        for item in _list(args[0])
        if not isinstance(item, Unknown)
    )


FUNCTIONS: dict[str, Function] = {
    "jsonencode": _jsonencode,
    "jsondecode": _jsondecode,
    "lower": lambda a: _string(a[0]).lower(),
    "upper": lambda a: _string(a[0]).upper(),
    "title": lambda a: _string(a[0]).title(),
    "trimspace": lambda a: _string(a[0]).strip(),
    "format": _format,
    "join": lambda a: _string(a[0]).join(_string(x) for x in _list(a[1])),
    "split": lambda a: _string(a[1]).split(_string(a[0])),
    "replace": lambda a: _string(a[0]).replace(_string(a[1]), _string(a[2])),
    "startswith": lambda a: _string(a[0]).startswith(_string(a[1])),
    "endswith": lambda a: _string(a[0]).endswith(_string(a[1])),
    "concat": _concat,
    "merge": _merge,
    "lookup": _lookup,
    "tostring": lambda a: None if a[0] is None else _string(a[0]),
    "tonumber": _tonumber,
    "tobool": _tobool,
    "coalesce": _coalesce,
    "length": _length,
    "toset": _toset,
    "tolist": lambda a: list(_list(a[0])),
    "tomap": lambda a: dict(_map(a[0])),
    "keys": lambda a: sorted(_map(a[0]).keys()),
    "values": lambda a: [v for _, v in sorted(_map(a[0]).items())],
    "distinct": _toset,
    "flatten": _flatten,
    "compact": lambda a: [x for x in _list(a[0]) if x is not None and x != ""],
    "element": _element,
    "contains": _contains,
    "min": lambda a: min(_number(x) for x in a),
    "max": lambda a: max(_number(x) for x in a),
    "abs": lambda a: abs(_number(a[0])),
}

# Functions that only move values around: nested Unknowns may pass through them.
_STRUCTURAL = frozenset({"concat", "merge", "lookup", "tolist", "tomap", "jsonencode", "coalesce"})
# Functions that may take a computed reference and keep it one.
_REF_PRESERVING = frozenset({"tostring", "coalesce", "lookup", "concat", "tolist"})


def _number(value: Any) -> float:
    number = to_number(value)
    if number is None:
        raise _Bad(f"expected a number, got a {type_name(value)}")
    return number


def call_function(
    ev: Evaluator, name: str, arg_nodes: list[Node], expand: bool, scope: Scope
) -> Any:
    if name in ("try", "can"):
        return _try(ev, name, arg_nodes, scope)
    function = FUNCTIONS.get(name)
    if function is None:
        return ev.unknown(f"unsupported function {name}()")
    args = [ev.evaluate(node, scope) for node in arg_nodes]
    if expand and args:
        if isinstance(args[-1], Unknown):
            return args[-1]
        if not isinstance(args[-1], list):
            return ev.failed(f"cannot expand a {type_name(args[-1])}")
        args = args[:-1] + args[-1]
    for arg in args:
        unknown = arg if isinstance(arg, Unknown) else None
        if unknown is None and name not in _STRUCTURAL:
            unknown = first_unknown(arg)
        if unknown is not None and name != "coalesce":
            return unknown
        if isinstance(arg, ComputedRef) and name not in _REF_PRESERVING:
            return ev.unknown(f"{name}() of the computed value {arg}")
    try:
        return function(args)
    except UnknownValueError as exc:
        return ev.unknown(f"{name}() met an unknown value ({exc.reason})")
    except (_Bad, IndexError, TypeError, ValueError, OverflowError) as exc:
        return ev.failed(f"{name}(): {exc}")


def _try(ev: Evaluator, name: str, arg_nodes: list[Node], scope: Scope) -> Any:
    """try(): the first argument that is not an error; can(): whether the first one is not."""
    for node in arg_nodes:
        value = ev.evaluate(node, scope)
        nested = first_unknown(value)
        if isinstance(nested, Failed):
            if name == "can":
                return False
            continue
        if name == "can":
            return nested if nested is not None else True
        return value
    return ev.failed("no argument of try() succeeded")
