"""What names mean inside a module instance: `var`, `local`, resources and their instances,
`data`, `module` and module outputs, and `count`/`each` inside a block.

Each is a lazy view: an attribute is resolved (and memoised by the instance) only when an
expression reads it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scanner.core.model import Unknown
from scanner.sources.terraform.config import Block
from scanner.sources.terraform.expressions import Namespace
from scanner.sources.terraform.instances import InstanceKey, count_namespace, each_namespace
from scanner.sources.terraform.values import Failed, MayNotExist

if TYPE_CHECKING:
    from scanner.sources.terraform.resolve import ModuleInstance


class BlockScope:
    """Scope of one instance of a resource/data/module block: adds `count.index` and `each.*`."""

    def __init__(self, instance: ModuleInstance, block: Block, key: InstanceKey) -> None:
        self.instance = instance
        self.block = block
        self.key = key

    def lookup(self, name: str) -> Any:
        if name == "count" and "count" in self.block.body:
            return count_namespace(self.block, self.key)
        if name == "each" and "for_each" in self.block.body:
            return each_namespace(self.block, self.key)
        return self.instance.lookup(name)


class Variables(Namespace):
    label = "var"

    def __init__(self, instance: ModuleInstance) -> None:
        self.instance = instance

    def attr(self, name: str) -> Any:
        return self.instance.memoised(("var", name), lambda: self.instance.variable(name))


class Locals(Namespace):
    label = "local"

    def __init__(self, instance: ModuleInstance) -> None:
        self.instance = instance

    def attr(self, name: str) -> Any:
        return self.instance.memoised(("local", name), lambda: self.instance.local(name))


class ResourceType(Namespace):
    def __init__(self, instance: ModuleInstance, blocks: dict[str, Block], type_name: str) -> None:
        self.instance = instance
        self.blocks = blocks
        self.label = type_name

    def attr(self, name: str) -> Any:
        block = self.blocks.get(name)
        if block is None:
            return Failed(f"{self.instance.prefix}{self.label}.{name} is not declared")
        return self.instance.block_reference(block)


class BlockView(Namespace):
    """One instance of `aws_s3_bucket.b`: attributes it sets resolve to their value, others are
    ComputedRefs named by the instance's address."""

    def __init__(self, instance: ModuleInstance, block: Block, key: InstanceKey) -> None:
        self.instance = instance
        self.block = block
        self.key = key
        self.label = instance.prefix + block.local_address + key.suffix

    def attr(self, name: str) -> Any:
        return self.instance.block_attribute(self.block, name, self.key)

    def index(self, key: Any) -> Any:
        return Failed(f"{self.label} has no count or for_each: it cannot be indexed by {key!r}")


class UnknownInstances(Namespace):
    """A counted block whose instances cannot be known: any instance reads as the one we keep."""

    def __init__(self, instance: ModuleInstance, block: Block, key: InstanceKey) -> None:
        self.view = BlockView(instance, block, key)
        self.label = self.view.label
        self.reason = key.key.reason if isinstance(key.key, Unknown) else "instances not known"

    def attr(self, name: str) -> Any:
        return self.view.attr(name)  # legacy `aws_x.y.attr` on a counted block

    def index(self, key: Any) -> Any:
        return self.view

    def index_may_fail(self, key: Any) -> Unknown:
        """Inside try()/can(): the instance may not exist, and then try() takes its fallback."""
        return MayNotExist(f"{self.label}[{key!r}] may not exist ({self.reason})")

    def splat(self) -> Unknown:
        return Unknown(self.reason)


class DataSources(Namespace):
    label = "data"

    def __init__(self, instance: ModuleInstance) -> None:
        self.instance = instance

    def attr(self, name: str) -> Any:
        blocks = self.instance.config.data.get(name)
        if blocks is None:
            return Failed(f"{self.instance.prefix}data.{name} is not declared")
        type_view = ResourceType(self.instance, blocks, f"data.{name}")
        return type_view


class ModuleCalls(Namespace):
    label = "module"

    def __init__(self, instance: ModuleInstance) -> None:
        self.instance = instance

    def attr(self, name: str) -> Any:
        link = self.instance.children.get(name)
        if link is None:
            return Failed(f"{self.instance.prefix}module.{name} is not declared")
        if not link.loaded:
            return Unknown(f"{self.instance.prefix}module.{name} is not loaded ({link.reason})")
        return link.reference()


class ModuleOutputs(Namespace):
    def __init__(self, child: ModuleInstance, unknown_instances: Unknown | None = None) -> None:
        self.child = child
        self.label = child.prefix.rstrip(".")
        # Set for a module call whose count/for_each is not known: the one instance we keep.
        self.unknown_instances = unknown_instances

    def index_may_fail(self, key: Any) -> Unknown | None:
        """Inside try()/can(): an instance of a call with unknown instances may not exist."""
        if self.unknown_instances is None:
            return None
        reason = self.unknown_instances.reason
        return MayNotExist(f"{self.label}[{key!r}] may not exist ({reason})")

    def attr(self, name: str) -> Any:
        return self.child.memoised(("output", name), lambda: self.child.output(name))
