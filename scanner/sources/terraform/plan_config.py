"""A plan's two views of the configuration: the `.tf` files (blocks, lines, inline skips) and the
plan's own `configuration` section (expressions and their references), both found by module path.

Addresses in a plan carry instance keys (`module.app["eu"].aws_s3_bucket.logs[0]`); the
configuration has one block per call, so keys are dropped to find it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanner.core.model import Skip
from scanner.sources.terraform.config import Block, ModuleConfig, is_local_source, module_source
from scanner.sources.terraform.loader import _Loader
from scanner.sources.terraform.modules import local_module_dir
from scanner.sources.terraform.plan_values import NOT_RESOURCES, Scope
from scanner.sources.terraform.values import META_KEYS

_MODULE_STEP = re.compile(r'module\.([A-Za-z0-9_-]+)((?:\[(?:\d+|"(?:[^"\\]|\\.)*")\])?)\.?')


def module_steps(module_address: str) -> list[tuple[str, str]]:
    """`module.a["x"].module.b` -> [("a", '["x"]'), ("b", "")]; [] for the root module."""
    steps: list[tuple[str, str]] = []
    position = 0
    while position < len(module_address):
        match = _MODULE_STEP.match(module_address, position)
        if match is None:
            raise ValueError(f"not a module address: {module_address!r}")
        steps.append((match.group(1), match.group(2)))
        position = match.end()
    return steps


def prefix_of(steps: Sequence[tuple[str, str]]) -> str:
    return "".join(f"module.{name}{key}." for name, key in steps)


@dataclass(frozen=True)
class SourceBlock:
    """A resource block in the `.tf` files: where it is, what it writes, its inline skips."""

    file: str
    start_line: int
    end_line: int
    declared: frozenset[str]
    skips: list[Skip]
    body: dict[str, Any]


class ConfigFiles:
    """The root module folder's `.tf` files and the modules they call, parsed once."""

    def __init__(self, loader: _Loader, root: ModuleConfig) -> None:
        self.loader = loader
        self.root = root
        self._dirs: dict[tuple[str, ...], ModuleConfig | None] = {(): root}

    @property
    def has_files(self) -> bool:
        return bool(self.root.resources or self.root.modules or self.root.variables)

    def block(self, names: tuple[str, ...], type_name: str, name: str) -> SourceBlock | None:
        config = self._module(names)
        block = config.resources.get(type_name, {}).get(name) if config is not None else None
        if block is None:
            return None
        return SourceBlock(
            file=block.file,
            start_line=block.start_line,
            end_line=block.end_line,
            declared=_declared(block),
            skips=self._skips(names, block),
            body=block.body,
        )

    def _skips(self, names: tuple[str, ...], block: Block) -> list[Skip]:
        """The block's own inline skips and those on every module call above it."""
        skips: list[Skip] = []
        for depth in range(len(names)):
            parent = self._module(names[:depth])
            call = parent.modules.get(names[depth]) if parent is not None else None
            if call is not None:
                skips.extend(self._find(call))
        return skips + self._find(block)

    def _find(self, block: Block) -> list[Skip]:
        return self.loader.skips.find(block.file, block.start_line, block.end_line)

    def _module(self, names: tuple[str, ...]) -> ModuleConfig | None:
        if names not in self._dirs:
            self._dirs[names] = self._child(names)
        return self._dirs[names]

    def _child(self, names: tuple[str, ...]) -> ModuleConfig | None:
        parent = self._module(names[:-1])
        call = parent.modules.get(names[-1]) if parent is not None else None
        source = module_source(call) if call is not None else None
        if parent is None or source is None:
            return None
        if is_local_source(source):
            return self.loader.configs.get(local_module_dir(parent.directory, source))
        manifest = self.loader.manifests.get(self.root.directory)
        installed = manifest.find(".".join(names)) if manifest is not None else None
        return self.loader.configs.get(installed.directory) if installed is not None else None


