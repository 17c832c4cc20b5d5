"""A resource instance's planned values, in the shape the Terraform source gives the fold layer.

`change.after` holds what is known; `after_unknown` marks what is known only after apply and
`after_sensitive` (and `sensitive_values` of planned_values) what Terraform hides. Here:

- a sensitive value becomes an Unknown marker: it is never read, so it cannot reach any output;
- an unknown value whose configuration expression refers to exactly one identifying attribute
  (`.id`, `.arn`, `.name`, `.bucket`, `*_id`, `*_arn`) of a managed resource
  (`aws_kms_key.phi.arn`, also through a module input) becomes a ComputedRef to it, as
  the Terraform source makes it: set, its value known at apply. That is also how a companion
  (`security_group_id = aws_security_group.web.id`) finds its parent in the fold layer;
- any other unknown value becomes an Unknown marker naming the attribute;
- `null` is absent (the provider's default applies), as in the Terraform source;
- an unknown top-level attribute the configuration does not set is a provider default computed
  at apply: absent, as in the Terraform source. A nested block may come from a `dynamic` block,
  which the plan's configuration does not show, so it is only treated as absent when the
  configuration files say the block is not written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from scanner.core.model import ComputedRef, Unknown
from scanner.sources.terraform.tfjson import NESTED_BLOCK_NAMES

NOT_RESOURCES = frozenset(
    {"var", "local", "module", "data", "count", "each", "path", "terraform", "self"}
)
_INDEX = r'(?:\[(?:\d+|"(?:[^"\\]|\\.)*")\])?'
_RESOURCE_ATTRIBUTE = re.compile(
    rf"^(?P<type>[a-z][a-z0-9_]*)\.[A-Za-z_][A-Za-z0-9_-]*{_INDEX}\.[A-Za-z_][A-Za-z0-9_-]*"
)
# Attributes that identify an object: set once it exists, whatever their value. A reference to
# one is what the Terraform source calls a computed reference.
_IDENTIFIER = re.compile(r"\.(?:id|arn|name|bucket|key_id|[a-z0-9_]+_(?:id|arn))$")
_VARIABLE = re.compile(r"^var\.(?P<name>[A-Za-z_][A-Za-z0-9_-]*)$")
_EXPRESSION_KEYS = frozenset({"references", "constant_value"})
MAX_VARIABLE_HOPS = 16


@dataclass(frozen=True)
class Scope:
    """Where a resource's expressions are evaluated: its module instance's address prefix
    (`module.a["x"].`), and how to find the expressions a module input was given."""

    prefix: str
    module_input: Callable[[str], tuple[list[Any], Scope] | None] | None = None


@dataclass(frozen=True)
class ResourceContext:
    address: str
    scope: Scope
    expressions: dict[str, Any] | None  # the configuration's block expressions, if any
    declared: frozenset[str] | None  # keys the .tf block writes (incl. dynamic labels), if read


def planned_attributes(
    after: dict[str, Any], unknown: Any, sensitive: Any, context: ResourceContext
) -> dict[str, Any]:
    unknown = unknown if isinstance(unknown, dict) else {}
    sensitive = sensitive if isinstance(sensitive, dict) else {}
    out: dict[str, Any] = {}
    for key in [*after, *(k for k in unknown if k not in after)]:
        flagged = unknown.get(key)
        if flagged is True and sensitive.get(key) is not True and _provider_default(key, context):
            continue
        expressions = context.expressions.get(key) if context.expressions is not None else None
        value = _merge(
            after.get(key),
            flagged,
            sensitive.get(key),
            key,
            [expressions] if expressions is not None else [],
            context,
        )
        if value is not None:  # null is absent: the provider's default applies, as in Terraform
            out[key] = value
    return out


def _provider_default(key: str, context: ResourceContext) -> bool:
    """An unknown top-level attribute the configuration does not write: computed by the provider."""
    if context.expressions is not None and key in context.expressions:
        return False
    if context.declared is not None:
        return key not in context.declared
    return context.expressions is not None and key not in NESTED_BLOCK_NAMES


def _merge(
    value: Any,
    unknown: Any,
    sensitive: Any,
    path: str,
    candidates: list[Any],
    context: ResourceContext,
) -> Any:
    if sensitive is True:
        return Unknown(
            f"{context.address}.{path} is sensitive in the plan; comply does not read it"
        )
    if unknown is True:
        reference = computed_reference(candidates, context.scope)
        if reference is not None:
            return reference
        return Unknown(f"{context.address}.{path} is known only after apply")
    if isinstance(value, dict) or (value is None and isinstance(unknown, dict) and unknown):
        value = value if isinstance(value, dict) else {}
        unknown = unknown if isinstance(unknown, dict) else {}
        sensitive = sensitive if isinstance(sensitive, dict) else {}
        merged = {
            key: _merge(
                value.get(key),
                unknown.get(key),
                sensitive.get(key),
                f"{path}.{key}",
                _step(candidates, key),
                context,
            )
            for key in [*value, *(k for k in unknown if k not in value)]
        }
        return {key: item for key, item in merged.items() if item is not None}
    if isinstance(value, list):
        unknown = unknown if isinstance(unknown, list) else []
        sensitive = sensitive if isinstance(sensitive, list) else []
        return [
            _merge(
                item,
                unknown[i] if i < len(unknown) else None,
                sensitive[i] if i < len(sensitive) else None,
                f"{path}.{i}",
                _elements(candidates),
                context,
            )
            for i, item in enumerate(value)
        ]
    return value


def _is_expression(node: Any) -> bool:
    return isinstance(node, dict) and bool(node) and set(node) <= _EXPRESSION_KEYS


def _step(candidates: list[Any], key: str) -> list[Any]:
    """Into a nested block's expressions (a block is a dict, or a list of them)."""
    out: list[Any] = []
    for node in _elements(candidates):
        if isinstance(node, dict) and not _is_expression(node) and key in node:
            out.append(node[key])
    return out


