"""`comply engines list|install`: second engines in their own environments (docs/engines.md)."""

from __future__ import annotations

import subprocess

import click

from scanner.cli.common import fail


@click.group()
def engines() -> None:
    """Second engines (checkov): install in their own environment, list versions."""


@engines.command("list")
def engines_list() -> None:
    """Each engine's state, version, the version comply pins, and where it is."""
    from scanner.engines.installs import PINNED, engine_state

    for name in PINNED:
        state = engine_state(name)
        version = state.version or "-"
        where = " ".join(part for part in (str(state.path or ""), state.problem) if part)
        click.echo(f"{name}\t{state.state}\tversion {version} (pinned {state.pinned})\t{where}")


@engines.command("install")
@click.argument("name", type=click.Choice(["checkov"]))
def engines_install(name: str) -> None:
    """Create NAME's virtual environment in comply's data folder and install the pinned version
    ($XDG_DATA_HOME/comply/engines/NAME; needs the package registry)."""
    from scanner.engines.installs import PINNED, install_command, installed_executable

    for command in install_command(name):
        click.echo(f"comply: running {' '.join(command)}", err=True)
        try:
            subprocess.run(command, check=True)  # a fixed argument list, no shell
        except (OSError, subprocess.CalledProcessError) as exc:
            fail(f"{name}: install failed: {exc}")
    click.echo(
        f"{name} {PINNED[name]} installed: {installed_executable(name)} "
        "(found there when not on PATH and COMPLY_CHECKOV is unset)"
    )
