"""Parse `-o FORMAT[=PATH]` options into where each report goes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPORT_FORMATS = ("console", "json", "sarif", "junit", "markdown", "github", "gitlab")


class OutputTargetError(Exception):
    pass


@dataclass(frozen=True)
class OutputTarget:
    format: str
    path: Path | None  # None: standard output


def parse_output_targets(values: Sequence[str]) -> list[OutputTarget]:
    targets = []
    for value in values or ["console"]:
        name, _, path = value.partition("=")
        name = name.strip().lower()
        if name not in REPORT_FORMATS:
            raise OutputTargetError(
                f"-o {value}: unknown format {name!r}; choose from {', '.join(REPORT_FORMATS)}"
            )
        if "=" in value and not path:
            raise OutputTargetError(f"-o {value}: empty path after '='")
        targets.append(OutputTarget(name, Path(path) if path else None))
    to_stdout = [t.format for t in targets if t.path is None]
    if len(to_stdout) > 1:
        # Two documents interleaved on stdout would be unreadable by either consumer.
        raise OutputTargetError(
            f"only one report can go to standard output, got {', '.join(to_stdout)}; "
            "give the others a path (-o json=findings.json)"
        )
    return targets