def _elements(candidates: list[Any]) -> list[Any]:
    """A list of blocks stands for each of its elements: their order in the plan need not be the
    configuration's (sets), so an element's reference is used only when every element agrees."""
    out: list[Any] = []
    for node in candidates:
        out.extend(node if isinstance(node, list) else [node])
    return out


def computed_reference(candidates: list[Any], scope: Scope, hops: int = 0) -> ComputedRef | None:
    """The managed-resource attribute every candidate expression refers to, and nothing else."""
    if not candidates or not all(_is_expression(c) for c in candidates):
        return None
    reference_sets = {tuple(c.get("references") or ()) for c in candidates}
    if len(reference_sets) != 1:
        return None
    references = [r for r in next(iter(reference_sets)) if isinstance(r, str)]
    if not references:
        return None
    variable = _single_variable(references)
    if variable is not None and scope.module_input is not None and hops < MAX_VARIABLE_HOPS:
        given = scope.module_input(variable)
        return None if given is None else computed_reference(given[0], given[1], hops + 1)
    chain = max(references, key=len)
    match = _RESOURCE_ATTRIBUTE.match(chain)
    if match is None or match.group("type") in NOT_RESOURCES:
        return None
    if not all(chain == r or chain.startswith((f"{r}.", f"{r}[")) for r in references):
        return None  # the expression also uses something else (a variable, another resource)
    if not _IDENTIFIER.search(match.group(0)):
        return None  # a value (`.value`, `.result`), not an identity known to be set
    return ComputedRef(scope.prefix + match.group(0))


def _single_variable(references: list[str]) -> str | None:
    names = {m.group("name") for r in references if (m := _VARIABLE.match(r.split("[")[0]))}
    if len(names) != 1:
        return None
    name = next(iter(names))
    only_it = all(
        r == f"var.{name}" or r.startswith((f"var.{name}.", f"var.{name}[")) for r in references
    )
    return name if only_it else None


def union_sensitive(first: Any, second: Any) -> Any:
    """Sensitivity marks from after_sensitive and planned_values' sensitive_values together."""
    if first is True or second is True:
        return True
    if isinstance(first, dict) and isinstance(second, dict):
        return {k: union_sensitive(first.get(k), second.get(k)) for k in {*first, *second}}
    if isinstance(first, list) and isinstance(second, list):
        length = max(len(first), len(second))
        return [
            union_sensitive(
                first[i] if i < len(first) else None, second[i] if i < len(second) else None
            )
            for i in range(length)
        ]
    return first if first not in (None, False, {}, []) else second
