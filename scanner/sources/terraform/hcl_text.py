"""The text level of HCL: quoted strings, heredocs, `${...}` spans and escapes.

Shared by the expression tokenizer (syntax.py) and our python-hcl2 transformer; pure string
scanning, no evaluation.
"""

from __future__ import annotations

import re


class HclSyntaxError(ValueError):
    """The expression text is not something this parser understands."""


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def skip_string(text: str, i: int) -> int:
    """`text[i]` is an opening quote; return the index just after the matching closing quote."""
    i += 1
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == '"':
            return i + 1
        if text.startswith("${", i) or text.startswith("%{", i):
            i = skip_braces(text, i + 1)
            continue
        i += 1
    raise HclSyntaxError("unterminated string")


_HEREDOC_START = re.compile(r"<<(-?)([A-Za-z][A-Za-z0-9._-]*)[ \t]*\n")


def heredoc_at(text: str, i: int) -> tuple[str, int] | None:
    """A heredoc starting at `text[i]`: (its template text, the index just after it), or None."""
    start = _HEREDOC_START.match(text, i)
    if start is None:
        return None
    trim, marker = start.groups()
    end = re.compile(r"^[ \t]*" + re.escape(marker) + r"[ \t]*$", re.M).search(text, start.end())
    if end is None:
        raise HclSyntaxError(f"unterminated heredoc <<{marker}")
    body = text[start.end() : end.start()].rstrip("\n")
    if trim:
        lines = body.split("\n")
        indents = [len(line) - len(line.lstrip(" ")) for line in lines if line.strip()]
        margin = min(indents) if indents else 0
        body = "\n".join(line[margin:] for line in lines)
    return body, end.end()


def skip_braces(text: str, i: int) -> int:
    """`text[i]` is `{`; return the index just after its matching `}` (strings aware)."""
    depth = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            i = skip_string(text, i)
            continue
        if ch == "<" and text.startswith("<<", i):
            heredoc = heredoc_at(text, i)
            if heredoc is not None:
                i = heredoc[1]
                continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise HclSyntaxError("unbalanced braces")


def unescape(text: str) -> str:
    """Resolve HCL's backslash escapes (`\\n`, `\\"`, `\\uNNNN`...) in one pass."""
    if "\\" not in text:
        return text
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt == "u" and i + 6 <= len(text):
                try:
                    out.append(chr(int(text[i + 2 : i + 6], 16)))
                except ValueError:
                    out.append(text[i : i + 6])
                i += 6
                continue
            out.append(_ESCAPES.get(nxt, "\\" + nxt))
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def unescape_template(text: str) -> str:
    """Resolve escapes in a quoted template's literal parts; `${...}` parts stay as written
    (their own string literals are unescaped when they are parsed)."""
    if "\\" not in text:
        return text
    out: list[str] = []
    i = 0
    start = 0
    while True:
        i = text.find("${", i)
        if i < 0:
            break
        if i > 0 and text[i - 1] == "$":  # `$${` is a literal `${`
            i += 2
            continue
        try:
            end = skip_braces(text, i + 1)
        except HclSyntaxError:
            break
        out.append(unescape(text[start:i]))
        out.append(text[i:end])
        start = i = end
    out.append(unescape(text[start:]))
    return "".join(out)
