"""python-hcl2's parser with a transformer that keeps expression text faithful.

python-hcl2 7.3.1 turns every non-literal expression back into text for us to evaluate, but its
transformer loses information when one value sits inside another expression: the quotes of the
strings of a list inside a call (`contains(["a", "b"], x)` became `contains([a, b], x)`), string
templates inside lists (`concat(["${var.a}/*"], ...)` became `[${var.a}/*]`), `null` inside a list
(`None`), an object inside a conditional (Python's repr), heredocs inside calls (unescaped quotes)
and the `...` that expands a call's last argument. The top-level values it returns are right.

This subclass fixes exactly those places: every list, object and heredoc remembers the HCL text
it was written as (`hcl`), and wherever python-hcl2 renders a value back into expression text we
use that text. The grammar and the parser are python-hcl2's own (decision in docs/decisions.md:
python-hcl2 8 is faithful too but parses this corpus 2x slower and has another output format).
"""

from __future__ import annotations

import re
from typing import Any

from hcl2.parser import parser as hcl2_parser
from hcl2.transformer import DictTransformer
from lark import Token
from lark.tree import Meta
from lark.visitors import Discard, v_args

from scanner.sources.terraform.hcl_text import unescape_template


class HclList(list[Any]):
    """A list value that also knows its HCL text."""

    __slots__ = ("hcl",)
    hcl: str


class HclDict(dict[str, Any]):
    """An object value that also knows its HCL text."""

    __slots__ = ("hcl",)
    hcl: str


class Heredoc(str):
    """A heredoc's content (a template); `hcl` is the heredoc as written, for inline use."""

    hcl: str


_HEREDOC = re.compile(r"<<(-?)([a-zA-Z][a-zA-Z0-9._-]*)\n?([\s\S]*?)\n?[ \t]*\2\n?$")
_TRAILING_ELLIPSIS = re.compile(r"\.\.\.\s*,?\s*\)\s*$")
_INTERPOLATED_KEY = re.compile(r"\$\{")


