"""Resolve one module instance: variables, locals, references, module calls and outputs.

Everything is lazy and memoised per instance, so each value is evaluated at most once and a
reference is a dict lookup (no scans over all resources). Cycles become Unknown, not recursion.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanner.core.model import ComputedRef, Skip, Unknown
from scanner.sources.terraform.config import Block, ModuleConfig
from scanner.sources.terraform.dynamic_blocks import (
    drop_nulls,
    dynamic_blocks,
    is_dynamic_list,
    merge_dynamic,
)
from scanner.sources.terraform.expressions import Evaluator
from scanner.sources.terraform.instances import (
    SINGLE,
    InstanceKey,
    instance_keys,
    is_repeated,
    unknown_instances,
)
from scanner.sources.terraform.policy import render_policy_document
from scanner.sources.terraform.references import (
    BlockScope,
    BlockView,
    DataSources,
    Locals,
    ModuleCalls,
    ModuleOutputs,
    ResourceType,
    UnknownInstances,
    Variables,
)
from scanner.sources.terraform.syntax import compile_string, needs_evaluation
from scanner.sources.terraform.types import convert, type_node
from scanner.sources.terraform.values import (
    META_KEYS,
    Conditional,
    Failed,
    as_provider_blocks,
    check_size,
)

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
    # Set when the block's count/for_each is unknown: it may create no instance at all.
    existence: Unknown | None = None


class ModuleLink:
    """What a module call points at: its child instances (built on first use, one per
    `count`/`for_each` instance), or why it is not loaded."""

    def __init__(
        self,
        factory: Callable[[InstanceKey], ModuleInstance] | None,
        reason: str = "",
        parent: ModuleInstance | None = None,
        call: Block | None = None,
    ) -> None:
        self.factory = factory
        self.reason = reason
        self.parent = parent
        self.call = call
        self._instances: list[tuple[InstanceKey, ModuleInstance]] | None = None

    @property
    def loaded(self) -> bool:
        return self.factory is not None

    def instances(self) -> list[tuple[InstanceKey, ModuleInstance]]:
        if self.factory is None:
            return []
        if self._instances is None:
            if self.parent is None or self.call is None:
                keys = [SINGLE]
            else:
                keys = self.parent.keys_of(self.call)
            self._instances = [(key, self.factory(key)) for key in keys]
        return self._instances

    def reference(self) -> Any:
        """`module.m` in an expression: one instance, a list (count) or a map (for_each)."""
        pairs = self.instances()
        call = self.call
        if (
            call is None
            or not is_repeated(call)
            or (len(pairs) == 1 and pairs[0][0].kind == "unknown")
        ):
            if not pairs:
                return Failed("module has no instance")
            key = pairs[0][0]
            unknown = key.key if key.kind == "unknown" and isinstance(key.key, Unknown) else None
            return ModuleOutputs(pairs[0][1], unknown)
        if "count" in call.body:
            return [ModuleOutputs(child) for _, child in pairs]
        return {key.key: ModuleOutputs(child) for key, child in pairs}


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
        # For a module call: (provider reference as this module writes it, argument) -> the
        # argument of the provider configuration its caller passes in; None for the root module.
        self.passed_provider: Callable[[str, str], Any] | None = None
        self.children: dict[str, ModuleLink] = {}
        # Set when this instance stands for a module call's instances that are not known (or
        # is inside one): its resources may not exist.
        self.may_not_exist: Unknown | None = None
        self.memo: dict[tuple[str, ...], Any] = {}
        self.namespaces: dict[str, Any] = {
            "var": Variables(self),
            "local": Locals(self),
            "data": DataSources(self),
            "module": ModuleCalls(self),
            "path": ModulePaths(config.directory),
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
            return ResourceType(self, self.config.resources[name], name)
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
            check_size(value, self.prefix + ".".join(k for k in key if k != "attr"))
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
                if key == "dynamic" and is_dynamic_list(value):
                    continue  # merged below, after the static blocks of the same type
                if needs_evaluation(key):
                    resolved_key = self.resolve(key, scope)
                    if isinstance(resolved_key, Unknown) or not isinstance(resolved_key, str):
                        return Unknown(f"map key {key!r} is not a known string")
                    key = resolved_key
                out[key] = self.resolve(value, scope)
            if "dynamic" in raw and is_dynamic_list(raw["dynamic"]):
                merge_dynamic(out, dynamic_blocks(self, raw["dynamic"], scope))
            return out
        return raw

    def variable(self, name: str) -> Any:
        declared = self.config.variables.get(name)
        if declared is None:
            return Failed(f"{self.prefix}var.{name} is not declared")
        value: Any = MISSING_INPUT
        if self.inputs is not None:
            value = self.inputs(name)
            # null given to a `nullable = false` variable means "use the default"
            if value is None and declared.get("nullable") is False:
                value = MISSING_INPUT
        if value is MISSING_INPUT:
            if "default" not in declared:
                return Unknown(f"{self.prefix}var.{name} has no value")
            value = self.resolve(declared["default"])
        declared_type = type_node(declared.get("type"))
        if declared_type is None:
            return value
        evaluator = Evaluator(f"type of {self.prefix}var.{name}")
        return convert(value, declared_type, lambda node: evaluator.evaluate(node, self))

    def local(self, name: str) -> Any:
        if name not in self.config.locals:
            return Failed(f"{self.prefix}local.{name} is not declared")
        return self.resolve(self.config.locals[name])

    def output(self, name: str) -> Any:
        body = self.config.outputs.get(name)
        if body is None:
            return Failed(f"{self.prefix}output {name!r} is not declared")
        return self.resolve(body.get("value"))

    # -- providers ------------------------------------------------------------------------
    def provider_setting(self, ref: str, name: str) -> Any:
        """Argument `name` of provider configuration `ref` (`aws`, `aws.replica`) in this
        module: from its own `provider` block (evaluated here, `dynamic` blocks expanded), else
        from the one its caller passes (`providers = {...}`, or the default `aws` implicitly).
        None when no configuration sets it; Unknown when which configuration applies is not
        known."""
        body = self.config.providers.get(ref)
        if body is not None:
            resolved = self.memoised(("provider", ref), lambda: self.resolve(body))
            return resolved.get(name) if isinstance(resolved, dict) else resolved
        if self.passed_provider is not None:
            return self.passed_provider(ref, name)
        return None

    def provider_region(self, ref: str) -> Any:
        """A region no configuration sets comes from the environment (AWS_REGION, the
        profile): computed."""
        region = self.provider_setting(ref, "region")
        return ComputedRef(f"{self.prefix}provider.{ref}.region") if region is None else region

    def provider_block(self, block: Block, name: str) -> Any:
        """The `name { ... }` block (`default_tags`, `ignore_tags`) of the provider
        configuration a resource block uses: its arguments, None when there is none, Unknown
        when which configuration applies, or the block itself, cannot be told."""
        ref = provider_reference(block.body.get("provider"))
        if ref is None:
            return Unknown(f"{block.local_address}: its provider is not a plain reference")
        blocks = self.provider_setting(ref, name)
        if isinstance(blocks, Unknown):
            return blocks
        if blocks is None or (isinstance(blocks, list) and not blocks):
            return None
        if isinstance(blocks, list) and isinstance(blocks[0], dict):
            return blocks[0]
        return Unknown(f"the provider's {name} is not a block ({blocks!r})")

    def provider_default_tags(self, block: Block) -> Any:
        """The `default_tags { tags = ... }` of the provider configuration a resource block
        uses (None when there are none)."""
        config = self.provider_block(block, "default_tags")
        return config if config is None or isinstance(config, Unknown) else config.get("tags")

    def _data_region(self, block: Block, key: InstanceKey) -> Any:
        """`data "aws_region"` without arguments: the region of its provider configuration,
        which Terraform knows at plan time."""
        ref = provider_reference(block.body.get("provider"))
        region = self.provider_region(ref) if ref is not None else None
        if isinstance(region, str) and not isinstance(region, ComputedRef):
            return region
        return None

    # -- blocks ---------------------------------------------------------------------------
    def keys_of(self, block: Block) -> list[InstanceKey]:
        """The instances of a resource/data/module block (memoised: counted once)."""
        if not is_repeated(block):
            return [SINGLE]
        key = ("keys", block.kind, block.local_address)
        found = self.memoised(key, lambda: self._compute_keys(block))
        if isinstance(found, Unknown):  # a cycle through its own count/for_each
            return [unknown_instances(found.reason)]
        keys: list[InstanceKey] = found
        return keys

    def conditional_keys(self, block: Block) -> list[InstanceKey] | None:
        """For a block whose instances are not known because its `count`/`for_each` is
        `COND ? X : 0` (or `{}`, `[]`, `null`, either way round) with COND not known: the
        instances X makes, each marked with the Conditional existence "only if COND". None for
        any other shape, or when X itself is not known.

        Module code creates a resource and its companions under one flag
        (`count = local.create && var.x ? 1 : 0` on an ACL, `? length(var.rules) : 0` on its
        rules); judging the ACL "if it exists" then needs its rules as they would be. References
        from other blocks still see the instances as unknown (`keys_of`)."""
        name = "count" if "count" in block.body else "for_each"
        raw = block.body.get(name)
        if not isinstance(raw, str):
            return None
        node = compile_string(raw)
        if node[0] != "cond":
            return None
        _, cond, then, other = node
        scope = BlockScope(self, block, unknown_instances("inside count/for_each"))
        evaluator = Evaluator(raw)
        decided = evaluator.evaluate(cond, scope)
        if isinstance(decided, bool) and not isinstance(decided, Unknown):
            return None

        def keys_for(value: Any) -> list[InstanceKey]:
            return instance_keys(
                block, value if name == "count" else None, value if name == "for_each" else None
            )

        branches = [(then, other, True), (other, then, False)]
        for chosen, dropped, when in branches:
            nothing = evaluator.evaluate(dropped, scope)
            if nothing is not None and keys_for(nothing):  # `null` counts as nothing too
                continue
            keys = keys_for(evaluator.evaluate(chosen, scope))
            if any(k.kind == "unknown" for k in keys):
                return None
            why = decided.reason if isinstance(decided, Unknown) else f"{decided}"
            existence = Conditional(
                f"{self.prefix}{block.local_address} exists only if its {name} condition is "
                f"{'true' if when else 'false'}, which is not known ({why})",
                condition=f"{self.prefix}|{when}|{cond!r}",
            )
            return [InstanceKey(k.kind, k.key, k.value, condition=existence) for k in keys] or None
        return None

    def _compute_keys(self, block: Block) -> list[InstanceKey]:
        scope = BlockScope(self, block, unknown_instances("inside count/for_each"))
        count = self.resolve(block.body["count"], scope) if "count" in block.body else None
        items = self.resolve(block.body["for_each"], scope) if "for_each" in block.body else None
        return instance_keys(block, count, items)

    def block_scope(self, block: Block, key: InstanceKey = SINGLE) -> BlockScope:
        return BlockScope(self, block, key)

    def block_attribute(self, block: Block, name: str, key: InstanceKey = SINGLE) -> Any:
        memo = ("attr", block.kind, block.local_address, key.memo_key, name)
        return self.memoised(memo, lambda: self._compute_attribute(block, name, key))

    def _compute_attribute(self, block: Block, name: str, key: InstanceKey) -> Any:
        address = f"{self.prefix}{block.local_address}{key.suffix}"
        if block.kind == "data":
            # A data source's arguments are its query, not its results: every result is
            # computed, except the policy documents we can render ourselves.
            if block.type == "aws_iam_policy_document" and name in ("json", "minified_json"):
                return render_policy_document(self.block_arguments(block, key))
            if (
                block.type == "aws_region"
                and name in ("name", "region", "id")
                and all(
                    a not in block.body or self.argument(block, a, key) is None
                    for a in ("name", "region", "endpoint")
                )
            ):  # no region asked for (or null; `endpoint` selects one too): the provider's
                region = self._data_region(block, key)
                if region is not None:
                    return region
            if name in block.body and name not in META_ARGUMENTS and name != "dynamic":
                # A lookup key is echoed back (`data.aws_kms_alias.a.name`) when we know it;
                # otherwise the result is a string known only at apply, not "unknown".
                value = self.argument(block, name, key)
                if isinstance(value, str | int | float | bool) and not isinstance(
                    value, ComputedRef
                ):
                    return value
            return ComputedRef(f"{address}.{name}")
        if name in block.body and name not in META_KEYS and name not in META_ARGUMENTS:
            value = self.argument(block, name, key)
            # An argument set to null is unset: the provider computes or defaults it.
            if value is None:
                return ComputedRef(f"{address}.{name}")
            return as_provider_blocks(f"{address}.{name}", value)
        if name != "dynamic" and "dynamic" in block.body:
            # Nested blocks made by `dynamic "name"` read back as static ones do
            # (`aws_eks_cluster.this[0].kubernetes_network_config[0].ip_family`).
            generated: dict[str, Any] = {}
            merge_dynamic(generated, self.argument(block, "dynamic", key))
            if name in generated:
                return as_provider_blocks(f"{address}.{name}", generated[name])
        return ComputedRef(f"{address}.{name}")

    def argument(self, block: Block, name: str, key: InstanceKey) -> Any:
        memo = ("arg", block.kind, block.local_address, key.memo_key, name)
        scope = self.block_scope(block, key)
        if name == "dynamic":
            return self.memoised(memo, lambda: dynamic_blocks(self, block.body[name], scope))
        return self.memoised(memo, lambda: drop_nulls(self.resolve(block.body[name], scope)))

    def block_arguments(self, block: Block, key: InstanceKey = SINGLE) -> dict[str, Any]:
        """The block's arguments for one instance; `null` ones are absent, as in Terraform."""
        out: dict[str, Any] = {}
        for name in block.body:
            if name in META_KEYS or name in META_ARGUMENTS or name == "dynamic":
                continue
            value = self.argument(block, name, key)
            if value is not None:
                out[name] = value
        if "dynamic" in block.body:
            merge_dynamic(out, self.argument(block, "dynamic", key))
        return out

    def block_reference(self, block: Block) -> Any:
        """`aws_x.y` in an expression: one instance, a list (count) or a map (for_each)."""
        keys = self.keys_of(block)
        if not is_repeated(block):
            return BlockView(self, block, SINGLE)
        if len(keys) == 1 and keys[0].kind == "unknown":
            return UnknownInstances(self, block, keys[0])
        if "count" in block.body:
            return [BlockView(self, block, key) for key in keys]
        return {key.key: BlockView(self, block, key) for key in keys}


