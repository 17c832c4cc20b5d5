"""Build the module-instance tree of one root module and emit its resolved resource blocks."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scanner.core.model import ScanError, ScanWarning, Skip
from scanner.sources.terraform.config import (
    Block,
    ModuleConfig,
    is_local_source,
    module_source,
)
from scanner.sources.terraform.resolve import (
    ModuleInstance,
    ModuleLink,
    ResolvedResource,
    make_inputs,
)

MAX_MODULE_DEPTH = 16


def local_module_dir(parent: Path, source: str) -> Path:
    """Normalised (not symlink-resolved) directory of a local module source."""
    return Path(os.path.normpath(parent / source))


class TreeBuilder:
    """Wires module calls to child instances; reports remote, missing and cyclic modules."""

    def __init__(
        self,
        configs: dict[Path, ModuleConfig],
        find_skips: Callable[[Block], list[Skip]],
        errors: list[ScanError],
        warnings: list[ScanWarning],
    ) -> None:
        self.configs = configs
        self.find_skips = find_skips
        self.errors = errors
        self.warnings = warnings

    def build(
        self,
        config: ModuleConfig,
        prefix: str = "",
        inputs: Callable[[str], Any] | None = None,
        inherited_skips: list[Skip] | None = None,
        ancestors: tuple[Path, ...] = (),
    ) -> ModuleInstance:
        instance = ModuleInstance(config, prefix, inputs, inherited_skips or [])
        ancestors = (*ancestors, config.directory)
        for name, call in config.modules.items():
            instance.children[name] = self._link(instance, name, call, ancestors)
        return instance

    def _link(
        self, parent: ModuleInstance, name: str, call: Block, ancestors: tuple[Path, ...]
    ) -> ModuleLink:
        address = f"{parent.prefix}module.{name}"
        source = module_source(call)
        if source is None:
            self._error(call, f"{address} has no literal source")
            return ModuleLink(None, "no source")
        if not is_local_source(source):
            self.warnings.append(
                ScanWarning(
                    target=call.file,
                    message=f"{address}: remote module source {source!r} is not loaded; "
                    "its resources are not scanned",
                    line=call.start_line or None,
                )
            )
            return ModuleLink(None, f"remote source {source}")
        directory = local_module_dir(parent.config.directory, source)
        child_config = self.configs.get(directory)
        if child_config is None:
            self._error(call, f"{address}: local module source {source!r} not found")
            return ModuleLink(None, f"source {source} not found")
        if directory in ancestors or len(ancestors) > MAX_MODULE_DEPTH:
            self._error(call, f"{address}: module calls itself (source {source!r})")
            return ModuleLink(None, "module cycle")
        skips = parent.inherited_skips + self.find_skips(call)
        child = self.build(child_config, f"{address}.", make_inputs(parent, call), skips, ancestors)
        return ModuleLink(child)

    def _error(self, call: Block, message: str) -> None:
        self.errors.append(
            ScanError(target=call.file, message=message, line=call.start_line or None)
        )


def emit_resources(
    instance: ModuleInstance,
    find_skips: Callable[[Block], list[Skip]],
    errors: list[ScanError],
    out: list[ResolvedResource],
) -> None:
    """Resolve every resource block of the instance and of the module calls that exist."""
    for block in instance.config.resource_blocks():
        address = instance.prefix + block.local_address
        try:
            if instance.instance_count(block, instance) == 0:
                continue  # count = 0 / for_each = {}: Terraform creates nothing
            attributes = instance.block_arguments(block)
        except RecursionError:
            errors.append(_block_error(block, f"{address}: expressions nested too deeply"))
            continue
        except Exception as exc:  # one bad block must not lose the rest of the scan
            errors.append(
                _block_error(block, f"{address}: internal error ({type(exc).__name__}: {exc})")
            )
            continue
        out.append(
            ResolvedResource(
                address=address,
                type=block.type,
                attributes=attributes,
                file=block.file,
                start_line=block.start_line,
                end_line=block.end_line,
                skips=instance.inherited_skips + find_skips(block),
                module_prefix=instance.prefix,
            )
        )
    for name, call in instance.config.modules.items():
        link = instance.children.get(name)
        if link is None or link.instance is None:
            continue
        try:
            count = instance.instance_count(call, instance)
        except Exception:  # an unevaluable count keeps the module's resources in scope
            count = None
        if count == 0:
            continue
        emit_resources(link.instance, find_skips, errors, out)


def _block_error(block: Block, message: str) -> ScanError:
    return ScanError(target=block.file, message=message, line=block.start_line or None)
