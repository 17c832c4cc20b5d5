"""`comply checks list` and `comply checks show ID`: the checks comply runs, sized to the
terminal."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from scanner.cli.common import fail, load_policies, policy_options
from scanner.cli.terminal import terminal_width
from scanner.compliance.assessment import ScanOptions, SelectionError, select_checks
from scanner.core.wording import did_you_mean

LIST_WIDTH_WITHOUT_TERMINAL = 160  # a file or a pipe: room for every column


@click.group()
def checks() -> None:
    """The checks comply runs."""


@checks.command("list")
@click.option(
    "--framework",
    "frameworks",
    multiple=True,
    help="Only checks mapped to this framework (repeatable).",
)
@click.option(
    "-o", "--output", "output_format", type=click.Choice(["table", "json"]), default="table"
)
@policy_options
def checks_list(
    frameworks: tuple[str, ...], output_format: str, policy_dirs: tuple[Path, ...]
) -> None:
    """List checks with severity, resource types and mapped controls."""
    from scanner.compliance.check_listing import check_rows, render_check_table

    registry, catalog = load_policies(policy_dirs)
    try:
        selected = select_checks(registry, catalog, ScanOptions(frameworks=list(frameworks)))
    except SelectionError as exc:
        fail(str(exc))
    rows = check_rows(selected, catalog, list(frameworks))
    if output_format == "json":
        click.echo(json.dumps({"checks": rows}, indent=2, ensure_ascii=False))
    else:
        width = terminal_width() or LIST_WIDTH_WITHOUT_TERMINAL
        click.echo(render_check_table(rows, color=sys.stdout.isatty(), width=width), nl=False)


@checks.command("show")
@click.argument("check_id")
@click.option(
    "-o", "--output", "output_format", type=click.Choice(["text", "json"]), default="text"
)
@policy_options
def checks_show(check_id: str, output_format: str, policy_dirs: tuple[Path, ...]) -> None:
    """What CHECK_ID tests and why, how to fix a failure, its controls and references."""
    from scanner.compliance.check_listing import check_detail, render_check_detail

    registry, catalog = load_policies(policy_dirs)
    current = registry.resolve(check_id)
    if current is None:
        hint = did_you_mean(check_id, [*registry.checks, *registry.aliases])
        fail(f"no check with id {check_id!r}{hint or ' (see `comply checks list`)'}")
    detail = check_detail(registry.checks[current], catalog)
    if output_format == "json":
        click.echo(json.dumps(detail, indent=2, ensure_ascii=False))
    else:
        click.echo(render_check_detail(detail, width=terminal_width()), nl=False)
