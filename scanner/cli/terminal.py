"""How wide standard output is: the terminal's columns, or COLUMNS when set."""

from __future__ import annotations

import os
import shutil
import sys


def terminal_width() -> int | None:
    """The terminal's columns; COLUMNS when set (also when piped); None for logs and files,
    where lines are not wrapped."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return None
