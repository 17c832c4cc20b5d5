"""`comply controls ...`: browse the catalogs, the coverage matrix and the crosswalk."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from scanner.cli.common import F, fail, framework_dir_option, load_policies, policy_options
from scanner.compliance.catalog import Catalog, CatalogError, Control, Scope
from scanner.compliance.coverage import SOURCES, coverage_rows, crosswalk, to_csv, to_markdown
from scanner.core.registry import Registry

LIST_COLUMNS = ("framework", "id", "title", "category", "automation", "specification", "checks")
COVERAGE_COLUMNS = ("framework", "id", "title", "category", "automation", "checks", *SOURCES)


def _catalog_options(function: F) -> F:
    function = click.option(
        "--category", "categories", multiple=True, help="Only SOC 2 controls of this category."
    )(function)
    function = click.option(
        "--framework", "frameworks", multiple=True, help="Only this framework (hipaa, soc2)."
    )(function)
    return policy_options(framework_dir_option(function))


def _load(
    policy_dirs: tuple[Path, ...],
    framework_dirs: tuple[Path, ...],
    frameworks: tuple[str, ...] = (),
    categories: tuple[str, ...] = (),
) -> tuple[Registry, Catalog, Scope]:
    registry, catalog = load_policies(policy_dirs, framework_dirs)
    scope = Scope(frameworks=frameworks, categories=categories)
    try:
        catalog.validate_scope(scope)
    except CatalogError as exc:
        fail(str(exc))
    return registry, catalog, scope


def _emit_table(
    rows: list[dict[str, Any]], columns: tuple[str, ...], output: str, key: str
) -> None:
    if output == "json":
        click.echo(json.dumps({key: rows}, indent=2, ensure_ascii=False))
    elif output == "csv":
        click.echo(to_csv(rows, columns), nl=False)
    else:
        click.echo(to_markdown(rows, columns), nl=False)


@click.group()
def controls() -> None:
    """Framework controls: what they require and which checks test them."""


@controls.command("list")
@_catalog_options
@click.option(
    "-o", "--output", "output", type=click.Choice(["markdown", "json", "csv"]), default="markdown"
)
def controls_list(
    frameworks: tuple[str, ...],
    categories: tuple[str, ...],
    policy_dirs: tuple[Path, ...],
    framework_dirs: tuple[Path, ...],
    output: str,
) -> None:
    """List controls with their automation level and mapped checks."""
    _, catalog, scope = _load(policy_dirs, framework_dirs, frameworks, categories)
    rows = [
        {
            "framework": c.framework,
            "id": c.id,
            "title": c.title,
            "category": c.category,
            "automation": c.automation,
            "specification": c.specification,
            "checks": ", ".join(c.checks) if output != "json" else list(c.checks),
        }
        for c in catalog.controls(scope)
    ]
    _emit_table(rows, LIST_COLUMNS, output, "controls")


def _describe(control: Control, catalog: Catalog, registry: Registry) -> str:
    lines = [f"{control.framework} {control.id} — {control.title}", ""]
    facts = [
        ("standard", control.standard),
        ("specification", control.specification),
        ("category", control.category),
        ("automation", control.automation),
    ]
    lines += [f"{name}: {value}" for name, value in facts if value]
    lines += ["", "Requirement:", f"  {control.requirement}", "", "Checks:"]
    for check_id in control.checks:
        spec = registry.checks.get(registry.resolve(check_id) or check_id)
        title = spec.title if spec else "(not loaded)"
        severity = spec.severity.value if spec else "?"
        lines.append(f"  {check_id} [{severity}] {title}")
    if not control.checks:
        lines.append("  none: this control is tested with manual evidence only")
    lines += ["", "Manual evidence an auditor asks for:"]
    lines += [f"  - {item}" for item in control.manual_evidence] or ["  none"]
    related = [
        entry.right
        for other in catalog.frameworks
        if other != control.framework
        for entry in crosswalk(catalog, control.framework, other)
        if entry.left == control
    ]
    if related:
        lines += ["", "Related controls (crosswalk):"]
        lines += [f"  {r.framework} {r.id} — {r.title}" for r in related]
    return "\n".join(lines) + "\n"


@controls.command("show")
@click.argument("control_id")
@click.option("--framework", help="The framework, when the id is ambiguous.")
@policy_options
@framework_dir_option
@click.option("-o", "--output", "output", type=click.Choice(["text", "json"]), default="text")
def controls_show(
    control_id: str,
    framework: str | None,
    policy_dirs: tuple[Path, ...],
    framework_dirs: tuple[Path, ...],
    output: str,
) -> None:
    """Show one control: requirement, mapped checks, manual evidence, related controls."""
    registry, catalog, _ = _load(policy_dirs, framework_dirs)
    try:
        control = catalog.find(control_id, framework)
    except CatalogError as exc:
        fail(str(exc))
    if output == "json":
        payload = {
            "framework": control.framework,
            "id": control.id,
            "title": control.title,
            "standard": control.standard,
            "specification": control.specification,
            "category": control.category,
            "automation": control.automation,
            "requirement": control.requirement,
            "checks": list(control.checks),
            "manual_evidence": list(control.manual_evidence),
            "related": [f"{r.framework}:{r.id}" for r in control.related],
        }
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        click.echo(_describe(control, catalog, registry), nl=False)


@controls.command("coverage")
@_catalog_options
@click.option(
    "-o", "--output", "output", type=click.Choice(["markdown", "csv", "json"]), default="markdown"
)
def controls_coverage(
    frameworks: tuple[str, ...],
    categories: tuple[str, ...],
    policy_dirs: tuple[Path, ...],
    framework_dirs: tuple[Path, ...],
    output: str,
) -> None:
    """Per control: automation level and how many checks test it from each source."""
    registry, catalog, scope = _load(policy_dirs, framework_dirs, frameworks, categories)
    rows = [row.to_dict() for row in coverage_rows(catalog, registry, scope)]
    _emit_table(rows, COVERAGE_COLUMNS, output, "coverage")


@controls.command("crosswalk")
@click.option("--from", "left", default="hipaa", show_default=True)
@click.option("--to", "right", default="soc2", show_default=True)
@policy_options
@framework_dir_option
@click.option(
    "-o", "--output", "output", type=click.Choice(["markdown", "csv", "json"]), default="markdown"
)
def controls_crosswalk(
    left: str,
    right: str,
    policy_dirs: tuple[Path, ...],
    framework_dirs: tuple[Path, ...],
    output: str,
) -> None:
    """Controls of two frameworks that one scan evidences together."""
    _, catalog, _ = _load(policy_dirs, framework_dirs, (left, right))
    entries = crosswalk(catalog, left, right)
    rows = [
        {
            left: e.left.id,
            f"{left} title": e.left.title,
            right: e.right.id,
            f"{right} title": e.right.title,
            "basis": e.basis,
        }
        for e in entries
    ]
    if output == "json":
        click.echo(json.dumps({"crosswalk": [e.to_dict() for e in entries]}, indent=2))
        return
    columns = (left, f"{left} title", right, f"{right} title", "basis")
    _emit_table(rows, columns, output, "crosswalk")