_NAME = r"[a-z][a-z0-9_]*\.[A-Za-z_][A-Za-z0-9_-]*"
_SAME_INDEX = re.compile(
    rf"^\$\{{({_NAME})\[(count\.index|each\.key)\]\.([A-Za-z_][A-Za-z0-9_]*)\}}$"
)
_EACH_VALUE = re.compile(r"^\$\{each\.value\.([A-Za-z_][A-Za-z0-9_]*)\}$")
_WHOLE_RESOURCE = re.compile(rf"^\$\{{({_NAME})\}}$")


def same_instance_reference(body: dict[str, Any], argument: str, index: Any) -> str | None:
    """The parent instance a companion instance names when the configuration says "the same
    instance as mine": `aws_s3_bucket.b[count.index].id`, `aws_s3_bucket.b[each.key].id`, or
    `each.value.id` with `for_each = aws_s3_bucket.b`. The plan shows the reference only as
    `aws_s3_bucket.b` (its index is computed), so this reads the `.tf` text; None otherwise."""
    text = body.get(argument)
    if not isinstance(text, str) or index is None or isinstance(index, bool):
        return None
    key = str(index) if isinstance(index, int) else json.dumps(index, ensure_ascii=False)
    match = _SAME_INDEX.match(text)
    if match is not None and _is_resource(match.group(1)):
        counted = match.group(2) == "count.index"
        if counted != isinstance(index, int):
            return None
        return f"{match.group(1)}[{key}].{match.group(3)}"
    each_value = _EACH_VALUE.match(text)
    over = _WHOLE_RESOURCE.match(str(body.get("for_each", "")))
    if each_value is not None and over is not None and _is_resource(over.group(1)):
        if not isinstance(index, str):
            return None
        return f"{over.group(1)}[{key}].{each_value.group(1)}"
    return None


def _is_resource(name: str) -> bool:
    return name.split(".", 1)[0] not in NOT_RESOURCES


def _declared(block: Block) -> frozenset[str]:
    keys = {k for k in block.body if k not in META_KEYS and k != "dynamic"}
    for entry in block.body.get("dynamic") or []:
        if isinstance(entry, dict):
            keys.update(entry)
    return frozenset(keys)


class PlanConfiguration:
    """The plan's `configuration` section: resource expressions and module call inputs."""

    def __init__(self, configuration: dict[str, Any]) -> None:
        root = configuration.get("root_module")
        self.root = root if isinstance(root, dict) else None

    def _module(self, names: Sequence[str]) -> dict[str, Any] | None:
        node = self.root
        for name in names:
            calls = node.get("module_calls") if node is not None else None
            call = calls.get(name) if isinstance(calls, dict) else None
            module = call.get("module") if isinstance(call, dict) else None
            node = module if isinstance(module, dict) else None
        return node

    def resource_expressions(
        self, names: Sequence[str], type_name: str, name: str
    ) -> dict[str, Any] | None:
        module = self._module(names)
        for resource in (module or {}).get("resources") or []:
            if (
                isinstance(resource, dict)
                and resource.get("mode", "managed") == "managed"
                and resource.get("type") == type_name
                and resource.get("name") == name
            ):
                expressions = resource.get("expressions")
                return expressions if isinstance(expressions, dict) else {}
        return None

    def scope(self, steps: Sequence[tuple[str, str]]) -> Scope:
        """The scope of a module instance: `var.x` there is what its call passes as `x`."""
        if not steps:
            return Scope(prefix="")
        parent_steps = list(steps[:-1])
        call_name = steps[-1][0]

        def module_input(variable: str) -> tuple[list[Any], Scope] | None:
            parent = self._module([n for n, _ in parent_steps])
            calls = parent.get("module_calls") if parent is not None else None
            call = calls.get(call_name) if isinstance(calls, dict) else None
            expressions = call.get("expressions") if isinstance(call, dict) else None
            given = expressions.get(variable) if isinstance(expressions, dict) else None
            if given is None:
                return None
            return [given], self.scope(parent_steps)

        return Scope(prefix=prefix_of(steps), module_input=module_input)


def load_config_files(
    directory: Path, *, max_file_size: int, jobs: int
) -> tuple[ConfigFiles, _Loader]:
    loader = _Loader(
        path=directory, var_files=[], cache=None, jobs=jobs, max_file_size=max_file_size
    )
    root = loader.load_root_module()
    return ConfigFiles(loader, root), loader
