"""Parse HCL expression text (what python-hcl2 7.3.1 leaves inside `${...}`) into a small AST.

python-hcl2 gives every non-literal expression back as text, so we need our own parser to evaluate
them. It is a plain recursive-descent/precedence parser: no eval/exec of user text, ever.

AST nodes are tuples (cheap to build, cache and compare):
  ("lit", value)                  ("tmpl", [str | node, ...])   ("name", identifier)
  ("attr", node, name)            ("index", node, key_node)     ("splat", node, [postfix ops])
  ("call", name, [args], expand)  ("cond", c, a, b)             ("bin", op, left, right)
  ("un", op, node)                ("tuple", [nodes])            ("object", [(key_node, value_node)])
  ("for", key_var, value_var, collection, key_expr | None, value_expr, cond | None, grouping)
  ("unsupported", description)    a construct we recognise but do not evaluate (e.g. %{ if })
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from scanner.sources.terraform.hcl_text import (
    HclSyntaxError,
    heredoc_at,
    skip_braces,
    skip_string,
    unescape,
)
from scanner.sources.terraform.templates import TemplateError, build_template

__all__ = [
    "HclSyntaxError",
    "Node",
    "compile_string",
    "needs_evaluation",
    "parse_expression",
    "parse_template",
]

Node = tuple[Any, ...]


_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<num>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_-]*)
  | (?P<op>==|!=|<=|>=|&&|\|\||=>|::|\.\.\.|[-+*/%<>!?:.,()\[\]{}=])
    """,
    re.VERBOSE,
)


def _tokenize(text: str) -> list[tuple[str, Any]]:
    tokens: list[tuple[str, Any]] = []
    i = 0
    n = len(text)
    while i < n:
        if text[i] == '"':
            end = skip_string(text, i)
            tokens.append(("str", text[i + 1 : end - 1]))
            i = end
            continue
        if text.startswith("<<", i):
            heredoc = heredoc_at(text, i)
            if heredoc is not None:
                tokens.append(("heredoc", heredoc[0]))
                i = heredoc[1]
                continue
        m = _TOKEN.match(text, i)
        if m is None:
            raise HclSyntaxError(f"unexpected character {text[i]!r}")
        kind = m.lastgroup
        value = m.group()
        i = m.end()
        if kind == "ws":
            continue
        if kind == "num":
            tokens.append(("num", float(value) if any(c in value for c in ".eE") else int(value)))
        else:
            tokens.append((kind or "op", value))
    tokens.append(("eof", None))
    return tokens


def parse_template(text: str, *, quoted: bool) -> Node:
    """Parse a string that may hold `${...}` interpolations and `%{...}` directives.

    `quoted` strings come from inside an expression and still carry HCL escapes; top-level strings
    were already unescaped by python-hcl2. A template that is exactly one `${expr}` is that
    expression (HCL keeps its type), so `"${var.count}"` stays a number.
    """
    segments: list[tuple[str, str, bool, bool]] = []
    literal: list[str] = []
    has_directive = False
    i = 0
    n = len(text)
    while i < n:
        if text.startswith("$${", i) or text.startswith("%%{", i):
            literal.append(text[i + 1 : i + 3])
            i += 3
            continue
        if text.startswith("${", i) or text.startswith("%{", i):
            end = skip_braces(text, i + 1)
            if literal:
                joined = "".join(literal)
                segments.append(("text", unescape(joined) if quoted else joined, False, False))
                literal = []
            inner = text[i + 2 : end - 1].strip()
            strip_left, strip_right = inner.startswith("~"), inner.endswith("~")
            inner = inner[1 if strip_left else 0 : len(inner) - 1 if strip_right else None].strip()
            kind = "interp" if text[i] == "$" else "directive"
            has_directive = has_directive or kind == "directive"
            segments.append((kind, inner, strip_left, strip_right))
            i = end
            continue
        literal.append(text[i])
        i += 1
    if literal:
        joined = "".join(literal)
        segments.append(("text", unescape(joined) if quoted else joined, False, False))
    if has_directive or any(s[2] or s[3] for s in segments):
        try:
            return build_template(segments, parse_expression)
        except TemplateError as exc:
            raise HclSyntaxError(str(exc)) from exc
    parts: list[Any] = [
        parse_expression(seg[1]) if seg[0] == "interp" else seg[1] for seg in segments if seg[1]
    ]
    if not parts:
        return ("lit", "")
    if len(parts) == 1:
        return ("lit", parts[0]) if isinstance(parts[0], str) else parts[0]
    return ("tmpl", parts)


