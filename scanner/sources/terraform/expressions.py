"""Evaluate parsed HCL expressions over known values, safely and conservatively.

Whatever cannot be known becomes `Unknown` naming why; anything that depends on an Unknown is
Unknown. References to computed attributes are `ComputedRef`s: known to be set, value unknown.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from scanner.core.model import ComputedRef, Unknown, UnknownValueError
from scanner.sources.terraform import values as caps
from scanner.sources.terraform.syntax import Node
from scanner.sources.terraform.values import Failed, ProviderBlock, ValueTooLarge, type_name


class Scope(Protocol):
    def lookup(self, name: str) -> Any:
        """The value of a root name (`var`, `local`, `aws_s3_bucket`, a for-loop variable...)."""


class Namespace:
    """A lazily resolved object: `var`, `local`, a resource, a module call..."""

    label = "namespace"

    def attr(self, name: str) -> Any:
        return Failed(f"{self.label}.{name} is not supported")

    def index(self, key: Any) -> Any:
        return self

    def index_may_fail(self, key: Any) -> Unknown | None:
        """Why `x[key]` may be an error that Terraform would reject (None: it is not). An index
        outside try()/can() is taken as valid; inside them, the error is a branch."""
        return None

    def splat(self) -> Any:
        """`x[*]`: a single object is a one-element list (a block's instances override this)."""
        return [self]


class ForScope:
    """The scope inside a `for` expression: loop variables shadow the enclosing scope."""

    def __init__(self, parent: Scope, names: dict[str, Any]) -> None:
        self.parent = parent
        self.names = names

    def lookup(self, name: str) -> Any:
        if name in self.names:
            return self.names[name]
        return self.parent.lookup(name)


def _render(value: Any) -> str | None:
    """Template rendering of a primitive (HCL: numbers without trailing .0, bools lower case)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, str):
        return value
    return None


def to_number(value: Any) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str) and not isinstance(value, ComputedRef):
        try:
            number = float(value)
        except ValueError:
            return None
        return int(number) if number.is_integer() and "." not in value else number
    return None


def to_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if value == "true":
        return True
    if value == "false":
        return False
    return None


def _equal(left: Any, right: Any) -> bool | Unknown:
    if isinstance(left, ComputedRef) or isinstance(right, ComputedRef):
        if left is None or right is None:  # a computed value is set, so never null
            return False
        return Unknown(
            f"compares the computed value {left if isinstance(left, ComputedRef) else right}"
        )
    if isinstance(left, bool) != isinstance(right, bool):
        return False
    if isinstance(left, int | float) and isinstance(right, str):
        return False
    if isinstance(left, str) and isinstance(right, int | float):
        return False
    try:
        return bool(left == right)
    except UnknownValueError as exc:  # containers holding an Unknown
        return Unknown(exc.reason)


class Evaluator:
    """Evaluates one expression tree; `text` is the source, quoted in Unknown reasons."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.steps = 0  # nested `for` expressions multiply: the work of one expression is capped
        self.guarded = 0  # > 0 inside try()/can(), where an error is a value, not a rejection

    def unknown(self, what: str) -> Unknown:
        return Unknown(f"{what} in `{self.text}`")

    def failed(self, what: str) -> Failed:
        return Failed(f"{what} in `{self.text}`")

    def evaluate(self, node: Node, scope: Scope) -> Any:
        self.steps += 1
        if self.steps > caps.MAX_EVALUATION_STEPS:
            raise ValueTooLarge(
                f"expression takes more than the cap of {caps.MAX_EVALUATION_STEPS:,} "
                "evaluation steps"
            )
        kind = node[0]
        if kind == "lit":
            return node[1]
        if kind == "name":
            return scope.lookup(node[1])
        if kind == "attr":
            return self.get_attr(self.evaluate(node[1], scope), node[2])
        if kind == "index":
            return self.get_index(self.evaluate(node[1], scope), self.evaluate(node[2], scope))
        if kind == "tmpl":
            return self.template(node[1], scope)
        if kind == "cond":
            return self.conditional(node, scope)
        if kind == "bin":
            return self.binary(node[1], node[2], node[3], scope)
        if kind == "un":
            return self.unary(node[1], self.evaluate(node[2], scope))
        if kind == "tuple":
            return [self.evaluate(item, scope) for item in node[1]]
        if kind == "object":
            return self.object(node[1], scope)
        if kind == "call":
            from scanner.sources.terraform.functions import call_function

            return call_function(self, node[1], node[2], node[3], scope)
        if kind == "splat":
            return self.splat(self.evaluate(node[1], scope), node[2], scope)
        if kind == "for":
            return self.for_expression(node, scope)
        if kind == "tif":
            return self.template_if(node, scope)
        if kind == "tfor":
            return self.template_for(node, scope)
        return self.unknown(str(node[1]) if kind == "unsupported" else f"unsupported {kind}")

    def get_attr(self, value: Any, name: str) -> Any:
        if isinstance(value, Unknown):
            return value
        if isinstance(value, Namespace):
            return value.attr(name)
        if isinstance(value, ComputedRef):
            return ComputedRef(f"{value}.{name}")
        if isinstance(value, Mapping):
            if name in value:
                return value[name]
            if isinstance(value, ProviderBlock):  # left to the provider, not missing
                return ComputedRef(f"{value.address}.{name}")
            return self.failed(f"no attribute {name!r}")
        return self.failed(f"a {type_name(value)} has no attribute {name!r}")

    def get_index(self, value: Any, key: Any) -> Any:
        if isinstance(value, Unknown):
            return value
        if isinstance(key, Unknown):
            return key
        if isinstance(value, Namespace):
            may_fail = value.index_may_fail(key) if self.guarded else None
            return may_fail if may_fail is not None else value.index(key)
        if isinstance(value, ComputedRef):
            return ComputedRef(f"{value}[{key!r}]" if isinstance(key, str) else f"{value}[{key}]")
        if isinstance(key, ComputedRef):
            return self.unknown(f"index by the computed value {key}")
        if isinstance(value, list):
            number = to_number(key)
            if isinstance(number, int) and 0 <= number < len(value):
                return value[number]
            return self.failed(f"index {key!r} out of range")
        if isinstance(value, Mapping):
            rendered = _render(key)
            if rendered is not None and rendered in value:
                return value[rendered]
            if isinstance(value, ProviderBlock) and isinstance(key, str):
                return ComputedRef(f"{value.address}.{key}")  # the provider's, not missing
            return self.failed(f"no key {key!r}")
        return self.failed(f"cannot index a {type_name(value)}")

    def splat(self, value: Any, ops: list[Node], scope: Scope) -> Any:
        if isinstance(value, Unknown):
            return value
        if isinstance(value, Namespace):
            value = value.splat()
            if isinstance(value, Unknown):
                return value
        if isinstance(value, ComputedRef):
            return self.unknown(f"splat over the computed value {value}")
        items = [] if value is None else value if isinstance(value, list) else [value]
        out = []
        for item in items:
            for op in ops:
                if op[0] == "attr":
                    item = self.get_attr(item, op[2])
                else:
                    item = self.get_index(item, self.evaluate(op[2], scope))
            out.append(item)
        return out

    def template(self, parts: list[Any], scope: Scope) -> Any:
        pieces: list[str] = []
        computed = False
        length = 0
        for part in parts:
            length += len(pieces[-1]) if pieces else 0  # the piece the last round added
            if length > caps.MAX_VALUE_SIZE:  # stop before joining a doubled string
                break
            if isinstance(part, str):
                pieces.append(part)
                continue
            value = self.evaluate(part, scope)
            if isinstance(value, Unknown):
                return value
            if isinstance(value, ComputedRef):
                computed = True
                pieces.append("${" + value + "}")
                continue
            rendered = _render(value)
            if rendered is None:
                return self.failed(f"cannot interpolate a {type_name(value)}")
            pieces.append(rendered)
        if length + (len(pieces[-1]) if pieces else 0) > caps.MAX_VALUE_SIZE:
            raise ValueTooLarge(
                f"a string longer than the cap of {caps.MAX_VALUE_SIZE:,} characters"
            )
        text = "".join(pieces)
        # A string built from a computed value is still known to be set: keep it as a reference.
        return ComputedRef(text) if computed else text

    def template_if(self, node: Node, scope: Scope) -> Any:
        """`%{ if c }a%{ else }b%{ endif }` inside a template: the chosen branch's text."""
        cond = self.evaluate(node[1], scope)
        if isinstance(cond, Unknown):
            return cond
        decided = None if isinstance(cond, ComputedRef) else to_bool(cond)
        if decided is None:
            return self.unknown("template %{ if } condition is not a known bool")
        return self.evaluate(node[2] if decided else node[3], scope)

    def template_for(self, node: Node, scope: Scope) -> Any:
        """`%{ for x in c }...%{ endfor }`: the body's text once per element, concatenated."""
        _, key_var, value_var, coll_node, body = node
        collection = self.evaluate(coll_node, scope)
        if isinstance(collection, Unknown):
            return collection
        if isinstance(collection, Mapping):
            pairs: list[tuple[Any, Any]] = list(collection.items())
        elif isinstance(collection, list):
            pairs = list(enumerate(collection))
        else:
            return self.unknown(f"template %{{ for }} over a {type_name(collection)}")
        pieces: list[str] = []
        computed = False
        for key, value in pairs:
            names = {value_var: value}
            if key_var:
                names[key_var] = key
            text = self.evaluate(body, ForScope(scope, names))
            if isinstance(text, Unknown):
                return text
            computed = computed or isinstance(text, ComputedRef)
            pieces.append(str(text))
        joined = "".join(pieces)
        return ComputedRef(joined) if computed else joined

    def conditional(self, node: Node, scope: Scope) -> Any:
        cond = self.evaluate(node[1], scope)
        if isinstance(cond, Unknown):
            return cond
        decided = None if isinstance(cond, ComputedRef) else to_bool(cond)
        if decided is None:
            return self.unknown("condition is not a known bool")
        return self.evaluate(node[2] if decided else node[3], scope)

    def binary(self, op: str, left_node: Node, right_node: Node, scope: Scope) -> Any:
        left = self.evaluate(left_node, scope)
        if op in ("&&", "||") and not isinstance(left, Unknown):
            left_bool = to_bool(left)
            if left_bool is (op == "||"):  # false && x, true || x: decided by the left side
                return left_bool
        right = self.evaluate(right_node, scope)
        if isinstance(left, Unknown):
            return left
        if isinstance(right, Unknown):
            return right
        if op == "==":
            return _equal(left, right)
        if op == "!=":
            equal = _equal(left, right)
            return equal if isinstance(equal, Unknown) else not equal
        if op in ("&&", "||"):
            lb, rb = to_bool(left), to_bool(right)
            if lb is None or rb is None:
                return self.failed(f"{op} needs bools")
            return (lb and rb) if op == "&&" else (lb or rb)
        ln, rn = to_number(left), to_number(right)
        if ln is None or rn is None:
            if isinstance(left, ComputedRef) or isinstance(right, ComputedRef):
                return self.unknown(f"arithmetic on a computed value ({op})")
            return self.failed(f"{op} needs numbers")
        return _arithmetic(op, ln, rn, self)

    def unary(self, op: str, value: Any) -> Any:
        if isinstance(value, Unknown):
            return value
        if op == "!":
            decided = to_bool(value)
            return self.failed("! needs a bool") if decided is None else not decided
        number = to_number(value)
        return self.failed("- needs a number") if number is None else -number

    def object(self, items: list[tuple[Node, Node]], scope: Scope) -> Any:
        out: dict[str, Any] = {}
        for key_node, value_node in items:
            key = self.evaluate(key_node, scope)
            if isinstance(key, Unknown):
                return key
            rendered = _render(key)
            if rendered is None or isinstance(key, ComputedRef):
                return self.unknown("object key is not a known string")
            out[rendered] = self.evaluate(value_node, scope)
        return out

    def for_expression(self, node: Node, scope: Scope) -> Any:
        _, key_var, value_var, coll_node, key_expr, value_expr, cond_node, grouping = node
        collection = self.evaluate(coll_node, scope)
        if isinstance(collection, Unknown):
            return collection
        if isinstance(collection, Mapping):
            pairs: list[tuple[Any, Any]] = list(collection.items())
        elif isinstance(collection, list):
            pairs = list(enumerate(collection))
        else:
            return self.unknown(f"for over a {type_name(collection)}")
        as_object = key_expr is not None
        results_list: list[Any] = []
        results_map: dict[str, Any] = {}
        for key, value in pairs:
            names = {value_var: value}
            if key_var:
                names[key_var] = key
            inner = ForScope(scope, names)
            if cond_node is not None:
                keep = self.evaluate(cond_node, inner)
                if isinstance(keep, Unknown):
                    return keep
                if to_bool(keep) is not True:
                    continue
            item = self.evaluate(value_expr, inner)
            if not as_object:
                results_list.append(item)
                continue
            out_key = self.evaluate(key_expr, inner)
            rendered = None if isinstance(out_key, Unknown | ComputedRef) else _render(out_key)
            if rendered is None:
                return self.unknown("for expression key is not a known string")
            if grouping:
                results_map.setdefault(rendered, []).append(item)
            else:
                results_map[rendered] = item
        return results_map if as_object else results_list


def _arithmetic(op: str, left: float, right: float, ev: Evaluator) -> Any:
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    if op == "*":
        return left * right
    if op in ("/", "%") and right == 0:
        return ev.failed("division by zero")
    if op == "/":
        result = left / right
        return int(result) if result.is_integer() else result
    if op == "%":
        return left % right
    if op == "<":
        return left < right
    if op == ">":
        return left > right
    if op == "<=":
        return left <= right
    if op == ">=":
        return left >= right
    return ev.unknown(f"operator {op}")
