"""`dynamic` blocks: the nested blocks they generate, and null arguments inside blocks.

`dynamic "label" { for_each, iterator, content }` becomes as many `label` blocks as `for_each`
has elements, each resolved with the iterator (`label.key`, `label.value`) in scope; nesting
works because the content is resolved like any block body. An unknown `for_each` makes the
generated blocks Unknown (never absent).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from scanner.core.model import Unknown
from scanner.sources.terraform.expressions import ForScope
from scanner.sources.terraform.values import META_KEYS

if TYPE_CHECKING:
    from scanner.sources.terraform.resolve import ModuleInstance


def drop_nulls(value: Any) -> Any:
    """Null arguments inside nested blocks are unset too (blocks are lists of objects)."""
    if isinstance(value, list):
        return [
            {k: drop_nulls(v) for k, v in item.items() if v is not None}
            if isinstance(item, dict)
            else item
            for item in value
        ]
    return value


def is_dynamic_list(value: Any) -> bool:
    """python-hcl2's shape of `dynamic "x" {...}` blocks: a list of {label: body}."""
    return isinstance(value, list) and all(isinstance(v, dict) for v in value)


def merge_dynamic(out: dict[str, Any], generated: Any) -> None:
    """Append generated blocks after the static blocks of the same type."""
    if not isinstance(generated, dict):
        return
    for label, blocks in generated.items():
        current = out.get(label)
        if isinstance(blocks, Unknown) or isinstance(current, Unknown):
            out[label] = current if isinstance(current, Unknown) else blocks
        elif current is None:
            out[label] = blocks
        elif isinstance(current, list):
            out[label] = current + blocks


def dynamic_blocks(instance: ModuleInstance, entries: Any, scope: Any) -> dict[str, Any]:
    """`dynamic "label" { for_each, iterator, content }` -> {label: [block, ...] | Unknown}."""
    generated: dict[str, Any] = {}
    for entry in entries:
        for label, spec in entry.items():
            if label in META_KEYS:
                continue
            blocks = _one_dynamic(instance, label, spec, scope)
            current = generated.get(label, [])
            if isinstance(current, Unknown) or isinstance(blocks, Unknown):
                generated[label] = current if isinstance(current, Unknown) else blocks
            else:
                generated[label] = current + blocks
    return generated


def _one_dynamic(instance: ModuleInstance, label: str, spec: Any, scope: Any) -> Any:
    if not isinstance(spec, dict) or "for_each" not in spec:
        return Unknown(f"dynamic {label!r} block has no for_each")
    items = instance.resolve(spec["for_each"], scope)
    if isinstance(items, Unknown):
        return Unknown(f"dynamic {label!r} blocks: for_each is not known ({items.reason})")
    if items is None:
        return []
    if isinstance(items, Mapping):
        pairs: list[tuple[Any, Any]] = [(k, items[k]) for k in sorted(items, key=str)]
    elif isinstance(items, list):
        # The key is the index over a list but the element over a set, and sets (toset, a
        # set-typed variable) are lists here: which one is not known.
        key = Unknown(f"{label}.key over a list or set: the index or the element, not known which")
        pairs = [(key, item) for item in items]
    else:
        return Unknown(f"dynamic {label!r} blocks: for_each is not a collection")
    iterator = spec.get("iterator", label)
    if isinstance(iterator, str) and iterator.startswith("${") and iterator.endswith("}"):
        iterator = iterator[2:-1].strip()
    content = spec.get("content")
    body = content[0] if isinstance(content, list) and content else content
    if not isinstance(body, dict):
        return Unknown(f"dynamic {label!r} block has no content")
    blocks: list[Any] = []
    for key, value in pairs:
        inner = ForScope(scope, {str(iterator): {"key": key, "value": value}})
        resolved = instance.resolve(body, inner)
        if isinstance(resolved, dict):
            resolved = {k: v for k, v in resolved.items() if v is not None}
        blocks.append(resolved)
    return blocks
