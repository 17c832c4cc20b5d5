"""docs/getting-started.md shows the console at 80 and 200 columns: that output is real, and
this test regenerates it and compares line by line. `COMPLY_UPDATE_DOCS=1` rewrites the page
instead (after a deliberate change to the console or the examples; review the diff)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT

PAGE = REPO_ROOT / "docs" / "getting-started.md"


def shown(width: int) -> tuple[list[str], str]:
    text = PAGE.read_text(encoding="utf-8")
    block = re.search(rf"<!-- console-{width} -->\n```console\n(.*?)```", text, re.S)
    assert block is not None, f"no console-{width} block in {PAGE.name}"
    lines = block.group(1).splitlines(keepends=True)
    command = ""
    while lines and (lines[0].startswith("$ ") or command.endswith("\\")):
        command = (command.rstrip("\\") + " " + lines.pop(0).strip().removeprefix("$ ")).strip()
    words = shlex.split(command)
    assert words[:2] == [f"COLUMNS={width}", "comply"]
    return words[2:], "".join(lines)


@pytest.mark.skipif(
    not (REPO_ROOT / ".git").exists(), reason="ids carry the repository folder only in a clone"
)
@pytest.mark.parametrize("width", [80, 200])
def test_console_output_in_getting_started_is_what_comply_prints(width: int) -> None:
    arguments, expected = shown(width)
    result = subprocess.run(
        [sys.executable, "-m", "scanner", *arguments],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": str(width)},
        timeout=300,
    )
    assert result.returncode == 1, result.stderr
    if os.environ.get("COMPLY_UPDATE_DOCS") == "1":  # deliberate: regenerate, then review the diff
        PAGE.write_text(PAGE.read_text(encoding="utf-8").replace(expected, result.stdout, 1))
        return
    assert result.stdout == expected, (
        "stale: COMPLY_UPDATE_DOCS=1 pytest tests/test_docs_console.py"
    )
    assert max(len(line) for line in expected.splitlines()) <= width
