"""CloudWatch Logs JSON filter patterns, evaluated on sample CloudTrail events.

A metric filter "covers" a CIS topic when its pattern matches every sample event of the topic
(policies/aws/cloudwatch_alarms.py): a semantic test, so whitespace, quoting, the order of the
alternatives, extra parentheses, extra `||` alternatives and an added `$.eventSource` condition do
not matter, while an extra `&&` condition that excludes one of the CIS events does.

Supported syntax (what the CIS patterns and their common variants use): `{ ... }` around
conditions `$.field.path OP value` joined by `&&` / `||` with parentheses; OP is `=` or `!=`
(string values, quoted or not, `*` as a wildcard), or `NOT EXISTS`, `IS NULL`, `EXISTS`. Numeric
comparisons and other pattern kinds (space-delimited, plain terms) raise PatternError: the caller
treats the filter as unreadable, never as matching.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Mapping
from typing import Any

Event = Mapping[str, Any]
Matcher = Callable[[Event], bool]

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<open>\() | (?P<close>\)) | (?P<and>&&) | (?P<or>\|\|)
      | (?P<field>\$\.[A-Za-z0-9_.\-\[\]]+)\s*
        (?:(?P<unary>NOT\s+EXISTS|IS\s+NULL|EXISTS)
          |(?P<op>!=|=)\s*(?:"(?P<quoted>(?:[^"\\]|\\.)*)"|(?P<bare>[^\s()&|"]+)))
    )""",
    re.VERBOSE,
)


class PatternError(ValueError):
    """A pattern this evaluator does not read."""


def compile_pattern(pattern: str) -> Matcher:
    text = pattern.strip()
    if not (text.startswith("{") and text.endswith("}")):
        raise PatternError("not a JSON filter pattern ({ ... })")
    tokens = _tokenize(text[1:-1])
    matcher, position = _expression(tokens, 0)
    if position != len(tokens):
        raise PatternError(f"unexpected {tokens[position][0]!r}")
    return matcher


def _tokenize(text: str) -> list[tuple[str, Any]]:
    tokens: list[tuple[str, Any]] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise PatternError(f"cannot read {text[position : position + 30]!r}")
        position = match.end()
        kind = next(k for k in ("open", "close", "and", "or", "field") if match.group(k))
        if kind != "field":
            tokens.append((kind, None))
            continue
        path = match.group("field")[2:]
        if match.group("unary"):
            tokens.append(("clause", _unary(path, " ".join(match.group("unary").split()))))
        else:
            value = match.group("quoted")
            value = value.replace('\\"', '"') if value is not None else match.group("bare")
            tokens.append(("clause", _comparison(path, match.group("op"), value)))
    return tokens


def _lookup(event: Event, path: str) -> tuple[bool, Any]:
    node: Any = event
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return False, None
        node = node[part]
    return True, node


def _unary(path: str, operator: str) -> Matcher:
    def matches(event: Event) -> bool:
        present, value = _lookup(event, path)
        if operator == "EXISTS":
            return present
        if operator == "NOT EXISTS":
            return not present
        return present and value is None  # IS NULL

    return matches


def _comparison(path: str, operator: str, expected: str) -> Matcher:
    def matches(event: Event) -> bool:
        present, value = _lookup(event, path)
        if not present or value is None or isinstance(value, Mapping | list):
            return False  # CloudWatch compares only values that are there
        text = str(value).lower() if isinstance(value, bool) else str(value)
        equal = fnmatch.fnmatchcase(text, expected) if "*" in expected else text == expected
        return equal if operator == "=" else not equal

    return matches


def _expression(tokens: list[tuple[str, Any]], position: int) -> tuple[Matcher, int]:
    """expression := term (('&&' | '||') term)*, `&&` binding tighter than `||`."""
    alternatives: list[list[Matcher]] = [[]]
    term, position = _term(tokens, position)
    alternatives[-1].append(term)
    while position < len(tokens) and tokens[position][0] in ("and", "or"):
        if tokens[position][0] == "or":
            alternatives.append([])
        term, position = _term(tokens, position + 1)
        alternatives[-1].append(term)

    def matches(event: Event) -> bool:
        return any(all(t(event) for t in group) for group in alternatives)

    return matches, position


def _term(tokens: list[tuple[str, Any]], position: int) -> tuple[Matcher, int]:
    if position >= len(tokens):
        raise PatternError("the pattern ends early")
    kind, value = tokens[position]
    if kind == "clause":
        matcher: Matcher = value
        return matcher, position + 1
    if kind == "open":
        inner, position = _expression(tokens, position + 1)
        if position >= len(tokens) or tokens[position][0] != "close":
            raise PatternError("unbalanced parentheses")
        return inner, position + 1
    raise PatternError(f"unexpected {kind!r}")
