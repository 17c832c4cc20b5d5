"""IAM policy documents: render `data "aws_iam_policy_document"` and normalise any policy value."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scanner.core.model import ComputedRef, Unknown
from scanner.sources.policy_documents import canonical_policy, decode_policy_text
from scanner.sources.terraform.values import JsonText, first_unknown


def normalise_policy(value: Any) -> Any:
    """A parsed policy dict (Statement and its Action/NotAction/Resource as lists), None, or
    Unknown when it cannot be parsed or resolved."""
    if value is None or isinstance(value, Unknown):
        return value
    if isinstance(value, JsonText):
        value = value.decoded
    elif isinstance(value, ComputedRef):
        return Unknown(f"policy is the computed value {value}")
    elif isinstance(value, str):
        value = decode_policy_text(value)
        if value is None or isinstance(value, Unknown):
            return value
    if isinstance(value, Mapping):
        nested = first_unknown(value)
        if nested is not None:
            return nested
    return canonical_policy(value)


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
    statement["Effect"] = block.get("effect") or "Allow"
    for source, target in (
        ("actions", "Action"),
        ("not_actions", "NotAction"),
        ("resources", "Resource"),
        ("not_resources", "NotResource"),
    ):
        if block.get(source) is not None:
            statement[target] = _as_list(block[source])
    if block.get("principals"):
        statement["Principal"] = _principals(block["principals"])
    if block.get("not_principals"):
        statement["NotPrincipal"] = _principals(block["not_principals"])
    if block.get("condition"):
        statement["Condition"] = _conditions(block["condition"])
    return statement


def _statements_of(document: Any) -> list[dict[str, Any]] | Unknown:
    policy = normalise_policy(document)
    if isinstance(policy, Unknown):
        return policy
    if policy is None:
        return []
    return list(policy["Statement"])


def render_policy_document(arguments: Mapping[str, Any]) -> Any:
    """The JSON a `data "aws_iam_policy_document"` produces, or Unknown if any input is."""
    nested = first_unknown(arguments)
    if nested is not None:
        return nested
    try:
        statements: list[dict[str, Any]] = []
        for source in _as_list(arguments.get("source_policy_documents")):
            found = _statements_of(source)
            if isinstance(found, Unknown):
                return found
            statements.extend(found)
        statements.extend(_statement(block) for block in _as_list(arguments.get("statement")))
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
    except (AttributeError, TypeError) as exc:
        return Unknown(f"aws_iam_policy_document has an unexpected shape ({exc})")
    document: dict[str, Any] = {"Version": arguments.get("version") or "2012-10-17"}
    if arguments.get("policy_id"):
        document["Id"] = arguments["policy_id"]
    document["Statement"] = statements
    return JsonText(document)
