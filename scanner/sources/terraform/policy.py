"""IAM policy documents: render `data "aws_iam_policy_document"` and normalise any policy value."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from scanner.core.model import ComputedRef, Unknown, UnknownValueError
from scanner.sources.policy_documents import canonical_policy, decode_policy_text
from scanner.sources.terraform.values import JsonText, PartialJson, first_unknown


def normalise_policy(value: Any) -> Any:
    """A parsed policy dict (Statement and its Action/NotAction/Resource as lists), None, or
    Unknown when it cannot be parsed or resolved.

    Known parts stay judgeable: an Unknown or computed value inside a statement stays where it
    is (a check touching it becomes unknown, one that is decided elsewhere is not)."""
    if value is None:
        return value
    if isinstance(value, PartialJson):
        value = value.decoded
    elif isinstance(value, Unknown):
        return value
    elif isinstance(value, JsonText):
        value = value.decoded
    elif isinstance(value, ComputedRef):
        value = decode_with_references(value)
        if isinstance(value, Unknown):
            return value
    elif isinstance(value, str):
        value = decode_policy_text(value)
        if value is None or isinstance(value, Unknown):
            return value
    if isinstance(value, Mapping):
        statements = value.get("Statement")
        if isinstance(statements, Unknown):
            return statements
        if isinstance(statements, list):
            for statement in statements:
                if isinstance(statement, Unknown):
                    return statement
    return _refuse_computed_grants(canonical_policy(value))


def _unknown_if_computed(value: Any, what: str) -> Any:
    if isinstance(value, ComputedRef):
        return Unknown(f"statement {what} is the computed value {value}")
    return value


def _refuse_computed_grants(policy: Any) -> Any:
    """Effect, Action and NotAction only known at apply (a parameter's value) may be Allow and
    "*": Unknown, so a check reading them is unknown rather than judging them a narrow grant. A
    computed Resource or Principal stays a computed string (usually another resource's ARN)."""
    if not isinstance(policy, dict):
        return policy
    for statement in policy.get("Statement", []):
        if "Effect" in statement:
            statement["Effect"] = _unknown_if_computed(statement["Effect"], "Effect")
        for key in ("Action", "NotAction"):
            if isinstance(statement.get(key), list):
                statement[key] = [_unknown_if_computed(item, key) for item in statement[key]]
    return policy


_SENTINEL = "__comply_reference_{}__"
_SENTINEL_PATTERN = re.compile(r"__comply_reference_(\d+)__")


def decode_with_references(text: ComputedRef) -> Any:
    """A policy written as text with `${...}` computed parts (a heredoc with one ARN): decode the
    JSON around them, each string holding one becoming a computed string; Unknown when the
    computed parts are not inside JSON strings."""
    parts: list[str] = []
    out: list[str] = []
    i = 0
    while True:
        start = text.find("${", i)
        if start < 0:
            out.append(text[i:])
            break
        end = _matching_brace(text, start + 1)
        if end < 0:
            return Unknown(f"policy is the computed value {text}")
        out.append(text[i:start])
        out.append(_SENTINEL.format(len(parts)))
        parts.append(text[start:end])
        i = end
    try:
        decoded = json.loads("".join(out))
    except json.JSONDecodeError:
        return Unknown(f"policy is the computed value {text}")

    def restore(value: Any) -> Any:
        if isinstance(value, str):
            if "__comply_reference_" not in value:
                return value
            return ComputedRef(_SENTINEL_PATTERN.sub(lambda m: parts[int(m.group(1))], value))
        if isinstance(value, list):
            return [restore(v) for v in value]
        if isinstance(value, dict):
            return {k: restore(v) for k, v in value.items()}
        return value

    return restore(decoded)


def _matching_brace(text: str, i: int) -> int:
    depth = 0
    for j in range(i, len(text)):
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return j + 1
    return -1


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _principals(blocks: Any) -> Any:
    """`principals { type, identifiers }` blocks -> the Principal element."""
    out: dict[str, list[Any]] = {}
    for block in _as_list(blocks):
        kind = block.get("type")
        identifiers = _as_list(block.get("identifiers"))
        if kind == "*" and identifiers == ["*"]:
            return "*"
        out.setdefault(str(kind), []).extend(identifiers)
    return {k: v[0] if len(v) == 1 else v for k, v in out.items()}


def _conditions(blocks: Any) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for block in _as_list(blocks):
        values = _as_list(block.get("values"))
        out.setdefault(str(block.get("test")), {})[str(block.get("variable"))] = (
            values[0] if len(values) == 1 else values
        )
    return out


def _statement(block: Mapping[str, Any]) -> dict[str, Any]:
    statement: dict[str, Any] = {}
    if block.get("sid") is not None:
        statement["Sid"] = block["sid"]
    effect = block.get("effect")
    statement["Effect"] = effect if isinstance(effect, Unknown) else (effect or "Allow")
    for source, target in (
        ("actions", "Action"),
        ("not_actions", "NotAction"),
        ("resources", "Resource"),
        ("not_resources", "NotResource"),
    ):
        if block.get(source) is not None:
            statement[target] = _as_list(block[source])
    for source, target, convert in (
        ("principals", "Principal", _principals),
        ("not_principals", "NotPrincipal", _principals),
        ("condition", "Condition", _conditions),
    ):
        value = block.get(source)
        if value is None or value == []:
            continue
        try:
            statement[target] = convert(value)
        except UnknownValueError as exc:  # unknown here; the rest of the statement stays known
            statement[target] = Unknown(exc.reason)
    return statement


def _statement_or_unknown(block: Any) -> Any:
    if isinstance(block, Unknown):
        return block
    try:
        return _statement(block)
    except UnknownValueError as exc:
        return Unknown(exc.reason)


def _statements_of(document: Any) -> list[dict[str, Any]] | Unknown:
    policy = normalise_policy(document)
    if isinstance(policy, Unknown):
        return policy
    if policy is None:
        return []
    return list(policy["Statement"])


def render_policy_document(arguments: Mapping[str, Any]) -> Any:
    """The JSON a `data "aws_iam_policy_document"` produces; a PartialJson when some input is
    unknown (the known statements and fields stay judgeable)."""
    nested = first_unknown(arguments)
    if isinstance(arguments.get("statement"), Unknown):
        return arguments["statement"]
    try:
        statements: list[Any] = []
        for source in _as_list(arguments.get("source_policy_documents")):
            found = _statements_of(source)
            if isinstance(found, Unknown):
                return found
            statements.extend(found)
        statements.extend(_statement_or_unknown(b) for b in _as_list(arguments.get("statement")))
        for override in _as_list(arguments.get("override_policy_documents")):
            found = _statements_of(override)
            if isinstance(found, Unknown):
                return found
            for statement in found:
                sid = statement.get("Sid")
                same = [i for i, s in enumerate(statements) if sid and s.get("Sid") == sid]
                if same:
                    statements[same[0]] = statement
                else:
                    statements.append(statement)
    except UnknownValueError as exc:
        return Unknown(exc.reason)
    except (AttributeError, TypeError) as exc:
        return Unknown(f"aws_iam_policy_document has an unexpected shape ({exc})")
    version = arguments.get("version")
    document: dict[str, Any] = {"Version": "2012-10-17" if version is None else version}
    if arguments.get("policy_id") is not None:
        document["Id"] = arguments["policy_id"]
    document["Statement"] = statements
    if nested is not None:
        return PartialJson(f"the policy document has an unknown part ({nested.reason})", document)
    return JsonText(document)
