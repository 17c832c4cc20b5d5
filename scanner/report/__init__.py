"""Report formats: each module turns a ScanReport into text; the CLI decides where it goes.

Every renderer is a pure function `render(report, *, color=False) -> str` with no I/O, so that
the same report can be written to several destinations and tested byte for byte. (The console
only looks whether an error's target is a file of the scanned tree, to print its repository path.)

`render` and `write` are the choke point between a scan and anything written: each renders the
redacted copy of the report (`scanner.compliance.report_redaction`), so no format can print a
secret the inputs held, and strips terminal control characters from text formats.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from typing import Protocol, TextIO

from scanner.compliance.report_redaction import redacted_report
from scanner.compliance.results import ScanReport
from scanner.core.control_chars import json_escape_controls


class Renderer(Protocol):
    def __call__(self, report: ScanReport, *, color: bool = False) -> str: ...


class _Renderers(Mapping[str, Renderer]):
    """Format name -> renderer, each module imported when its format is first asked for: a scan
    that writes JSON does not pay for the console's terminal library."""

    _MODULES = {
        "console": "scanner.report.console",
        "json": "scanner.report.json_report",
        "sarif": "scanner.report.sarif",
        "junit": "scanner.report.junit",
        "markdown": "scanner.report.markdown",
        "github": "scanner.report.github",
        "gitlab": "scanner.report.gitlab",
    }

    def __getitem__(self, name: str) -> Renderer:
        renderer: Renderer = importlib.import_module(self._MODULES[name]).render
        return renderer

    def __iter__(self) -> Iterator[str]:
        return iter(self._MODULES)

    def __len__(self) -> int:
        return len(self._MODULES)


FORMATS: Mapping[str, Renderer] = _Renderers()


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
        from scanner.report import console

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
        from scanner.report import json_report

        json_report.write(redacted_report(report), _JsonControlEscaper(handle))  # type: ignore[arg-type]
    else:
        handle.write(render(format_name, report, color=color, width=width))


__all__ = ["FORMATS", "Renderer", "UnknownFormatError", "render", "write"]
