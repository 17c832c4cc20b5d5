"""Pieces every command module shares: failing cleanly, loading policies, common options."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from scanner.compliance.catalog import Catalog, CatalogError, load_catalog
from scanner.compliance.results import EXIT_INCOMPLETE
from scanner.core.control_chars import neutralise_controls
from scanner.core.registry import Registry, RegistryError, load_registry

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str) -> NoReturn:
    """A usage or setup problem: say what, exit 2, no traceback."""
    # Messages name files and values from the input: no control character reaches the terminal.
    click.echo(f"comply: error: {neutralise_controls(message)}", err=True)
    sys.exit(EXIT_INCOMPLETE)


def load_policies(
    policy_dirs: Sequence[Path], framework_dirs: Sequence[Path] = ()
) -> tuple[Registry, Catalog]:
    try:
        registry = load_registry(policy_dirs)
        catalog = load_catalog(registry, extra_folders=framework_dirs)
    except (RegistryError, CatalogError) as exc:
        fail(str(exc))
    return registry, catalog


def policy_options(function: F) -> F:
    return click.option(
        "--policies",
        "policy_dirs",
        multiple=True,
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        help="A folder of your own check modules (repeatable).",
    )(function)


def framework_dir_option(function: F) -> F:
    return click.option(
        "--frameworks-dir",
        "framework_dirs",
        multiple=True,
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        help="A folder of your own framework files (same schema as controls/*.yaml). Repeatable.",
    )(function)
