"""The import contract: layers only import downward (docs/architecture.md).

Every import statement is read from the source, including imports inside functions, so a lazy
import cannot smuggle an upward dependency past the test.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# package -> the scanner packages it may import (besides itself). Siblings on one row of the
# diagram (premerge, report, evidence, history) may not import one another; notify reads
# history's diff model and nothing else of it.
ALLOWED: dict[str, set[str]] = {
    "scanner.core": set(),
    "scanner.sources": {"scanner.core"},
    "scanner.compliance": {"scanner.core", "scanner.sources"},
    # drift joins state (sources) to live resources and runs the checks (core) on both sides.
    "scanner.drift": {"scanner.core", "scanner.sources", "scanner.compliance"},
    "scanner.premerge": {"scanner.core", "scanner.compliance"},
    "scanner.report": {"scanner.core", "scanner.compliance"},
    "scanner.evidence": {"scanner.core", "scanner.compliance"},
    "scanner.history": {"scanner.core", "scanner.compliance"},
    # notify is handed the diff that history computed, so it may read history's model.
    "scanner.notify": {"scanner.core", "scanner.compliance", "scanner.history"},
    # Second engines (checkov) run as subprocesses; their results become compliance findings.
    "scanner.engines": {"scanner.core", "scanner.compliance"},
    "scanner.cli": {
        "scanner.engines",
        "scanner.core",
        "scanner.sources",
        "scanner.compliance",
        "scanner.drift",
        "scanner.premerge",
        "scanner.report",
        "scanner.evidence",
        "scanner.history",
        "scanner.notify",
    },
    "policies": {"scanner.core"},
}
TOP_LEVEL_MODULES = {"scanner", "scanner.__main__"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _layer(module: str) -> str | None:
    for layer in sorted(ALLOWED, key=len, reverse=True):
        if module == layer or module.startswith(layer + "."):
            return layer
    return None


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def _python_files() -> list[Path]:
    files = [*(ROOT / "scanner").rglob("*.py"), *(ROOT / "policies").rglob("*.py")]
    return sorted(p for p in files if "_bundled" not in p.parts)


def test_every_module_belongs_to_a_layer() -> None:
    strays = [
        _module_name(p)
        for p in _python_files()
        if _layer(_module_name(p)) is None and _module_name(p) not in TOP_LEVEL_MODULES
    ]
    assert strays == [], f"modules outside every layer of docs/architecture.md: {strays}"


@pytest.mark.parametrize("path", _python_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_only_go_down(path: Path) -> None:
    module = _module_name(path)
    layer = _layer(module)
    if layer is None:
        return  # scanner/__init__ and __main__: the entry points
    violations = []
    for line, imported in _imports(path):
        target = _layer(imported)
        if target is None or target == layer:
            continue
        if target not in ALLOWED[layer]:
            violations.append(f"{path.relative_to(ROOT)}:{line} imports {imported}")
    assert violations == []


def test_the_contract_catches_an_upward_import(tmp_path: Path) -> None:
    """The checker itself works: an engine importing a report is flagged."""
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from scanner.report.console import render\n")
    imported = [name for _, name in _imports(bad)]
    assert imported == ["scanner.report.console"]
    assert _layer(imported[0]) not in ALLOWED["scanner.core"]
