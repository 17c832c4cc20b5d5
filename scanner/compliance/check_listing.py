"""Rows for `comply checks list`: a check's metadata with the controls it is mapped to."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from scanner.compliance.catalog import Catalog, Scope
from scanner.core.registry import CheckSpec


def check_rows(
    specs: Iterable[CheckSpec], catalog: Catalog, frameworks: Sequence[str]
) -> list[dict[str, Any]]:
    controls_by_check = catalog.controls_by_check(Scope(frameworks=tuple(frameworks)))
    return [
        {
            "id": spec.id,
            "title": spec.title,
            "severity": spec.severity.value,
            "resource_types": list(spec.resource_types),
            "controls": [c.to_dict() for c in controls_by_check.get(spec.id, [])],
            "references": {k: list(v) for k, v in spec.references.items()},
        }
        for spec in specs
    ]


def render_check_table(rows: Sequence[dict[str, Any]], *, color: bool) -> str:
    table = Table(show_lines=False)
    for column in ("id", "severity", "resource types", "controls"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            row["id"],
            row["severity"],
            ", ".join(row["resource_types"]),
            ", ".join(f"{c['framework']} {c['id']}" for c in row["controls"]),
        )
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=160)
    console.print(table)
    console.print(f"{len(rows)} checks")
    return buffer.getvalue()
