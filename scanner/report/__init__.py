"""Report formats: each module turns a ScanReport into text; the CLI decides where it goes.

Every renderer is a pure function `render(report, *, color=False) -> str` with no I/O, so that
the same report can be written to several destinations and tested byte for byte. (The console
only looks whether an error's target is a file of the scanned tree, to print its repository path.)

`render` and `write` are the choke point between a scan and anything written: each renders the
redacted copy of the report (`scanner.compliance.report_redaction`), so no format can print a
secret the inputs held, and strips terminal control characters from text formats.
"""

from __future__ import annotations

from typing import Protocol, TextIO

from scanner.compliance.report_redaction import redacted_report
from scanner.compliance.results import ScanReport
from scanner.core.control_chars import json_escape_controls
from scanner.report import console, github, gitlab, json_report, junit, markdown, sarif


class Renderer(Protocol):
    def __call__(self, report: ScanReport, *, color: bool = False) -> str: ...


FORMATS: dict[str, Renderer] = {
    "console": console.render,
    "json": json_report.render,
    "sarif": sarif.render,
    "junit": junit.render,
    "markdown": markdown.render,
    "github": github.render,
    "gitlab": gitlab.render,
}


class UnknownFormatError(ValueError):
    """The format name is not one of FORMATS."""


JSON_FORMATS = frozenset({"json", "sarif", "gitlab"})


class _JsonControlEscaper:
    """A text handle that escapes, in the JSON written through it, what JSON leaves raw."""

    def __init__(self, handle: TextIO) -> None:
        self.handle = handle

    def write(self, text: str) -> int:
        return self.handle.write(json_escape_controls(text))


def render(
    format_name: str, report: ScanReport, *, color: bool = False, width: int | None = None
) -> str:
    """Render `report` in `format_name`; `color` and `width` (columns; None: never wrap) only
    matter to the console format."""
    if format_name == "console":
        return console.render(redacted_report(report), color=color, width=width)
    try:
        renderer = FORMATS[format_name]
    except KeyError:
        raise UnknownFormatError(
            f"unknown report format {format_name!r}; choose from {', '.join(FORMATS)}"
        ) from None
    text = renderer(redacted_report(report), color=color)
    return json_escape_controls(text) if format_name in JSON_FORMATS else text


def write(
    format_name: str,
    report: ScanReport,
    handle: TextIO,
    *,
    color: bool = False,
    width: int | None = None,
) -> None:
    """Write `report` to an open text file; JSON streams instead of building one string."""
    if format_name == "json":
        json_report.write(redacted_report(report), _JsonControlEscaper(handle))  # type: ignore[arg-type]
    else:
        handle.write(render(format_name, report, color=color, width=width))


__all__ = ["FORMATS", "Renderer", "UnknownFormatError", "render", "write"]
