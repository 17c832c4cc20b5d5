"""Inline suppressions: `# comply:skip=<check_id> <reason>` (or `//`) inside a block."""

from __future__ import annotations

import re

from scanner.core.model import Skip

_SKIP = re.compile(r"(?:#|//)\s*comply:skip=([A-Za-z0-9_.:-]+)[ \t]*(.*?)\s*(?:\*/)?\s*$")


class SkipFinder:
    """Finds skip comments in a file's lines; splits a file into lines only if it has any."""

    def __init__(self) -> None:
        self._texts: dict[str, str] = {}
        self._lines: dict[str, list[str]] = {}

    def add_file(self, rel: str, text: str) -> None:
        if "comply:skip" in text:
            self._texts[rel] = text

    def find(self, rel: str, start_line: int, end_line: int) -> list[Skip]:
        text = self._texts.get(rel)
        if text is None or start_line <= 0:
            return []
        lines = self._lines.get(rel)
        if lines is None:
            lines = self._lines[rel] = text.splitlines()
        skips: list[Skip] = []
        for number in range(start_line, min(end_line, len(lines)) + 1):
            line = lines[number - 1]
            if "comply:skip" not in line:
                continue
            match = _SKIP.search(line)
            if match:
                skips.append(Skip(match.group(1), match.group(2), rel, number))
        return skips
