"""The bundle's pages (index, per-control, risk acceptances, change management) from Jinja2.

User templates come first, the bundled ones behind them; HTML is autoescaped, Markdown escaped by
the `md` filter. Every page is scrubbed of credential-looking values before it becomes bytes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    select_autoescape,
)

from scanner.core.paths import evidence_templates_dir
from scanner.evidence.errors import EvidenceError
from scanner.evidence.model import BundleModel
from scanner.evidence.text_safety import scrub

TEMPLATE_PAGES = (
    "index.html.j2",
    "index.md.j2",
    "control.html.j2",
    "control.md.j2",
    "risk-acceptances.html.j2",
    "risk-acceptances.md.j2",
    "change-management.html.j2",
    "change-management.md.j2",
)


# ---------------------------------------------------------------------------------------------
# Filters


def markdown_cell(value: Any) -> str:
    """Text safe inside a Markdown table cell or paragraph: no HTML, no table breaks."""
    text = "" if value is None else str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = re.sub(r"([\\`*\[\]|#])", r"\\\1", text)
    # `_` only emphasises at a word boundary; escaping it inside ids would make them unreadable.
    text = re.sub(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])", r"\\_", text)
    return " ".join(text.split())


def describe_location(location: Mapping[str, Any] | None) -> str:
    """`compute.tf:3-11`, or `account 123456789012, us-east-1` for live resources."""
    location = location or {}
    parts = []
    if location.get("file"):
        text = str(location["file"])
        start, end = location.get("start_line"), location.get("end_line")
        if start:
            text += f":{start}" + (f"-{end}" if end and end != start else "")
        parts.append(text)
    if location.get("account"):
        parts.append(f"account {location['account']}")
    if location.get("region"):
        parts.append(str(location["region"]))
    return ", ".join(parts)


# ---------------------------------------------------------------------------------------------
# Templates


def template_environment(user_dir: Path | None) -> Environment:
    """User templates first, the bundled ones behind them; HTML autoescaped, Markdown not."""
    loaders = [FileSystemLoader(str(user_dir))] if user_dir is not None else []
    loaders.append(FileSystemLoader(str(evidence_templates_dir())))
    environment = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(enabled_extensions=("html.j2", "html"), default=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["md"] = markdown_cell
    environment.filters["location"] = describe_location
    environment.filters["pretty_json"] = lambda value: json.dumps(
        value, indent=2, sort_keys=True, ensure_ascii=False, default=str
    )
    return environment


def _render(environment: Environment, name: str, **context: Any) -> bytes:
    try:
        text = environment.get_template(name).render(**context)
    except TemplateError as exc:
        where = getattr(exc, "filename", None) or name
        line = getattr(exc, "lineno", None) or _template_line(exc)
        raise EvidenceError(
            f"template {where}{f' line {line}' if line else ''}: {exc.message or exc}"
        ) from exc
    return scrub(text).encode("utf-8")


def render_template(environment: Environment, name: str, **context: Any) -> bytes:
    """A page rendered from `name`, scrubbed; template errors become EvidenceError."""
    return _render(environment, name, **context)


def _template_line(exc: BaseException) -> int | None:
    """The template line a render-time error (an undefined variable) happened on: Jinja2 rewrites
    the traceback so that the template's own frames carry its file name and line."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".j2", ".html", ".md", ".jinja")) or "<template>" in filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _link(from_path: str, to_path: str) -> str:
    """A relative link from one bundle file to another."""
    depth = from_path.count("/")
    return "../" * depth + to_path


def render_pages(model: BundleModel, environment: Environment) -> dict[str, bytes]:
    common = {"model": model, "status_order": list(model.control_summary)}
    files = {
        "index.html": _render(
            environment, "index.html.j2", root="", link=lambda p: _link("index.html", p), **common
        ),
        "index.md": _render(
            environment, "index.md.j2", root="", link=lambda p: _link("index.md", p), **common
        ),
    }
    for suffix in ("html", "md"):
        name = f"risk-acceptances.{suffix}"
        files[name] = _render(
            environment,
            f"risk-acceptances.{suffix}.j2",
            root="",
            link=lambda p, n=name: _link(n, p),
            **common,
        )
    change = model.change_management
    if change is not None:
        for path in (change.html_path, change.md_path):
            files[path] = _render(environment, f"{path}.j2", root="", link=_linker(path), **common)
    for control in model.controls:
        for path, template in (
            (control.html_path, "control.html.j2"),
            (control.md_path, "control.md.j2"),
        ):
            files[path] = _render(
                environment,
                template,
                root="../../",
                control=control,
                link=_linker(path),
                **common,
            )
    return files


def _linker(from_path: str) -> Callable[[str], str]:
    return lambda to_path: _link(from_path, to_path)
