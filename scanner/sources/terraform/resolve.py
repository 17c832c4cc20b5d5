"""Resolve one module instance: variables, locals, references, module calls and outputs.

Everything is lazy and memoised per instance, so each value is evaluated at most once and a
reference is a dict lookup (no scans over all resources). Cycles become Unknown, not recursion.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from scanner.core.model import ComputedRef, Skip, Unknown
from scanner.sources.terraform.config import Block, ModuleConfig
from scanner.sources.terraform.expressions import Evaluator, Namespace, to_number
from scanner.sources.terraform.policy import render_policy_document
from scanner.sources.terraform.syntax import compile_string, needs_evaluation
from scanner.sources.terraform.values import META_KEYS, Failed

# Meta-arguments: how Terraform manages a block, not what the resource is.
META_ARGUMENTS = frozenset(
    {"count", "for_each", "depends_on", "provider", "providers", "provisioner", "connection"}
)
_CYCLE = object()


@dataclass
class ResolvedResource:
    """A resource block with its arguments resolved, before companion folding."""

    address: str
    type: str
    attributes: dict[str, Any]
    file: str
    start_line: int
    end_line: int
    skips: list[Skip]
    module_prefix: str


@dataclass
class ModuleLink:
    """What a module call points at: a child instance, or why it is not loaded."""

    instance: ModuleInstance | None
    reason: str = ""


class ModuleInstance:
    """One module instance: root (`prefix` "") or a call (`module.a.`, `module.a.module.b.`)."""

    def __init__(
        self,
        config: ModuleConfig,
        prefix: str,
        inputs: Callable[[str], Any] | None,
        inherited_skips: list[Skip],
    ) -> None:
        self.config = config
        self.prefix = prefix
        self.inputs = inputs  # for a module call: var name -> value or MISSING_INPUT
        self.inherited_skips = inherited_skips
        self.children: dict[str, ModuleLink] = {}
        self.memo: dict[tuple[str, ...], Any] = {}
        self.namespaces: dict[str, Any] = {
            "var": _Vars(self),
            "local": _Locals(self),
            "data": _Data(self),
            "module": _Modules(self),
            "path": {"module": str(config.directory), "root": ".", "cwd": "."},
            "terraform": {"workspace": Unknown("terraform.workspace is chosen at run time")},
            "self": Unknown("self is only known at apply time"),
            "count": Unknown("count.index differs per instance"),
            "each": Unknown("each.key/each.value differ per instance"),
        }

    # -- Scope ---------------------------------------------------------------------------
    def lookup(self, name: str) -> Any:
        namespace = self.namespaces.get(name)
        if namespace is not None:
            return namespace
        if name in self.config.resources:
            return _ResourceType(self, self.config.resources[name], name)
        return Failed(f"unknown reference {name!r}")

    # -- evaluation ----------------------------------------------------------------------
    def memoised(self, key: tuple[str, ...], compute: Callable[[], Any]) -> Any:
        cached = self.memo.get(key, None)
        if cached is _CYCLE:
            return Unknown(f"reference cycle through {'.'.join(key[1:])}")
        if key in self.memo:
            return cached
        self.memo[key] = _CYCLE
        try:
            value = compute()
        finally:
            self.memo.pop(key, None)
        self.memo[key] = value
        return value

    def resolve(self, raw: Any, scope: Any = None) -> Any:
        """Resolve a python-hcl2 value: evaluate strings that hold expressions, recursively."""
        scope = scope or self
        if isinstance(raw, str):
            node = compile_string(raw)
            if node[0] == "lit":
                return node[1]
            return Evaluator(raw).evaluate(node, scope)
        if isinstance(raw, list):
            return [self.resolve(item, scope) for item in raw]
        if isinstance(raw, dict):
            out: dict[str, Any] = {}
            for key, value in raw.items():
                if key in META_KEYS:
                    continue
                if needs_evaluation(key):
                    resolved_key = self.resolve(key, scope)
                    if isinstance(resolved_key, Unknown) or not isinstance(resolved_key, str):
                        return Unknown(f"map key {key!r} is not a known string")
                    key = resolved_key
                out[key] = self.resolve(value, scope)
            return out
        return raw

    def variable(self, name: str) -> Any:
        declared = self.config.variables.get(name)
        if declared is None:
            return Failed(f"{self.prefix}var.{name} is not declared")
        if self.inputs is not None:
            supplied = self.inputs(name)
            if supplied is not MISSING_INPUT:
                return supplied
        if "default" in declared:
            return self.resolve(declared["default"])
        return Unknown(f"{self.prefix}var.{name} has no value")

    def local(self, name: str) -> Any:
        if name not in self.config.locals:
            return Failed(f"{self.prefix}local.{name} is not declared")
        return self.resolve(self.config.locals[name])

    def output(self, name: str) -> Any:
        body = self.config.outputs.get(name)
        if body is None:
            return Failed(f"{self.prefix}output {name!r} is not declared")
        return self.resolve(body.get("value"))

    # -- blocks ---------------------------------------------------------------------------
    def block_scope(self, block: Block) -> _BlockScope:
        return _BlockScope(self, block)

    def block_attribute(self, block: Block, name: str) -> Any:
        key = ("attr", block.local_address, name)
        return self.memoised(key, lambda: self._compute_attribute(block, name))

    def _compute_attribute(self, block: Block, name: str) -> Any:
        if name in block.body and name not in META_KEYS:
            return self.resolve(block.body[name], self.block_scope(block))
        if block.type == "aws_iam_policy_document" and name in ("json", "minified_json"):
            arguments = self.block_arguments(block)
            return render_policy_document(arguments)
        return ComputedRef(f"{self.prefix}{block.local_address}.{name}")

    def block_arguments(self, block: Block) -> dict[str, Any]:
        return {
            name: self.block_attribute(block, name)
            for name in block.body
            if name not in META_KEYS and name not in META_ARGUMENTS
        }

    def instance_count(self, block: Block, scope: Any) -> Any:
        """Known number of instances (0 removes the block), or None when it is not known."""
        if "count" in block.body:
            count = self.resolve(block.body["count"], scope)
            number = None if isinstance(count, Unknown) else to_number(count)
            return int(number) if number is not None else None
        if "for_each" in block.body:
            items = self.resolve(block.body["for_each"], scope)
            if isinstance(items, list | Mapping) and not isinstance(items, str):
                return len(items)
            return None
        return 1


MISSING_INPUT = object()


class _BlockScope:
    """Scope of a resource/data/module block: adds `count.index` and `each.*` when trivially known
    (exactly one instance); otherwise they are Unknown."""

    def __init__(self, instance: ModuleInstance, block: Block) -> None:
        self.instance = instance
        self.block = block

    def lookup(self, name: str) -> Any:
        if name == "count" and "count" in self.block.body:
            count = self.instance.instance_count(self.block, self.instance)
            index: Any = 0 if count == 1 else Unknown(f"count.index of {self.block.local_address}")
            return {"index": index}
        if name == "each" and "for_each" in self.block.body:
            return self._each()
        return self.instance.lookup(name)

    def _each(self) -> Any:
        items = self.instance.resolve(self.block.body["for_each"], self.instance)
        if isinstance(items, Mapping) and len(items) == 1:
            key, value = next(iter(items.items()))
            return {"key": key, "value": value}
        if isinstance(items, list) and len(items) == 1:
            return {"key": items[0], "value": items[0]}
        return Unknown(f"each.key/each.value of {self.block.local_address} differ per instance")


class _Vars(Namespace):
    label = "var"

    def __init__(self, instance: ModuleInstance) -> None:
        self.instance = instance

    def attr(self, name: str) -> Any:
        return self.instance.memoised(("var", name), lambda: self.instance.variable(name))


class _Locals(Namespace):
    label = "local"

    def __init__(self, instance: ModuleInstance) -> None:
        self.instance = instance

    def attr(self, name: str) -> Any:
        return self.instance.memoised(("local", name), lambda: self.instance.local(name))


class _ResourceType(Namespace):
    def __init__(self, instance: ModuleInstance, blocks: dict[str, Block], type_name: str) -> None:
        self.instance = instance
        self.blocks = blocks
        self.label = type_name

    def attr(self, name: str) -> Any:
        block = self.blocks.get(name)
        if block is None:
            return Failed(f"{self.instance.prefix}{self.label}.{name} is not declared")
        return _BlockView(self.instance, block)


class _BlockView(Namespace):
    """`aws_s3_bucket.b`: attributes it sets resolve to their value, others are ComputedRefs."""

    def __init__(self, instance: ModuleInstance, block: Block) -> None:
        self.instance = instance
        self.block = block
        self.label = instance.prefix + block.local_address

    def attr(self, name: str) -> Any:
        return self.instance.block_attribute(self.block, name)


class _Data(Namespace):
    label = "data"

    def __init__(self, instance: ModuleInstance) -> None:
        self.instance = instance

    def attr(self, name: str) -> Any:
        blocks = self.instance.config.data.get(name)
        if blocks is None:
            return Failed(f"{self.instance.prefix}data.{name} is not declared")
        type_view = _ResourceType(self.instance, blocks, f"data.{name}")
        return type_view


class _Modules(Namespace):
    label = "module"

    def __init__(self, instance: ModuleInstance) -> None:
        self.instance = instance

    def attr(self, name: str) -> Any:
        link = self.instance.children.get(name)
        if link is None:
            return Failed(f"{self.instance.prefix}module.{name} is not declared")
        if link.instance is None:
            return Unknown(f"{self.instance.prefix}module.{name} is not loaded ({link.reason})")
        return _Outputs(link.instance)


class _Outputs(Namespace):
    def __init__(self, child: ModuleInstance) -> None:
        self.child = child
        self.label = child.prefix.rstrip(".")

    def attr(self, name: str) -> Any:
        return self.child.memoised(("output", name), lambda: self.child.output(name))


def make_inputs(parent: ModuleInstance, call: Block) -> Callable[[str], Any]:
    """A module call's arguments, evaluated lazily in the caller's scope."""
    scope = parent.block_scope(call)

    def supply(name: str) -> Any:
        if name in META_ARGUMENTS or name in ("source", "version") or name not in call.body:
            return MISSING_INPUT
        return parent.memoised(
            ("input", call.name, name), lambda: parent.resolve(call.body[name], scope)
        )

    return supply