class FaithfulTransformer(DictTransformer):
    """DictTransformer whose inline expression text is valid HCL for what was written."""

    def __init__(self, text: str, with_meta: bool = True) -> None:
        super().__init__(with_meta=with_meta)
        self.text = text

    # -- rendering values back into expression text ---------------------------------------------
    def to_tf_inline(self, value: Any) -> str:
        if isinstance(value, HclList | HclDict | Heredoc):
            return value.hcl
        if value is None:
            return "null"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str):
            return value
        if isinstance(value, int | float):
            return repr(value)
        if isinstance(value, list):
            return "[" + ", ".join(self.to_tf_inline(v) for v in value) + "]"
        if isinstance(value, dict):
            items = (f"{_quote(k)} = {self.to_tf_inline(v)}" for k, v in value.items())
            return "{" + ", ".join(items) + "}"
        return str(value)

    def to_string_dollar(self, value: Any) -> Any:
        if isinstance(value, Heredoc):
            return str(value)
        return super().to_string_dollar(value)

    def process_escape_sequences(self, value: str) -> str:
        # One pass, outside interpolations (python-hcl2 replaced `\\n` before `\\\\` everywhere).
        return unescape_template(value) if isinstance(value, str) else value

    # -- literals --------------------------------------------------------------------------------
    def float_lit(self, args: list[Any]) -> float:
        return float("".join(self.to_tf_inline(arg) for arg in args))

    def heredoc_template(self, args: list[Any]) -> Heredoc:
        return _heredoc(str(args[0]))

    def heredoc_template_trim(self, args: list[Any]) -> Heredoc:
        return _heredoc(str(args[0]))

    # -- collections -----------------------------------------------------------------------------
    def tuple(self, args: list[Any]) -> HclList:
        items = self.strip_new_line_tokens(args)
        result = HclList(self.to_string_dollar(item) for item in items)
        result.hcl = "[" + ", ".join(self.to_tf_inline(item) for item in items) + "]"
        return result

    def object_elem(self, args: list[Any]) -> Any:
        key_node = args[0].children[0]
        key = key_node if isinstance(key_node, int | float) else str(key_node)
        if isinstance(key, str):
            if key.startswith("${(") and key.endswith(")}"):  # `(expr) = value`
                key_text = key[2:-1]
            else:
                key_text = key
                key = self.strip_quotes(key)
        else:
            key_text = repr(key)
            key = str(key)
        value = args[2]
        return (key, self.to_string_dollar(value), f"{key_text} = {self.to_tf_inline(value)}")

    def object(self, args: list[Any]) -> HclDict:
        result = HclDict()
        texts = []
        for arg in self.strip_new_line_tokens(args):
            if isinstance(arg, Token) and arg.type == "COMMA":
                continue
            key, value, text = arg
            result[key] = value
            texts.append(text)
        result.hcl = "{" + ", ".join(texts) + "}"
        return result

    # -- expressions that embed other values ---------------------------------------------------
    @v_args(meta=True)
    def function_call(self, meta: Meta, args: list[Any]) -> str:
        args = self.strip_new_line_tokens(args)
        return self._call(str(args[0]), args[1] if len(args) > 1 else [], meta)

    @v_args(meta=True)
    def provider_function_call(self, meta: Meta, args: list[Any]) -> str:
        args = self.strip_new_line_tokens(args)
        name = "::".join([str(args[0]), str(args[2]), str(args[4])])
        return self._call(name, args[5] if len(args) > 5 else [], meta)

    def _call(self, name: str, arguments: list[Any], meta: Meta) -> str:
        rendered = ", ".join(self.to_tf_inline(a) for a in arguments if a is not Discard)
        # python-hcl2's grammar drops the anonymous `...` token: read it back from the source.
        source = self.text[meta.start_pos : meta.end_pos] if not meta.empty else ""
        if arguments and _TRAILING_ELLIPSIS.search(source):
            rendered += "..."
        return f"{name}({rendered})"

    def conditional(self, args: list[Any]) -> str:
        args = self.strip_new_line_tokens(args)
        condition, then, other = (self.to_tf_inline(a) for a in args)
        return f"{condition} ? {then} : {other}"

    def expr_term(self, args: list[Any]) -> Any:
        stripped = self.strip_new_line_tokens(args)
        if stripped and stripped[0] == "(" and stripped[-1] == ")":
            return "(" + self.to_tf_inline(stripped[1]) + ")"
        return super().expr_term(args)

    # `[...][0]`, `{...}.a`, `[...][*].id`: the collection before the operator is a value too.
    def index_expr_term(self, args: list[Any]) -> str:
        args = self.strip_new_line_tokens(args)
        return f"{self.to_tf_inline(args[0])}{args[1]}"

    def get_attr_expr_term(self, args: list[Any]) -> str:
        return f"{self.to_tf_inline(args[0])}{args[1]}"

    def attr_splat_expr_term(self, args: list[Any]) -> str:
        return f"{self.to_tf_inline(args[0])}{args[1]}"

    def full_splat_expr_term(self, args: list[Any]) -> str:
        return f"{self.to_tf_inline(args[0])}{args[1]}"

    def index(self, args: list[Any]) -> str:
        args = self.strip_new_line_tokens(args)
        return f"[{self.to_tf_inline(args[0])}]"

    def interpolation(self, args: list[Any]) -> str:
        return '"${' + self.to_tf_inline(args[0]) + '}"'


def _quote(key: str) -> str:
    escaped = key.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _heredoc(token: str) -> Heredoc:
    """A heredoc's template text (python-hcl2's trimming rules) that also knows its source."""
    match = _HEREDOC.match(token)
    if match is None:
        raise ValueError(f"invalid heredoc: {token[:40]!r}")
    trim, _marker, body = match.groups()
    body = body.rstrip("\n\t ")
    if trim:
        lines = body.split("\n")
        indents = [len(line) - len(line.lstrip(" ")) for line in lines if line.strip()]
        margin = min(indents) if indents else 0
        body = "\n".join(line[margin:] for line in lines)
    result = Heredoc(body)
    result.hcl = token if token.endswith("\n") else token + "\n"
    return result


def loads(text: str) -> dict[str, Any]:
    """Parse HCL text (with line numbers) into python-hcl2's structure, faithfully."""
    # python-hcl2's own workaround: the grammar needs a final newline.
    tree = hcl2_parser().parse(text + "\n")
    result: dict[str, Any] = FaithfulTransformer(text + "\n").transform(tree)
    return result