MISSING_INPUT = object()


class ModulePaths(dict[str, str]):
    """`path.module`, `path.root`, `path.cwd`; `files_root` bounds what file() may read."""

    files_root: Path | None = None

    def __init__(self, directory: Path) -> None:
        super().__init__(module=str(directory), root=".", cwd=".")


def provider_reference(raw: Any) -> str | None:
    """`aws.replica` from a `provider = aws.replica` meta-argument (`${aws.replica}` as parsed);
    `aws` when there is none; None when it is not a plain reference."""
    if raw is None:
        return "aws"
    if not isinstance(raw, str):
        return None
    text = raw[2:-1] if raw.startswith("${") and raw.endswith("}") else raw
    parts = text.split(".")
    if len(parts) in (1, 2) and all(p.replace("_", "").replace("-", "").isalnum() for p in parts):
        return text
    return None


def with_default_tags(
    instance: ModuleInstance, block: Block, attributes: dict[str, Any]
) -> dict[str, Any]:
    """An AWS resource's arguments with `tags` as AWS applies them (the provider's `tags_all`):
    its provider configuration's `default_tags`, the resource's own `tags` over them. The live
    side collects the applied tags, so both sides mean the same thing (AWS Backup selections
    and private-subnet tags read them)."""
    if not block.type.startswith("aws_"):
        return attributes
    return _without_ignored_tags(instance, block, _merge_default_tags(instance, block, attributes))