_BINARY_PRECEDENCE = {
    "||": 1,
    "&&": 2,
    "==": 3,
    "!=": 3,
    "<": 4,
    ">": 4,
    "<=": 4,
    ">=": 4,
    "+": 5,
    "-": 5,
    "*": 6,
    "/": 6,
    "%": 6,
}


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.pos = 0

    def peek(self, offset: int = 0) -> tuple[str, Any]:
        return self.tokens[min(self.pos + offset, len(self.tokens) - 1)]

    def next(self) -> tuple[str, Any]:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def at(self, value: str) -> bool:
        kind, text = self.peek()
        return kind in ("op", "ident") and text == value

    def expect(self, value: str) -> None:
        kind, text = self.next()
        if text != value or kind not in ("op", "ident"):
            raise HclSyntaxError(f"expected {value!r}, found {text!r}")

    def parse(self) -> Node:
        node = self.expression()
        if self.peek()[0] != "eof":
            raise HclSyntaxError(f"unexpected {self.peek()[1]!r}")
        return node

    def expression(self) -> Node:
        cond = self.binary(1)
        if self.at("?"):
            self.next()
            then = self.expression()
            self.expect(":")
            other = self.expression()
            return ("cond", cond, then, other)
        return cond

    def binary(self, min_precedence: int) -> Node:
        left = self.unary()
        while True:
            kind, op = self.peek()
            precedence = _BINARY_PRECEDENCE.get(op) if kind == "op" else None
            if precedence is None or precedence < min_precedence:
                return left
            self.next()
            right = self.binary(precedence + 1)
            left = ("bin", op, left, right)

    def unary(self) -> Node:
        if self.at("!") or self.at("-"):
            op = self.next()[1]
            operand = self.unary()
            if op == "-" and operand[0] == "lit" and isinstance(operand[1], int | float):
                return ("lit", -operand[1])
            return ("un", op, operand)
        return self.postfix(self.primary())

    def postfix(self, node: Node) -> Node:
        while True:
            if self.at("."):
                self.next()
                kind, value = self.next()
                if kind == "ident":
                    node = ("attr", node, value)
                elif kind == "num" and isinstance(value, int):  # legacy `list.0`
                    node = ("index", node, ("lit", value))
                elif value == "*":
                    return ("splat", node, self.splat_ops())
                else:
                    raise HclSyntaxError(f"unexpected {value!r} after '.'")
            elif self.at("["):
                self.next()
                if self.at("*"):
                    self.next()
                    self.expect("]")
                    return ("splat", node, self.splat_ops())
                key = self.expression()
                self.expect("]")
                node = ("index", node, key)
            else:
                return node

    def splat_ops(self) -> list[Node]:
        """The attribute/index steps applied to each element after a splat."""
        ops: list[Node] = []
        while self.at(".") or self.at("["):
            if self.next()[1] == ".":
                ops.append(("attr", None, self.next()[1]))
            else:
                ops.append(("index", None, self.expression()))
                self.expect("]")
        return ops

    def primary(self) -> Node:
        kind, value = self.next()
        if kind == "num":
            return ("lit", value)
        if kind == "str":
            return parse_template(value, quoted=True)
        if kind == "heredoc":  # heredocs keep backslashes as written
            return parse_template(value, quoted=False)
        if kind == "ident":
            if value == "true":
                return ("lit", True)
            if value == "false":
                return ("lit", False)
            if value == "null":
                return ("lit", None)
            if self.at("::"):  # provider-defined function: provider::aws::arn_parse(...)
                name = value
                while self.at("::"):
                    self.next()
                    name += "::" + self.next()[1]
                value = name
            if self.at("("):
                return self.call(value)
            return ("name", value)
        if value == "(":
            inner = self.expression()
            self.expect(")")
            return inner
        if value == "[":
            return self.tuple_or_for()
        if value == "{":
            return self.object_or_for()
        raise HclSyntaxError(f"unexpected {value!r}")

    def call(self, name: str) -> Node:
        self.expect("(")
        args: list[Node] = []
        expand = False
        while not self.at(")"):
            args.append(self.expression())
            if self.at("..."):
                self.next()
                expand = True
            if self.at(","):
                self.next()
            elif not self.at(")"):
                raise HclSyntaxError(f"expected ',' or ')' in call to {name}")
        self.next()
        return ("call", name, args, expand)

    def for_header(self) -> tuple[str | None, str, Node]:
        self.expect("for")
        first = self.next()[1]
        second = None
        if self.at(","):
            self.next()
            second = self.next()[1]
        self.expect("in")
        collection = self.expression()
        self.expect(":")
        return (first, second, collection) if second else (None, first, collection)

    def tuple_or_for(self) -> Node:
        if self.at("for"):
            key_var, value_var, collection = self.for_header()
            value_expr = self.expression()
            cond = self.for_condition()
            self.expect("]")
            return ("for", key_var, value_var, collection, None, value_expr, cond, False)
        items: list[Node] = []
        while not self.at("]"):
            items.append(self.expression())
            if self.at(","):
                self.next()
            elif not self.at("]"):
                raise HclSyntaxError("expected ',' or ']' in tuple")
        self.next()
        return ("tuple", items)

    def for_condition(self) -> Node | None:
        if self.at("if"):
            self.next()
            return self.expression()
        return None

    def object_or_for(self) -> Node:
        if self.at("for"):
            key_var, value_var, collection = self.for_header()
            key_expr = self.expression()
            self.expect("=>")
            value_expr = self.expression()
            grouping = False
            if self.at("..."):
                self.next()
                grouping = True
            cond = self.for_condition()
            self.expect("}")
            return ("for", key_var, value_var, collection, key_expr, value_expr, cond, grouping)
        items: list[tuple[Node, Node]] = []
        while not self.at("}"):
            kind, value = self.peek()
            if kind == "ident" and self.peek(1)[1] in ("=", ":"):
                self.next()
                key: Node = ("lit", value)  # bare identifiers are literal keys
            else:
                key = self.expression()
            if not (self.at("=") or self.at(":")):
                raise HclSyntaxError("expected '=' or ':' in object")
            self.next()
            items.append((key, self.expression()))
            if self.at(","):
                self.next()
        self.next()
        return ("object", items)


@lru_cache(maxsize=65536)
def parse_expression(text: str) -> Node:
    """Parse one expression (the inside of `${...}`); raises HclSyntaxError."""
    return _Parser(text).parse()


def needs_evaluation(text: str) -> bool:
    return "${" in text or "%{" in text


@lru_cache(maxsize=65536)
def compile_string(text: str) -> Node:
    """A top-level string from python-hcl2: literal, or a template to evaluate."""
    if not needs_evaluation(text):
        return ("lit", text)
    try:
        return parse_template(text, quoted=False)
    except (HclSyntaxError, RecursionError, ValueError) as exc:
        return ("unsupported", f"cannot parse {text!r}: {exc}")
