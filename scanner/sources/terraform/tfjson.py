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


def convert_tf_json(text: str) -> dict[str, Any]:
    """Parse `.tf.json` text into python-hcl2's shape (raises ValueError on bad JSON)."""
    document = json.loads(text) if text.strip() else {}
    if not isinstance(document, dict):
        raise ValueError("a .tf.json file must hold a JSON object")
    lines = _LineFinder(text)
    out: dict[str, Any] = {}
    for kind, value in document.items():
        if kind in _TWO_LABELS and isinstance(value, dict):
            entries = out.setdefault(kind, [])
            for type_name, named in value.items():
                for name, body in (named or {}).items():
                    for block in _blocks(body):
                        block["__start_line__"], block["__end_line__"] = lines.span(type_name, name)
                        entries.append({type_name: {name: block}})
        elif kind in _ONE_LABEL and isinstance(value, dict):
            entries = out.setdefault(kind, [])
            for name, body in value.items():
                for block in _blocks(body):
                    block["__start_line__"], block["__end_line__"] = lines.span(name)
                    entries.append({name: block})
        elif kind == "locals":
            out.setdefault("locals", []).extend(
                v for v in (value if isinstance(value, list) else [value]) if isinstance(v, dict)
            )
        else:
            out[kind] = value
    return out
