"""Index a module directory's parsed files by what they declare: references become dict lookups."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Block:
    """A labelled block (`resource`, `data`, `module`) and where it is written."""

    kind: str  # "resource" | "data" | "module"
    type: str  # resource/data type; "" for modules
    name: str
    body: dict[str, Any]
    file: str  # path relative to the scanned root
    start_line: int
    end_line: int

    @property
    def local_address(self) -> str:
        if self.kind == "module":
            return f"module.{self.name}"
        if self.kind == "data":
            return f"data.{self.type}.{self.name}"
        return f"{self.type}.{self.name}"


@dataclass
class ModuleConfig:
    """Everything one module directory declares."""

    directory: Path
    variables: dict[str, dict[str, Any]] = field(default_factory=dict)
    locals: dict[str, Any] = field(default_factory=dict)
    resources: dict[str, dict[str, Block]] = field(default_factory=dict)  # type -> name -> block
    data: dict[str, dict[str, Block]] = field(default_factory=dict)
    modules: dict[str, Block] = field(default_factory=dict)
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    # provider configurations by reference: "aws", "aws.replica" (an alias)
    providers: dict[str, dict[str, Any]] = field(default_factory=dict)

    def resource_blocks(self) -> list[Block]:
        return [block for named in self.resources.values() for block in named.values()]

    def add_file(self, rel: str, parsed: dict[str, Any]) -> None:
        for entry in _as_list(parsed.get("variable")):
            for name, body in entry.items():
                self.variables[name] = body if isinstance(body, dict) else {}
        for entry in _as_list(parsed.get("locals")):
            self.locals.update({k: v for k, v in entry.items() if not k.startswith("__")})
        for entry in _as_list(parsed.get("output")):
            for name, body in entry.items():
                self.outputs[name] = body if isinstance(body, dict) else {}
        for kind, index in (("resource", self.resources), ("data", self.data)):
            for entry in _as_list(parsed.get(kind)):
                for type_name, named in entry.items():
                    for name, body in (named or {}).items():
                        if isinstance(body, dict):
                            block = _block(kind, type_name, name, body, rel)
                            index.setdefault(type_name, {})[name] = block
        for entry in _as_list(parsed.get("provider")):
            for name, body in entry.items():
                if isinstance(body, dict):
                    alias = body.get("alias")
                    ref = f"{name}.{alias}" if isinstance(alias, str) and alias else name
                    self.providers[ref] = body
        for entry in _as_list(parsed.get("module")):
            for name, body in entry.items():
                if isinstance(body, dict):
                    self.modules[name] = _block("module", "", name, body, rel)


def _as_list(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    return []


def _block(kind: str, type_name: str, name: str, body: dict[str, Any], rel: str) -> Block:
    start = body.get("__start_line__")
    end = body.get("__end_line__")
    start_line = start if isinstance(start, int) else 0
    end_line = end if isinstance(end, int) else start_line
    return Block(kind, type_name, name, body, rel, start_line, end_line)


def module_source(block: Block) -> str | None:
    source = block.body.get("source")
    return source if isinstance(source, str) else None


def is_local_source(source: str) -> bool:
    return source.startswith(("./", "../")) or source in (".", "..")
