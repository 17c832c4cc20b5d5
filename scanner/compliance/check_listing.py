"""Rows for `comply checks list`: a check's metadata with the controls it is mapped to."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Iterable, Sequence
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from scanner.compliance.catalog import Catalog, Scope
from scanner.core.registry import CheckSpec
from scanner.core.wording import plural


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


NARROW_TABLE = 100  # below this, resource types are left out (`checks show ID` has them)


def render_check_table(rows: Sequence[dict[str, Any]], *, color: bool, width: int = 160) -> str:
    """A table that fits `width` columns: ids are never folded, the other cells wrap at words."""
    narrow = width < NARROW_TABLE
    table = Table(show_lines=False, box=None if narrow else box.HEAVY_HEAD, pad_edge=not narrow)
    table.add_column("id", no_wrap=True)
    table.add_column("severity", no_wrap=True)
    if not narrow:
        table.add_column("resource types", overflow="fold")
    table.add_column("controls", overflow="fold")
    for row in rows:
        cells = [row["id"], row["severity"]]
        if not narrow:
            cells.append(", ".join(row["resource_types"]))
        cells.append(", ".join(f"{c['framework']} {c['id']}" for c in row["controls"]))
        table.add_row(*cells)
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=width)
    console.print(table)
    console.print(plural(len(rows), "check") + ("; details: comply checks show ID" if rows else ""))
    return buffer.getvalue()


def _remediation_text(spec: CheckSpec) -> str:
    """The remediation with its snippet's indentation kept (CheckSpec.remediation strips the
    first line, which shifts a snippet that starts right after `Remediation:`)."""
    parts = spec.doc.split("Remediation:", 1)
    return textwrap.dedent(parts[1].lstrip("\n")).strip() if len(parts) == 2 else ""


def check_detail(spec: CheckSpec, catalog: Catalog) -> dict[str, Any]:
    """Everything `comply checks show` prints about one check."""
    controls = catalog.controls_by_check().get(spec.id, [])
    titles = {(c.framework, c.id): c.title for c in catalog.controls()}
    return {
        "id": spec.id,
        "title": spec.title,
        "severity": spec.severity.value,
        "resource_types": list(spec.resource_types),
        "sources": list(spec.sources) or ["every source that produces these types"],
        "rationale": spec.rationale,
        "remediation": _remediation_text(spec),
        "controls": [
            {**c.to_dict(), "title": titles.get((c.framework, c.id), "")} for c in controls
        ],
        "references": {k: list(v) for k, v in sorted(spec.references.items())},
        "former_ids": list(spec.aliases),
    }


def render_check_detail(detail: dict[str, Any], *, width: int | None) -> str:
    """Plain text, paragraphs wrapped to the terminal (code in the remediation kept as is)."""
    wrap_at = min(width or 100, 100)

    def paragraphs(text: str, indent: str = "  ") -> list[str]:
        out: list[str] = []
        for block in text.split("\n\n"):
            if block.startswith("    ") or "\n    " in block:  # a code snippet: never rewrap
                out += [indent + line for line in block.splitlines()]
            else:
                out += textwrap.wrap(
                    " ".join(block.split()),
                    wrap_at,
                    initial_indent=indent,
                    subsequent_indent=indent,
                )
            out.append("")
        return out

    lines = [f"{detail['id']}: {detail['title']}", ""]
    lines.append(f"  severity        {detail['severity']}")
    lines.append(f"  resource types  {', '.join(detail['resource_types'])}")
    lines.append(f"  sources         {', '.join(detail['sources'])}")
    lines += ["", "Why it matters", *paragraphs(detail["rationale"])]
    lines += ["How to fix", *paragraphs(detail["remediation"] or "(no remediation text)")]
    lines.append("Controls")
    for control in detail["controls"] or [{"framework": "-", "id": "mapped to none", "title": ""}]:
        lines.append(f"  {control['framework']} {control['id']}  {control['title']}".rstrip())
    lines.append("")
    if detail["references"]:
        lines.append("References")
        for tool, ids in detail["references"].items():
            lines.append(f"  {tool}: {', '.join(ids)}")
        lines.append("")
    if detail["former_ids"]:
        lines += ["Former ids", "  " + ", ".join(detail["former_ids"]), ""]
    return "\n".join(lines).rstrip() + "\n"
