"""Every `comply ...` line in the docs names a real command and real options.

The pages show many commands that need a repository, an account or files this test does not
have; the README's block and the writing-checks example run for real elsewhere. Here each line
is resolved against the click command tree, so a renamed command or option, or one that never
existed, fails with the page and the line.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest

from scanner.cli.main import cli
from tests.conftest import REPO_ROOT

PAGES = sorted([REPO_ROOT / "README.md", *(REPO_ROOT / "docs").glob("*.md")])
SHELL_BLOCK = re.compile(r"```(?:sh|console|bash)\n(.*?)```", re.S)


def command_lines(page: Path) -> list[str]:
    lines = []
    for block in SHELL_BLOCK.findall(page.read_text(encoding="utf-8")):
        joined = block.replace("\\\n", " ")
        for line in joined.splitlines():
            line = line.strip().removeprefix("$ ")
            for part in re.split(r"\||&&|;", line):
                part = part.strip()
                if re.match(r"^([A-Z_]+=\S+\s+)*comply\s", part):
                    lines.append(part)
    return lines


def resolve(words: list[str]) -> tuple[click.Command, list[str]]:
    command: click.Command = cli
    rest = words
    context = click.Context(cli)
    while isinstance(command, click.Group) and rest and not rest[0].startswith("-"):
        sub = command.get_command(context, rest[0])
        if sub is None:
            raise AssertionError(f"no command {rest[0]!r}")
        command, rest = sub, rest[1:]
    return command, rest


def option_names(command: click.Command) -> set[str]:
    names = {"--help", "-h"}
    for parameter in command.params:
        if isinstance(parameter, click.Option):
            names.update(parameter.opts)
            names.update(parameter.secondary_opts)
    return names


CASES = [(page, line) for page in PAGES for line in command_lines(page)]


def test_the_docs_show_commands() -> None:
    assert len(CASES) > 40


def test_a_wrong_option_is_caught() -> None:
    command, _rest = resolve(["scan", "terraform", "infra/", "--var-files", "x"])
    assert command.name == "terraform"
    assert "--var-files" not in option_names(command) and "--var-file" in option_names(command)
    with pytest.raises(AssertionError, match="no command 'terraformm'"):
        resolve(["scan", "terraformm", "infra/"])


@pytest.mark.parametrize(
    ("page", "line"), CASES, ids=[f"{p.name}:{i}" for i, (p, _) in enumerate(CASES)]
)
def test_doc_command_uses_real_commands_and_options(page: Path, line: str) -> None:
    words = shlex.split(line, comments=True)
    while words and re.match(r"^[A-Z_]+=", words[0]):
        words = words[1:]
    words = [w for w in words if not w.startswith((">", "2>"))]
    assert words[0] == "comply", line
    command, rest = resolve(words[1:])
    known = option_names(command)
    for word in rest:
        if word.startswith("-") and word != "-" and not re.match(r"^-?\d", word):
            flag = word.split("=", 1)[0]
            assert flag in known, (
                f"{page.name}: {line!r}: {flag} is not an option of {command.name}"
            )
