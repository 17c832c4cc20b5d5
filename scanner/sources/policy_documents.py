"""The canonical shape of a JSON policy document (docs/resource-schema.md), for every source.

`Statement` is always a list, and each statement's Action/NotAction/Resource/NotResource a list,
so checks iterate without caring how the author (or the API) wrote them. What cannot be read is
Unknown, never an empty policy: a check must not pass on a policy it could not parse.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from scanner.core.model import Unknown

LIST_KEYS = ("Action", "NotAction", "Resource", "NotResource")


def decode_policy_text(text: str) -> Any:
    """The JSON value of a policy string; None when blank; Unknown when it is not JSON."""
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        return Unknown(f"policy is not valid JSON ({exc.msg} at line {exc.lineno})")


def canonical_policy(value: Any) -> dict[str, Any] | Unknown:
    """A decoded policy in the canonical shape, or Unknown when it is not a policy object."""
    if not isinstance(value, Mapping):
        return Unknown("policy is not a JSON object")
    policy = dict(value)
    statements = policy.get("Statement", [])
    if isinstance(statements, Mapping):
        statements = [statements]
    if not isinstance(statements, list) or not all(isinstance(s, Mapping) for s in statements):
        return Unknown("policy Statement is neither an object nor a list of objects")
    canonical = []
    for statement in statements:
        entry = dict(statement)
        for key in LIST_KEYS:
            if key in entry and not isinstance(entry[key], list):
                entry[key] = [entry[key]]
        canonical.append(entry)
    policy["Statement"] = canonical
    return policy
