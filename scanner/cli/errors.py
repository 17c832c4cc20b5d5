"""One error style for every command: `comply: error: ...`, never click's `Usage: ... Error:`.

The root group runs click in non-standalone mode and prints click's own usage errors (an unknown
option, a missing argument, a path that does not exist) the way comply prints its errors, with a
pointer to the command's help instead of the usage block.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import click

EXIT_USAGE = 2  # bad usage is a run that could not do what was asked (exit code contract)
EXIT_INTERRUPTED = 130


def print_error(message: str, hint: str | None = None) -> None:
    click.echo(f"comply: error: {message}", err=True)
    if hint:
        click.echo(f"comply: {hint}", err=True)


class ComplyGroup(click.Group):
    """The root group: click's exceptions become comply's one-line errors."""

    def main(  # type: ignore[override]
        self, args: Sequence[str] | None = None, prog_name: str | None = None, **extra: Any
    ) -> NoReturn:
        extra.pop("standalone_mode", None)
        try:
            code = super().main(args, prog_name, standalone_mode=False, **extra)
        except click.UsageError as exc:
            path = exc.ctx.command_path if exc.ctx is not None else "comply"
            print_error(_usage_message(exc), f"see `{path} --help`")
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            print_error(exc.format_message())
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("comply: interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)
        sys.exit(code if isinstance(code, int) else 0)


def _usage_message(exc: click.UsageError) -> str:
    message = exc.format_message()
    # click writes "No such command 'x'."; the full stop is dropped to read like comply's errors.
    return message[:-1] if message.endswith(".") else message