def _merge_default_tags(
    instance: ModuleInstance, block: Block, attributes: dict[str, Any]
) -> dict[str, Any]:
    defaults = instance.provider_default_tags(block)
    if defaults is None:
        return attributes
    own = attributes.get("tags")
    if isinstance(own, Unknown):
        return attributes
    if isinstance(defaults, Unknown) or not isinstance(defaults, dict):
        reason = defaults.reason if isinstance(defaults, Unknown) else f"{defaults!r}"
        tags: Any = Unknown(f"the provider's default_tags are not known ({reason})")
    elif own is not None and not isinstance(own, dict):
        # A computed map (`data.aws_vpc.x.tags`): which default tags it overrides is not known.
        tags = Unknown(
            f"{block.local_address}: its own tags ({own}) are computed, so which of the "
            "provider's default_tags they override is not known"
        )
    else:
        tags = {**defaults, **(own if isinstance(own, dict) else {})}
    return {**attributes, "tags": tags}


def _without_ignored_tags(
    instance: ModuleInstance, block: Block, attributes: dict[str, Any]
) -> dict[str, Any]:
    """Tags the provider's `ignore_tags` names (`keys`, `key_prefixes`) are left out of what
    Terraform applies: something else manages them, so their values are unknown."""
    tags = attributes.get("tags")
    if not isinstance(tags, dict) or not tags:
        return attributes
    config = instance.provider_block(block, "ignore_tags")
    if config is None:
        return attributes
    lists = (
        [[] if v is None else v for v in (config.get("keys"), config.get("key_prefixes"))]
        if isinstance(config, dict)
        else [config]
    )
    if not all(
        isinstance(v, list) and all(type(i) is str and "${" not in i for i in v) for v in lists
    ):
        why = f"the provider's ignore_tags are not known ({config!r})"
        return {**attributes, "tags": Unknown(f"{block.local_address}: {why}")}
    names_list, prefix_list = lists

    def applied(key: str, value: Any) -> Any:
        if key in names_list or any(key.startswith(p) for p in prefix_list):
            return Unknown(f"tag {key} is in the provider's ignore_tags: Terraform does not set it")
        return value

    return {**attributes, "tags": {k: applied(k, v) for k, v in tags.items()}}


