"""Build the module-instance tree of one root module and emit its resolved resource blocks."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scanner.core.model import ScanError, ScanWarning, Skip, Unknown
from scanner.sources.terraform.config import (
    Block,
    ModuleConfig,
    is_local_source,
    module_source,
)
from scanner.sources.terraform.installed import ModuleManifest, is_inside, same_source
from scanner.sources.terraform.instances import InstanceKey
from scanner.sources.terraform.resolve import (
    ModuleInstance,
    ModuleLink,
    ResolvedResource,
    make_inputs,
    passed_provider,
    with_default_tags,
)
from scanner.sources.terraform.values import Conditional, ValueTooLarge

MAX_MODULE_DEPTH = 16
# Module calls fan out: 4 calls per module 8 levels deep is 65,536 instances. Past this many
# instances in one root module the rest are not loaded, and that is an error naming the call.
MAX_MODULE_INSTANCES = 1000


def local_module_dir(parent: Path, source: str) -> Path:
    """Normalised (not symlink-resolved) directory of a local module source."""
    return Path(os.path.normpath(parent / source))


class TreeBuilder:
    """Wires module calls to child instances; reports remote, missing and cyclic modules.

    Registry and git modules are loaded from where `terraform init` installed them when the root
    module has a manifest (`installed`), and reported as not loaded otherwise."""

    def __init__(
        self,
        configs: dict[Path, ModuleConfig],
        find_skips: Callable[[Block], list[Skip]],
        errors: list[ScanError],
        warnings: list[ScanWarning],
        installed: ModuleManifest | None = None,
        root_dir: Path | None = None,
    ) -> None:
        self.configs = configs
        self.find_skips = find_skips
        self.errors = errors
        self.warnings = warnings
        self.installed = installed
        self.files_root: Path | None = None  # file()/templatefile() read only below it
        self.root_dir = root_dir
        self.instances = 0

    def build(
        self,
        config: ModuleConfig,
        prefix: str = "",
        inputs: Callable[[str], Any] | None = None,
        inherited_skips: list[Skip] | None = None,
        ancestors: tuple[Path, ...] = (),
        key: str = "",
    ) -> ModuleInstance:
        """`key` is the chain of call names leading here (`a.b`), as in Terraform's manifest."""
        instance = ModuleInstance(config, prefix, inputs, inherited_skips or [])
        instance.namespaces["path"].files_root = self.files_root
        self.instances += 1
        ancestors = (*ancestors, config.directory)
        for name, call in config.modules.items():
            call_key = f"{key}.{name}" if key else name
            instance.children[name] = self._link(instance, name, call, ancestors, call_key)
        return instance

    def _link(
        self,
        parent: ModuleInstance,
        name: str,
        call: Block,
        ancestors: tuple[Path, ...],
        key: str,
    ) -> ModuleLink:
        address = f"{parent.prefix}module.{name}"
        source = module_source(call)
        if source is None:
            self._error(call, f"{address} has no literal source")
            return ModuleLink(None, "no source")
        if is_local_source(source):
            directory = local_module_dir(parent.config.directory, source)
        else:
            found = self._installed_dir(call, address, source, key)
            if found is None:
                return ModuleLink(None, f"remote source {source}")
            directory = found
        child_config = self.configs.get(directory)
        if child_config is None:
            self._error(call, f"{address}: local module source {source!r} not found")
            return ModuleLink(None, f"source {source} not found")
        if directory in ancestors or len(ancestors) > MAX_MODULE_DEPTH:
            self._error(call, f"{address}: module calls itself (source {source!r})")
            return ModuleLink(None, "module cycle")
        return self.child_link(parent, call, address, child_config, ancestors, key)

    def child_link(
        self,
        parent: ModuleInstance,
        call: Block,
        address: str,
        child_config: ModuleConfig,
        ancestors: tuple[Path, ...],
        call_key: str,
    ) -> ModuleLink:
        """A loaded module call: one child instance per count/for_each instance, built lazily
        (their keys may depend on values the rest of the tree provides)."""
        skips = parent.inherited_skips + self.find_skips(call)

        def build_instance(key: InstanceKey) -> ModuleInstance:
            inputs = make_inputs(parent, call, key)
            prefix = f"{address}{key.suffix}."
            if self.instances >= MAX_MODULE_INSTANCES:
                return self._cut_off(call, prefix, child_config, inputs, skips)
            child = self.build(child_config, prefix, inputs, skips, ancestors, call_key)
            child.passed_provider = passed_provider(parent, call)
            child.may_not_exist = _module_existence(parent, address, key)
            return child

        return ModuleLink(build_instance, parent=parent, call=call)

    def _cut_off(
        self,
        call: Block,
        prefix: str,
        config: ModuleConfig,
        inputs: Callable[[str], Any],
        skips: list[Skip],
    ) -> ModuleInstance:
        """Past the instance cap: an instance with nothing in it (its outputs are unknown), and
        one error for the whole tree rather than one per call cut off."""
        if self.instances == MAX_MODULE_INSTANCES:
            self.instances += 1
            self._error(
                call,
                f"{prefix.rstrip('.')} and the module instances after it are not loaded: the "
                f"module tree has over {MAX_MODULE_INSTANCES} instances (the documented cap); "
                "their resources are not scanned",
            )
        return ModuleInstance(ModuleConfig(config.directory), prefix, inputs, skips)

    def _installed_dir(self, call: Block, address: str, source: str, key: str) -> Path | None:
        """Where `terraform init` installed this registry/git module, or None (with a warning
        saying why it is not loaded)."""
        directory, why_not = self._find_installed(source, key)
        if directory is None:
            self.warnings.append(
                ScanWarning(
                    target=call.file,
                    message=f"{address}: {why_not}; its resources are not scanned",
                    line=call.start_line or None,
                )
            )
        return directory

    def _find_installed(self, source: str, key: str) -> tuple[Path | None, str]:
        if self.installed is None:
            return None, (
                f"remote module source {source!r} is not loaded (no .terraform/modules/"
                "modules.json: run `terraform init` before scanning to load it)"
            )
        manifest = self.installed.file
        record = self.installed.find(key)
        if record is None:
            return None, (
                f"remote module source {source!r} is not in {manifest} (run `terraform init` again)"
            )
        if not same_source(source, record.source):
            return None, (
                f"{manifest} installed it from {record.source!r}, but the configuration says "
                f"{source!r} (run `terraform init` again)"
            )
        if self.root_dir is not None and not is_inside(record.directory, self.root_dir):
            problem = "is outside the root module"
        elif record.directory not in self.configs:
            problem = "does not exist"
        else:
            return record.directory, ""
        return None, (
            f"{manifest} installed it in {record.recorded_dir!r}, which {problem} "
            "(run `terraform init` again)"
        )

    def _error(self, call: Block, message: str) -> None:
        self.errors.append(
            ScanError(target=call.file, message=message, line=call.start_line or None)
        )


