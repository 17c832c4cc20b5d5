"""Template directives: `%{ if }`/`%{ else }`/`%{ endif }` and `%{ for }`/`%{ endfor }`, with the
`~` strip markers, built from the segments syntax.parse_template found.

Nodes (added to syntax.py's): ("tif", condition, then_template, else_template) and
("tfor", key_var | None, value_var, collection, body_template); a template holding a directive
is always a string ("tmpl"), whatever its parts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Node = tuple[Any, ...]
# ("text", str) | ("interp", expression text) | ("directive", text); with strip flags.
Segment = tuple[str, str, bool, bool]

_FOR = re.compile(r"for\s+([A-Za-z_][\w-]*)(?:\s*,\s*([A-Za-z_][\w-]*))?\s+in\s+(.+)$", re.S)


class TemplateError(ValueError):
    """A directive that does not nest or read as Terraform's."""


def build_template(segments: list[Segment], parse: Callable[[str], Node]) -> Node:
    """The template node for `segments` (strip markers applied first)."""
    cleaned = _apply_strip_markers(segments)
    parts, stop = _parse_parts(cleaned, 0, parse, ())
    if stop < len(cleaned):
        raise TemplateError(f"unexpected %{{{cleaned[stop][1]}}}")
    return ("tmpl", parts)


def _apply_strip_markers(segments: list[Segment]) -> list[Segment]:
    out = list(segments)
    for index, (kind, _text, strip_left, strip_right) in enumerate(out):
        if kind == "text":
            continue
        if strip_left and index > 0 and out[index - 1][0] == "text":
            previous = out[index - 1]
            out[index - 1] = ("text", previous[1].rstrip(), False, False)
        if strip_right and index + 1 < len(out) and out[index + 1][0] == "text":
            following = out[index + 1]
            out[index + 1] = ("text", following[1].lstrip(), False, False)
    return out


def _parse_parts(
    segments: list[Segment], start: int, parse: Callable[[str], Node], until: tuple[str, ...]
) -> tuple[list[Any], int]:
    """Parts up to (not including) a directive whose keyword is in `until`."""
    parts: list[Any] = []
    i = start
    while i < len(segments):
        kind, text, _, _ = segments[i]
        if kind == "text":
            if text:
                parts.append(text)
            i += 1
            continue
        if kind == "interp":
            parts.append(parse(text))
            i += 1
            continue
        keyword = text.split(None, 1)[0] if text.strip() else ""
        if keyword in until:
            return parts, i
        if keyword == "if":
            condition = parse(text[2:].strip())
            then_parts, i = _parse_parts(segments, i + 1, parse, ("else", "endif"))
            else_parts: list[Any] = []
            if i < len(segments) and segments[i][1].strip() == "else":
                else_parts, i = _parse_parts(segments, i + 1, parse, ("endif",))
            _expect(segments, i, "endif")
            parts.append(("tif", condition, ("tmpl", then_parts), ("tmpl", else_parts)))
            i += 1
            continue
        if keyword == "for":
            match = _FOR.match(text.strip())
            if match is None:
                raise TemplateError(f"cannot read %{{{text}}}")
            first, second, collection = match.groups()
            body, i = _parse_parts(segments, i + 1, parse, ("endfor",))
            _expect(segments, i, "endfor")
            key_var, value_var = (first, second) if second else (None, first)
            parts.append(("tfor", key_var, value_var, parse(collection), ("tmpl", body)))
            i += 1
            continue
        raise TemplateError(f"unexpected %{{{text}}}")
    return parts, i


def _expect(segments: list[Segment], i: int, keyword: str) -> None:
    if i >= len(segments) or segments[i][1].strip() != keyword:
        raise TemplateError(f"missing %{{{keyword}}}")
