"""The `comply` command line: the root group and the entry point. Commands live in their own
modules and are imported only when they run, so `comply --help` starts fast."""

from __future__ import annotations

import os
import sys

import click

from scanner.cli.errors import EXIT_INTERRUPTED, ComplyGroup
from scanner.cli.lazy_group import LazyCommand, LazyGroup

EXIT_INCOMPLETE = 2

COMMANDS = {
    "scan": LazyCommand(
        "scanner.cli.scan_commands",
        "scan",
        "Scan a source and report findings mapped to controls.",
    ),
    "checks": LazyCommand("scanner.cli.checks_commands", "checks", "The checks comply runs."),
    "controls": LazyCommand(
        "scanner.cli.controls_commands",
        "controls",
        "Framework controls: what they require and which checks test them.",
    ),
    "baseline": LazyCommand(
        "scanner.cli.config_commands",
        "baseline",
        "Accept today's failures so that only new ones block.",
    ),
    "config": LazyCommand(
        "scanner.cli.config_commands",
        "config",
        "The effective configuration (.comply.yaml and defaults).",
    ),
    "aws": LazyCommand("scanner.cli.aws_commands", "aws_group", "Live AWS helpers."),
    "drift": LazyCommand(
        "scanner.cli.drift_command",
        "drift",
        "Report drift between Terraform state and live AWS, unmanaged and deleted resources.",
    ),
    "evidence": LazyCommand(
        "scanner.cli.evidence_commands",
        "evidence",
        "Auditor evidence bundles: export one per framework, verify one you received.",
    ),
    "engines": LazyCommand(
        "scanner.cli.engines_commands",
        "engines",
        "Second engines (checkov): install in their own environment, list versions.",
    ),
    "history": LazyCommand(
        "scanner.cli.history_commands",
        "history",
        "The scan history: stored runs, what changed between them, timelines.",
    ),
}


class RootGroup(ComplyGroup, LazyGroup):
    lazy_commands = COMMANDS


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from scanner import __version__

    click.echo(f"comply, version {__version__}")
    ctx.exit()


@click.group("comply", cls=RootGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and exit.",
)
def cli() -> None:
    """comply: HIPAA and SOC 2 compliance checks for Terraform, Kubernetes and AWS."""


def main() -> None:
    from scanner.cli.interruption import EXIT_SIGTERM, Terminated, raise_on_sigterm

    raise_on_sigterm()  # so that `with` blocks unwind: temporary files go, old outputs stay
    try:
        cli.main(prog_name="comply")
    except KeyboardInterrupt:
        click.echo("comply: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except Terminated:
        click.echo("comply: terminated", err=True)
        sys.exit(EXIT_SIGTERM)
    except Exception as exc:
        # The last line of defence: a user must never see a traceback (set COMPLY_DEBUG to).
        if os.environ.get("COMPLY_DEBUG"):
            raise
        click.echo(f"comply: internal error: {type(exc).__name__}: {exc}", err=True)
        click.echo("comply: rerun with COMPLY_DEBUG=1 and report the traceback", err=True)
        sys.exit(EXIT_INCOMPLETE)