def _module_existence(parent: ModuleInstance, address: str, key: InstanceKey) -> Unknown | None:
    """Whether a module instance may not exist: its call's count/for_each is not known, or its
    parent may not exist. Its resources exist together (a companion in the same instance folds
    into its parent as present), never certainly."""
    if parent.may_not_exist is not None:
        return parent.may_not_exist
    if key.kind != "unknown":
        return None
    reason = key.key.reason if isinstance(key.key, Unknown) else "its instances are not known"
    return Conditional(
        f"{address} may not exist (its count/for_each is not known: {reason})",
        condition=f"module instance {address}",
    )


def _existence(key: InstanceKey) -> Unknown | None:
    """Why an emitted instance may not exist (None: it certainly does)."""
    if key.condition is not None:
        return key.condition  # type: ignore[no-any-return]
    return key.key if key.kind == "unknown" else None


def emit_resources(
    instance: ModuleInstance,
    find_skips: Callable[[Block], list[Skip]],
    errors: list[ScanError],
    out: list[ResolvedResource],
) -> None:
    """Resolve every instance of every resource block of the instance and of its module calls."""
    for block in instance.config.resource_blocks():
        address = instance.prefix + block.local_address
        try:
            keys = instance.keys_of(block)  # count = 0 / for_each = {}: Terraform creates nothing
            if len(keys) == 1 and keys[0].kind == "unknown":
                keys = instance.conditional_keys(block) or keys  # a list, never Unknown
            resolved = [
                (key, with_default_tags(instance, block, instance.block_arguments(block, key)))
                for key in keys
            ]
        except RecursionError:
            errors.append(_block_error(block, f"{address}: expressions nested too deeply"))
            continue
        except ValueTooLarge as exc:
            errors.append(_block_error(block, f"{address}: not evaluated, {exc}"))
            continue
        except Exception as exc:  # one bad block must not lose the rest of the scan
            errors.append(
                _block_error(block, f"{address}: internal error ({type(exc).__name__}: {exc})")
            )
            continue
        skips = instance.inherited_skips + find_skips(block)
        for key, attributes in resolved:
            out.append(
                ResolvedResource(
                    address=address + key.suffix,
                    type=block.type,
                    attributes=attributes,
                    file=block.file,
                    start_line=block.start_line,
                    end_line=block.end_line,
                    skips=list(skips),
                    module_prefix=instance.prefix,
                    existence=own
                    if (own := _existence(key)) is not None
                    else instance.may_not_exist,
                )
            )
    for name in instance.config.modules:
        link = instance.children.get(name)
        if link is None or not link.loaded:
            continue
        try:
            children = link.instances()
        except Exception as exc:  # an unevaluable count must not lose the rest of the scan
            call = instance.config.modules[name]
            errors.append(_block_error(call, f"{instance.prefix}module.{name}: {exc}"))
            continue
        for _key, child in children:
            emit_resources(child, find_skips, errors, out)


def _block_error(block: Block, message: str) -> ScanError:
    return ScanError(target=block.file, message=message, line=block.start_line or None)
