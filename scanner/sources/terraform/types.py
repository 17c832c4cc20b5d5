"""Type conversion of variable values: what `type = map(object({ x = optional(string, "d") }))`
does to a value before the module sees it.

Terraform converts every variable value to its declared type. For objects that means an optional
attribute the caller left out is present, as its default or null, so `each.value.x` is null rather
than an error. Only that structural part matters here (primitive conversion is left to the
evaluator's own rules); a type we cannot read leaves the value as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from scanner.core.model import Unknown
from scanner.sources.terraform.syntax import Node, compile_string

Evaluate = Callable[[Node], Any]


def type_node(raw: Any) -> Node | None:
    """The parsed type constraint of a `variable` block's `type`, or None."""
    if not isinstance(raw, str):
        return None
    node = compile_string(raw)
    if node[0] == "lit" and isinstance(node[1], str):
        return ("name", node[1])
    if node[0] in ("name", "call"):
        return node
    return None


def convert(value: Any, node: Node | None, evaluate: Evaluate, depth: int = 0) -> Any:
    """`value` converted to the type `node` describes (structure only)."""
    if node is None or value is None or isinstance(value, Unknown) or depth > 32:
        return value
    if node[0] != "call" or not node[2]:
        return value
    name, args = node[1], node[2]
    inner = args[0]
    if name in ("map", "list", "set") and inner[0] in ("name", "call"):
        if name == "map" and isinstance(value, Mapping):
            return {k: convert(v, inner, evaluate, depth + 1) for k, v in value.items()}
        if name in ("list", "set") and isinstance(value, list):
            return [convert(v, inner, evaluate, depth + 1) for v in value]
        return value
    if name == "tuple" and inner[0] == "tuple" and isinstance(value, list):
        types = inner[1]
        return [
            convert(v, types[i] if i < len(types) else None, evaluate, depth + 1)
            for i, v in enumerate(value)
        ]
    if name == "object" and inner[0] == "object" and isinstance(value, Mapping):
        return _object(value, inner[1], evaluate, depth)
    return value


def _object(
    value: Mapping[str, Any], attributes: list[tuple[Node, Node]], evaluate: Evaluate, depth: int
) -> dict[str, Any]:
    out = dict(value)
    for key_node, attribute_type in attributes:
        if key_node[0] != "lit" or not isinstance(key_node[1], str):
            continue
        key = key_node[1]
        optional = attribute_type[0] == "call" and attribute_type[1] == "optional"
        declared = attribute_type[2][0] if optional and attribute_type[2] else attribute_type
        if key in out:
            out[key] = convert(out[key], declared, evaluate, depth + 1)
        elif optional:
            default = evaluate(attribute_type[2][1]) if len(attribute_type[2]) > 1 else None
            out[key] = convert(default, declared, evaluate, depth + 1)
        if optional and out[key] is None and len(attribute_type[2]) > 1:
            # an explicit null for an optional attribute with a default takes the default
            out[key] = convert(evaluate(attribute_type[2][1]), declared, evaluate, depth + 1)
    return out
