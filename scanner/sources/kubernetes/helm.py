"""Helm: unrendered templates (skipped, not parsed) and `# Source:` comments.

A file under a chart's `templates/` folder that holds `{{ }}`, or any file whose YAML only breaks
because of `{{ }}`, is skipped once with "render first"; the `# Source:` comments of
`helm template` output name the chart file each object came from.
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache
from pathlib import Path

RENDER_FIRST = "a template, not a manifest: render it first"

_SOURCE = re.compile(r"^#\s*Source:\s*(\S.*?)\s*$")
_TEMPLATE = re.compile(r"\{\{.*?\}\}", re.DOTALL)
CHART_FILES = ("Chart.yaml", "Chart.yml")


def has_template_syntax(text: str) -> bool:
    return "{{" in text and _TEMPLATE.search(text) is not None


def first_template_line(text: str) -> int | None:
    match = _TEMPLATE.search(text)
    return None if match is None else text.count("\n", 0, match.start()) + 1


def render_first_message(text: str) -> str:
    """Why a template is skipped: what to do, and where the first `{{` is."""
    line = first_template_line(text)
    where = f" (`{{{{ }}}}` on line {line})" if line is not None else ""
    return f"{RENDER_FIRST}{where}, e.g. `helm template <chart> | comply scan kubernetes -`"


def in_chart_templates(path: Path) -> bool:
    """True for a file under a chart's `templates/` folder (a folder next to a Chart.yaml)."""
    return _in_chart_templates(path.parent)


@lru_cache(maxsize=4096)
def _in_chart_templates(directory: Path) -> bool:
    for folder in (directory, *directory.parents):
        if folder.name == "templates" and any(
            (folder.parent / name).is_file() for name in CHART_FILES
        ):
            return True
    return False


class SourceComments:
    """The `# Source: chart/templates/x.yaml` lines `helm template` writes before each object."""

    def __init__(self, lines: list[str]) -> None:
        self._lines: list[int] = []
        self._sources: list[str] = []
        for number, line in enumerate(lines, 1):
            if line.startswith("#") and "Source:" in line:
                match = _SOURCE.match(line)
                if match:
                    self._lines.append(number)
                    self._sources.append(match.group(1))

    def __bool__(self) -> bool:
        return bool(self._lines)

    def source_for(self, start_line: int, after_line: int) -> str | None:
        """The last `# Source:` comment above `start_line` and below `after_line`, if any."""
        index = bisect.bisect_left(self._lines, start_line) - 1
        if index >= 0 and self._lines[index] > after_line:
            return self._sources[index]
        return None
