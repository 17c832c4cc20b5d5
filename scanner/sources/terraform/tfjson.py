"""Convert Terraform's JSON syntax (`.tf.json`) to the structure python-hcl2 gives for `.tf`.

JSON cannot tell a nested block from a map argument without the provider schema, so blocks the
resolver and folder care about are recognised by name (an object under one of these keys becomes a
one-element list of blocks). Line numbers are best effort: the line of the block's name key to the
line of its closing brace.
"""

from __future__ import annotations

import json
import re
from typing import Any

NESTED_BLOCK_NAMES = frozenset(
    {
        "server_side_encryption_configuration",
        "rule",
        "apply_server_side_encryption_by_default",
        "versioning",
        "versioning_configuration",
        "logging",
        "grant",
        "grantee",
        "owner",
        "access_control_policy",
        "ingress",
        "egress",
        "statement",
        "principals",
        "not_principals",
        "condition",
        "lifecycle",
        "encryption_config",
        "encryption_configuration",
        "root_block_device",
        "ebs_block_device",
        "default_action",
        "server_side_encryption",
        "point_in_time_recovery",
        "metadata_options",
        "access_logs",
        "vpc_config",
        "kms_key",
        "provider",
        "resources",
    }
)

# Top-level block kinds with two labels (type, name) and with one label (name).
_TWO_LABELS = ("resource", "data")
_ONE_LABEL = ("module", "variable", "output", "provider")


def _blocks(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, list):
        return [_body(v) for v in value if isinstance(v, dict)]
    if isinstance(value, dict):
        return [_body(value)]
    return []


def _body(body: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in body.items():
        if key == "//":  # JSON syntax comment
            continue
        is_block_shaped = isinstance(value, dict) or (
            isinstance(value, list) and all(isinstance(v, dict) for v in value)
        )
        if key in NESTED_BLOCK_NAMES and key != "provider" and is_block_shaped:
            out[key] = _blocks(value)
            continue
        out[key] = value
    return out


class _LineFinder:
    """Finds `"name": {` in the text, in document order, and the line span of its object."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def span(self, *labels: str) -> tuple[int, int]:
        start = self.pos
        key_start = -1
        for position, label in enumerate(labels):
            pattern = re.compile(re.escape(json.dumps(label)) + r"\s*:\s*")
            match = pattern.search(self.text, start)
            if match is None:
                if position == len(labels) - 1:
                    return (0, 0)
                continue  # the type label is shared with the previous block
            start = match.end()
            key_start = match.start()
        end = _matching_close(self.text, start)
        self.pos = end + 1
        first = self.text.count("\n", 0, key_start) + 1
        return first, self.text.count("\n", 0, end) + 1


def _matching_close(text: str, i: int) -> int:
    if i >= len(text) or text[i] not in "{[":
        return i
    depth = 0
    in_string = False
    while i < len(text):
        ch = text[i]
        if in_string:
            if ch == "\\":
                i += 1
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return i


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    return names.get(type(value), "a number")


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f'"{where}" must be a JSON object, not {_json_type(value)}')
    return value


def _block_bodies(value: Any, where: str) -> list[dict[str, Any]]:
    """A block: an object, or an array of objects (one block each). Anything else is an error:
    ignoring it would let a misspelt structure hide its resources and pass."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            _object(item, f"{where}[{index}]")
        return _blocks(value)
    return _blocks(_object(value, where))


def convert_tf_json(text: str) -> dict[str, Any]:
    """Parse `.tf.json` text into python-hcl2's shape.

    Raises ValueError on bad JSON, and on a block kind Terraform knows whose structure is not the
    documented one (e.g. `"resource": [1, 2, 3]`), naming where it is.
    """
    document = json.loads(text) if text.strip() else {}
    if not isinstance(document, dict):
        raise ValueError("a .tf.json file must hold a JSON object")
    lines = _LineFinder(text)
    out: dict[str, Any] = {}
    for kind, value in document.items():
        if kind in _TWO_LABELS:
            entries = out.setdefault(kind, [])
            for type_name, named in _object(value, kind).items():
                where = f"{kind}.{type_name}"
                for name, body in _object(named, where).items():
                    for block in _block_bodies(body, f"{kind}.{type_name}.{name}"):
                        block["__start_line__"], block["__end_line__"] = lines.span(type_name, name)
                        entries.append({type_name: {name: block}})
        elif kind in _ONE_LABEL:
            entries = out.setdefault(kind, [])
            for name, body in _object(value, kind).items():
                for block in _block_bodies(body, f"{kind}.{name}"):
                    block["__start_line__"], block["__end_line__"] = lines.span(name)
                    entries.append({name: block})
        elif kind == "locals":
            out.setdefault("locals", []).extend(_block_bodies(value, "locals"))
        elif kind == "terraform":
            _block_bodies(value, "terraform")
            out[kind] = value
        else:
            out[kind] = value
    return out
