"""`--engine NAME` on `scan terraform|kubernetes`: second engines run next to comply's own
checks (docs/engines.md). Only checkov exists; it runs as a subprocess, never imported."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from scanner.cli.common import F, fail

KNOWN_ENGINES = ("comply", "checkov")


def engine_option(function: F) -> F:
    option = click.option(
        "--engine",
        "engines",
        multiple=True,
        type=click.Choice(KNOWN_ENGINES),
        help="Also run this engine (checkov: a separate install, see `comply engines`). "
        "Repeatable; .comply.yaml: engines: [comply, checkov].",
    )
    return option(function)


def chosen_engines(given: Sequence[str], config_engines: Any) -> list[str]:
    """The command line wins over `engines:` in .comply.yaml; comply's own checks always run."""
    context = click.get_current_context(silent=True)
    source = context.get_parameter_source("engines") if context else None
    names = list(given) if source is ParameterSource.COMMANDLINE else list(config_engines or ())
    unknown = sorted(set(names) - set(KNOWN_ENGINES))
    if unknown:
        fail(f"unknown engine(s) {', '.join(unknown)} (known: {', '.join(KNOWN_ENGINES)})")
    return [name for name in dict.fromkeys(names) if name != "comply"]


def start_engines(
    names: Sequence[str], folder: Path, source: str, *, use_cache: bool = True
) -> list[Any]:
    """Start each second engine on `folder` now, so that it runs while comply scans. Results are
    cached by the content of the files (an unchanged re-run costs no checkov run)."""
    if not names:
        return []
    from scanner.engines.checkov_cache import default_cache_dir
    from scanner.engines.checkov_engine import CheckovRun

    cache_dir = default_cache_dir() if use_cache else None
    return [CheckovRun(folder, source, cache_dir=cache_dir) for name in names if name == "checkov"]