def passed_provider(parent: ModuleInstance, call: Block) -> Callable[[str, str], Any]:
    """How a module call's child sees its caller's provider configurations: by the call's
    `providers = { aws = aws.replica }` map when it has one (then only what it lists), else
    the default configurations (`aws`) implicitly, as Terraform passes them."""
    mapping = call.body.get("providers")

    def setting(ref: str, name: str) -> Any:
        if isinstance(mapping, dict):
            if ref not in mapping:
                return Unknown(f"provider {ref} is not passed to module {call.name}")
            outer = provider_reference(mapping[ref])
            if outer is None:
                return Unknown(f"the provider passed to {call.name} as {ref} is not a reference")
            return parent.provider_setting(outer, name)
        if mapping is None and "." not in ref:
            return parent.provider_setting(ref, name)
        return Unknown(f"provider {ref} is not passed to module {call.name}")

    return setting


def make_inputs(
    parent: ModuleInstance, call: Block, key: InstanceKey = SINGLE
) -> Callable[[str], Any]:
    """One instance's module call arguments, evaluated lazily in the caller's scope."""
    scope = parent.block_scope(call, key)

    def supply(name: str) -> Any:
        if name in META_ARGUMENTS or name in ("source", "version") or name not in call.body:
            return MISSING_INPUT
        memo = ("input", call.name, key.memo_key, name)
        return parent.memoised(memo, lambda: parent.resolve(call.body[name], scope))

    return supply
