"""A click group whose commands are imported when they run, not when `comply` starts.

`comply --help` lists every command; importing them all would load jinja2, PyYAML, the evidence
builder and the compliance catalog just to print a list. Each command is named here with its
module and one-line help (a test keeps these lines equal to the commands' own).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

import click


@dataclass(frozen=True)
class LazyCommand:
    module: str
    attribute: str
    short_help: str


class LazyGroup(click.Group):
    lazy_commands: dict[str, LazyCommand] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None or cmd_name not in self.lazy_commands:
            return command
        lazy = self.lazy_commands[cmd_name]
        loaded = getattr(import_module(lazy.module), lazy.attribute)
        if not isinstance(loaded, click.Command):
            raise TypeError(f"{lazy.module}.{lazy.attribute} is not a click command")
        return loaded

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from the stored help lines, without importing any command."""
        rows = []
        for name in self.list_commands(ctx):
            lazy = self.lazy_commands.get(name)
            if lazy is not None:
                rows.append((name, lazy.short_help))
                continue
            command = super().get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(formatter.width)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)
