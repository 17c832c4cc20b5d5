"""More Terraform functions: strings and paths, collections, and `replace` inside JSON text.

Each takes the evaluated arguments (no Unknown among them: the caller checks) and returns the
value, or raises BadCall for a call Terraform would reject.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Mapping
from typing import Any

from scanner.core.model import ComputedRef, Unknown
from scanner.sources.terraform.function_args import (
    BadCall,
    as_list,
    as_map,
    as_number,
    as_string,
)
from scanner.sources.terraform.values import JsonText


def _formatlist(args: list[Any], format_one: Callable[[list[Any]], str]) -> list[str]:
    lists = [a for a in args[1:] if isinstance(a, list)]
    lengths = {len(a) for a in lists}
    if len(lengths) > 1:
        raise BadCall("formatlist: lists of different lengths")
    count = lengths.pop() if lengths else 1
    return [
        format_one([args[0], *[a[i] if isinstance(a, list) else a for a in args[1:]]])
        for i in range(count)
    ]


def _replace(args: list[Any]) -> Any:
    """`replace(jsonencode(...), "_PLACEHOLDER_", value)`: replace inside the strings of the
    structure the text was made from, so a computed replacement keeps the rest known."""
    if isinstance(args[0], ComputedRef) or isinstance(args[1], ComputedRef):
        return Unknown(f"replace() in the computed value {args[0]}")
    text, search, replacement = args[0], as_string(args[1]), args[2]
    if search.startswith("/") and search.endswith("/") and len(search) > 1:
        raise BadCall("regular-expression replace is not evaluated")
    if isinstance(text, JsonText) and search and not any(c in search for c in '"\\{}[]:,'):
        return JsonText(_replace_in(text.decoded, search, replacement))
    return _replace_text(as_string(text), search, replacement)


def _replace_text(text: str, search: str, replacement: Any) -> str:
    if isinstance(replacement, ComputedRef):
        if search not in text:
            return text
        return ComputedRef(text.replace(search, "${" + replacement + "}"))
    return text.replace(search, as_string(replacement))


def _replace_in(value: Any, search: str, replacement: Any) -> Any:
    if isinstance(value, str) and not isinstance(value, ComputedRef):
        return _replace_text(value, search, replacement)
    if isinstance(value, list):
        return [_replace_in(v, search, replacement) for v in value]
    if isinstance(value, Mapping):
        return {k: _replace_in(v, search, replacement) for k, v in value.items()}
    return value


def _one(args: list[Any]) -> Any:
    items = as_list(args[0])
    if len(items) > 1:
        raise BadCall("one() of a list with more than one element")
    return items[0] if items else None


def _range(args: list[Any]) -> list[Any]:
    numbers = [as_number(a) for a in args]
    start, stop, step = (0, numbers[0], 1) if len(numbers) == 1 else (*numbers[:2], 1)
    if len(numbers) == 3:
        step = numbers[2]
    if step == 0 or abs((stop - start) / step) > 10_000:
        raise BadCall("range too large")
    out: list[Any] = []
    value = start
    while (step > 0 and value < stop) or (step < 0 and value > stop):
        out.append(int(value) if float(value).is_integer() else value)
        value += step
    return out


def _zipmap(args: list[Any]) -> dict[str, Any]:
    keys, values = as_list(args[0]), as_list(args[1])
    if len(keys) != len(values):
        raise BadCall("zipmap: lists of different lengths")
    return {as_string(k): v for k, v in zip(keys, values, strict=True)}


def _setunion(args: list[Any]) -> list[Any]:
    out: list[Any] = []
    for arg in args:
        for item in as_list(arg):
            if item not in out:
                out.append(item)
    return out


def _slice(args: list[Any]) -> list[Any]:
    items = as_list(args[0])
    start, end = int(as_number(args[1])), int(as_number(args[2]))
    if not 0 <= start <= end <= len(items):
        raise BadCall("slice out of range")
    return items[start:end]


def _coalescelist(args: list[Any]) -> list[Any]:
    for arg in args:
        if as_list(arg):
            return list(arg)
    raise BadCall("no non-empty list")


def _substr(args: list[Any]) -> str:
    text = as_string(args[0])
    offset, length = int(as_number(args[1])), int(as_number(args[2]))
    if offset < 0:
        offset += len(text)
    return text[offset:] if length == -1 else text[offset : offset + length]


def _trim(args: list[Any]) -> str:
    return as_string(args[0]).strip(as_string(args[1]))


def _trimprefix(args: list[Any]) -> str:
    text, prefix = as_string(args[0]), as_string(args[1])
    return text[len(prefix) :] if prefix and text.startswith(prefix) else text


def _trimsuffix(args: list[Any]) -> str:
    text, suffix = as_string(args[0]), as_string(args[1])
    return text[: -len(suffix)] if suffix and text.endswith(suffix) else text


def _transpose(args: list[Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, values in as_map(args[0]).items():
        for value in as_list(values):
            out.setdefault(as_string(value), []).append(key)
    return {k: sorted(v) for k, v in sorted(out.items())}


def _all_bools(args: list[Any], want: bool) -> bool:
    items = as_list(args[0])
    for item in items:
        if not isinstance(item, bool):
            item = {"true": True, "false": False}.get(as_string(item))
            if item is None:
                raise BadCall("expected bools")
        if item is not want:
            return not want
    return want


MORE_FUNCTIONS: dict[str, Callable[[list[Any]], Any]] = {
    "replace": _replace,
    "basename": lambda a: posixpath.basename(as_string(a[0])),
    "dirname": lambda a: posixpath.dirname(as_string(a[0])),
    "abspath": lambda a: as_string(a[0]),
    "chomp": lambda a: as_string(a[0]).rstrip("\r\n"),
    "trim": _trim,
    "trimprefix": _trimprefix,
    "trimsuffix": _trimsuffix,
    "substr": _substr,
    "strrev": lambda a: as_string(a[0])[::-1],
    "one": _one,
    "range": _range,
    "zipmap": _zipmap,
    "setunion": _setunion,
    "slice": _slice,
    "reverse": lambda a: list(reversed(as_list(a[0]))),
    "sort": lambda a: sorted(as_string(x) for x in as_list(a[0])),
    "sum": lambda a: sum(as_number(x) for x in as_list(a[0])),
    "coalescelist": _coalescelist,
    "index": lambda a: as_list(a[0]).index(a[1]),
    "transpose": _transpose,
    "alltrue": lambda a: _all_bools(a, True),
    "anytrue": lambda a: not _all_bools(a, False),
    "chunklist": lambda a: [
        as_list(a[0])[i : i + int(as_number(a[1]))]
        for i in range(0, len(as_list(a[0])), max(1, int(as_number(a[1]))))
    ],
}
