"""The Terraform functions the evaluator knows; any other function makes the value Unknown."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from scanner.core.model import ComputedRef, Unknown, UnknownValueError
from scanner.sources.terraform import values as caps
from scanner.sources.terraform.expressions import to_bool, to_number
from scanner.sources.terraform.file_functions import call_file_function
from scanner.sources.terraform.function_args import BadCall, as_list, as_map, as_number, as_string
from scanner.sources.terraform.functions_more import MORE_FUNCTIONS, _formatlist
from scanner.sources.terraform.values import (
    Failed,
    JsonText,
    MayNotExist,
    PartialJson,
    ProviderBlock,
    ValueTooLarge,
    check_size,
    first_unknown,
    type_name,
)

if TYPE_CHECKING:
    from scanner.sources.terraform.expressions import Evaluator, Scope
    from scanner.sources.terraform.syntax import Node

Function = Callable[[list[Any]], Any]


def _jsonencode(args: list[Any]) -> Any:
    nested = first_unknown(args[0])
    if nested is not None:
        return PartialJson(f"jsonencode of a value with an unknown part ({nested.reason})", args[0])
    return JsonText(args[0])


def _jsondecode(args: list[Any]) -> Any:
    if isinstance(args[0], JsonText | PartialJson):
        return args[0].decoded
    if isinstance(args[0], ComputedRef):
        return Unknown(f"jsondecode of the computed value {args[0]}")
    try:
        return json.loads(as_string(args[0]))
    except json.JSONDecodeError as exc:
        raise BadCall(f"invalid JSON: {exc}") from exc


_FORMAT_VERB = re.compile(r"%(%|[-+# 0]*\d*(?:\.\d+)?[sdvqftbeExXo])")


def _format(args: list[Any]) -> str:
    spec = as_string(args[0])
    values = iter(args[1:])

    def substitute(match: re.Match[str]) -> str:
        verb = match.group(1)
        if verb == "%":
            return "%"
        try:
            value = next(values)
        except StopIteration as exc:
            raise BadCall("not enough arguments for format") from exc
        if verb.endswith("q"):
            return json.dumps(as_string(value))
        if verb.endswith(("s", "v")):
            return as_string(value) if not isinstance(value, list | dict) else json.dumps(value)
        number = to_number(value)
        if number is None:
            raise BadCall(f"%{verb} needs a number")
        return str(("%" + verb) % number)

    return _FORMAT_VERB.sub(substitute, spec)


def _concat(args: list[Any]) -> list[Any]:
    return [item for arg in args for item in as_list(arg)]


def _merge(args: list[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for arg in args:
        if arg is not None:
            out.update(as_map(arg))
    return out


def _lookup(args: list[Any]) -> Any:
    mapping = as_map(args[0])
    key = as_string(args[1])
    if key in mapping:
        return mapping[key]
    if isinstance(mapping, ProviderBlock):  # an argument left to the provider: not missing
        return ComputedRef(f"{mapping.address}.{key}")
    if len(args) > 2:
        return args[2]
    raise BadCall(f"no key {key!r}")


def _coalesce(args: list[Any]) -> Any:
    for arg in args:
        if isinstance(arg, Unknown):
            return arg  # it might be the non-empty one: we cannot tell which argument wins
        if arg is not None and arg != "":
            return arg
    raise BadCall("no non-null argument")


def _tonumber(args: list[Any]) -> Any:
    if args[0] is None:
        return None
    number = to_number(args[0])
    if number is None:
        raise BadCall(f"cannot convert {args[0]!r} to a number")
    return number


def _tobool(args: list[Any]) -> Any:
    if args[0] is None:
        return None
    decided = to_bool(args[0])
    if decided is None:
        raise BadCall(f"cannot convert {args[0]!r} to a bool")
    return decided


def _toset(args: list[Any]) -> list[Any]:
    out: list[Any] = []
    seen: set[str] = set()
    for item in as_list(args[0]):
        marker = json.dumps(item, sort_keys=True, default=str)
        if marker not in seen:
            seen.add(marker)
            out.append(item)
    return out


def _length(args: list[Any]) -> int:
    value = args[0]
    if isinstance(value, str | list | Mapping) and not isinstance(value, ComputedRef):
        return len(value)
    raise BadCall(f"length of a {type_name(value)}")


def _flatten(args: list[Any]) -> list[Any]:
    out: list[Any] = []
    for item in as_list(args[0]):
        out.extend(_flatten([item]) if isinstance(item, list) else [item])
    return out


def _element(args: list[Any]) -> Any:
    items = as_list(args[0])
    index = to_number(args[1])
    if not items or not isinstance(index, int):
        raise BadCall("element of an empty list")
    return items[index % len(items)]


def _contains(args: list[Any]) -> bool:
    needle = args[1]
    return any(
        type(item) is type(needle) and item == needle
        for item in as_list(args[0])
        if not isinstance(item, Unknown)
    )


FUNCTIONS: dict[str, Function] = {
    "jsonencode": _jsonencode,
    "jsondecode": _jsondecode,
    "lower": lambda a: as_string(a[0]).lower(),
    "upper": lambda a: as_string(a[0]).upper(),
    "title": lambda a: as_string(a[0]).title(),
    "trimspace": lambda a: as_string(a[0]).strip(),
    "format": _format,
    "join": lambda a: as_string(a[0]).join(as_string(x) for x in as_list(a[1])),
    "split": lambda a: as_string(a[1]).split(as_string(a[0])),
    "startswith": lambda a: as_string(a[0]).startswith(as_string(a[1])),
    "endswith": lambda a: as_string(a[0]).endswith(as_string(a[1])),
    "concat": _concat,
    "merge": _merge,
    "lookup": _lookup,
    "tostring": lambda a: None if a[0] is None else as_string(a[0]),
    "tonumber": _tonumber,
    "tobool": _tobool,
    "coalesce": _coalesce,
    "length": _length,
    "toset": _toset,
    "tolist": lambda a: list(as_list(a[0])),
    "tomap": lambda a: dict(as_map(a[0])),
    "keys": lambda a: sorted(as_map(a[0]).keys()),
    "values": lambda a: [v for _, v in sorted(as_map(a[0]).items())],
    "distinct": _toset,
    "flatten": _flatten,
    "compact": lambda a: [x for x in as_list(a[0]) if x is not None and x != ""],
    "element": _element,
    "contains": _contains,
    "min": lambda a: min(as_number(x) for x in a),
    "max": lambda a: max(as_number(x) for x in a),
    "abs": lambda a: abs(as_number(a[0])),
    "formatlist": lambda a: _formatlist(a, _format),
    **MORE_FUNCTIONS,
}

# Functions that only move values around: nested Unknowns may pass through them.
_STRUCTURAL = frozenset({"concat", "merge", "lookup", "tolist", "tomap", "jsonencode", "coalesce"})
# Functions that may take a computed reference and keep it one.
_REF_PRESERVING = frozenset({"tostring", "coalesce", "lookup", "concat", "tolist", "replace"})
# String functions of a computed string: still a (not null) string known only at apply.
_COMPUTED_STRING_OF = frozenset(
    {"chomp", "trimspace", "lower", "upper", "title", "trim", "trimprefix", "trimsuffix"}
)
# Functions that build strings from their arguments: a computed argument makes a computed string
# (known to be set, its text naming the parts), as a template does.
_TEMPLATE_LIKE = frozenset({"format", "formatlist", "join"})


def call_function(
    ev: Evaluator, name: str, arg_nodes: list[Node], expand: bool, scope: Scope
) -> Any:
    if name in ("try", "can"):
        return _try(ev, name, arg_nodes, scope)
    if name in ("file", "templatefile"):
        return call_file_function(ev, name, arg_nodes, scope)
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
    if (
        name in _COMPUTED_STRING_OF
        and args
        and isinstance(args[0], ComputedRef)
        and all(not isinstance(a, Unknown | ComputedRef) for a in args[1:])
    ):
        return ComputedRef(f"{name}({args[0]})")
    if name in _TEMPLATE_LIKE and any(_holds_reference(a) for a in args):
        return _computed_string(ev, name, function, args)
    if name == "jsondecode" and args and isinstance(args[0], PartialJson):
        return args[0].decoded
    if name == "replace" and len(args) == 3 and isinstance(args[0], PartialJson):
        # keep the known parts of a partly unknown document (placeholders in policies)
        replaced = (
            function([JsonText(args[0].decoded), *args[1:]])
            if not any(isinstance(a, Unknown) for a in args[1:])
            else None
        )
        if isinstance(replaced, JsonText):
            return PartialJson(args[0].reason, replaced.decoded)
        return args[0]
    for arg in args:
        unknown = arg if isinstance(arg, Unknown) else None
        if unknown is None and name not in _STRUCTURAL:
            unknown = first_unknown(arg)
        if unknown is not None and name != "coalesce":
            return unknown
        if isinstance(arg, ComputedRef) and name not in _REF_PRESERVING:
            return ev.unknown(f"{name}() of the computed value {arg}")
    check_size(args, f"what {name}() was given")
    _check_replace_growth(name, args)
    try:
        result = function(args)
    except UnknownValueError as exc:
        return ev.unknown(f"{name}() met an unknown value ({exc.reason})")
    except (BadCall, IndexError, TypeError, ValueError, OverflowError) as exc:
        return ev.failed(f"{name}(): {exc}")
    check_size(result, f"the result of {name}()")
    return result


def _check_replace_growth(name: str, args: list[Any]) -> None:
    """replace() is the one function whose result can be the square of its arguments' size:
    measure it before building it."""
    if name != "replace" or len(args) != 3 or not all(isinstance(a, str) for a in args):
        return
    text, old, new = args
    grown = len(text) + (text.count(old) if old else len(text) + 1) * len(new)
    if grown > caps.MAX_VALUE_SIZE:
        raise ValueTooLarge(
            f"the result of replace() is longer than the cap of {caps.MAX_VALUE_SIZE:,} characters"
        )


def _holds_reference(value: Any) -> bool:
    return isinstance(value, ComputedRef) or (
        isinstance(value, list) and any(isinstance(v, ComputedRef) for v in value)
    )


def _as_template_part(value: Any) -> Any:
    if isinstance(value, ComputedRef):
        return "${" + value + "}" if not value.startswith("${") else str(value)
    if isinstance(value, list):
        return [_as_template_part(v) for v in value]
    return value


def _computed_string(ev: Evaluator, name: str, function: Function, args: list[Any]) -> Any:
    """format/formatlist/join over computed values: the text with `${ref}` parts, computed."""
    unknown = first_unknown(args)
    if unknown is not None:
        return unknown
    try:
        result = function([_as_template_part(a) for a in args])
    except (BadCall, IndexError, TypeError, ValueError) as exc:
        return ev.failed(f"{name}(): {exc}")
    if isinstance(result, list):
        return [ComputedRef(r) if "${" in r else r for r in result]
    return ComputedRef(result) if isinstance(result, str) and "${" in result else result


# A computed value that is the same whichever block reads it: the provider's partition.
_SAME_EVERYWHERE = re.compile(r"(?:^|\.)data\.aws_partition\.[^.]+\.partition$")


def _either(exists: Any, fallback: Any, unknown: Unknown) -> Any:
    """try(x[0].a, fallback) where `x[0]` may not exist: its value when both branches give the
    same (or one is an error, which Terraform would reject), else unknown."""
    if isinstance(first_unknown(exists), Failed):
        return fallback
    if isinstance(first_unknown(fallback), Failed):
        return exists
    if isinstance(exists, ComputedRef) and isinstance(fallback, ComputedRef):
        same = exists == fallback or all(
            _SAME_EVERYWHERE.search(_INSTANCE_INDEX.sub("", ref)) for ref in (exists, fallback)
        )
        return exists if same else unknown
    if isinstance(exists, ComputedRef) or isinstance(fallback, ComputedRef):
        return unknown
    try:
        return exists if type(exists) is type(fallback) and exists == fallback else unknown
    except UnknownValueError:
        return unknown


_INSTANCE_INDEX = re.compile(r"\[[^\[\]]*\]")


def _try(ev: Evaluator, name: str, arg_nodes: list[Node], scope: Scope) -> Any:
    """try(): the first argument that is not an error; can(): whether the first one is not."""
    for position, node in enumerate(arg_nodes):
        # An argument try() can fall back from, or can()'s: an error there is not a rejection.
        guarded = name == "can" or position < len(arg_nodes) - 1
        ev.guarded += guarded
        try:
            value = ev.evaluate(node, scope)
        finally:
            ev.guarded -= guarded
        nested = first_unknown(value)
        if name == "try" and guarded and isinstance(nested, MayNotExist):
            return _either(
                ev.evaluate(node, scope), _try(ev, name, arg_nodes[position + 1 :], scope), nested
            )
        if isinstance(nested, Failed):
            if name == "can":
                return False
            continue
        if name == "can":
            return nested if nested is not None else True
        return value
    return ev.failed("no argument of try() succeeded")
