"""How comply's controls, states and objects map to OSCAL: control-id tokens, the state map and
the UUIDv5 ids of a document (the decisions are documented in `scanner.evidence.oscal`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Protocol

from scanner.evidence.model import stable_uuid

# comply control state -> (OSCAL objective state, OSCAL reason).
STATE_MAP: Mapping[str, tuple[str, str]] = {
    "satisfied": ("satisfied", "pass"),
    "attested": ("satisfied", "pass"),
    "not_satisfied": ("not-satisfied", "fail"),
    "incomplete": ("not-satisfied", "other"),
    "not_applicable": ("not-satisfied", "other"),
}

_PARENTHESISED = re.compile(r"\(([^()]*)\)")
_NOT_TOKEN = re.compile(r"[^a-z0-9._-]+")
_TOKEN = re.compile(r"^[A-Za-z_][A-Za-z0-9._-]*$")


class OscalError(ValueError):
    """The model cannot be expressed in OSCAL as designed (two controls, one token)."""


# ---------------------------------------------------------------------------------------------
# Identifiers


def _token_part(text: str) -> str:
    text = _PARENTHESISED.sub(r"-\1", text.strip()).lower()
    return re.sub(r"-{2,}", "-", _NOT_TOKEN.sub("-", text)).strip("-")


def control_token(framework: str, control_id: str) -> str:
    """The OSCAL control id (a token) of a comply control: `hipaa-164.312-a-2-iv`."""
    token = f"{_token_part(framework) or 'framework'}-{_token_part(control_id) or 'control'}"
    # A framework id that starts with a digit would not make a token; `_` is a legal first char.
    return token if _TOKEN.match(token) else f"_{token}"


class _Control(Protocol):
    @property
    def framework(self) -> str: ...
    @property
    def id(self) -> str: ...


def control_tokens(controls: Iterable[_Control]) -> dict[tuple[str, str], str]:
    """(framework, id) -> token, refusing two controls that would share a token."""
    out: dict[tuple[str, str], str] = {}
    owner: dict[str, tuple[str, str]] = {}
    for control in controls:
        key = (control.framework, control.id)
        token = control_token(*key)
        if token in owner and owner[token] != key:
            first = ":".join(owner[token])
            raise OscalError(
                f"controls {first} and {control.framework}:{control.id} both map to the OSCAL "
                f"control id {token!r}; rename one of them"
            )
        owner[token] = key
        out[key] = token
    return out


class _Bundle(Protocol):
    @property
    def uuid(self) -> str: ...


class OscalIds:
    """UUIDv5 per object, scoped by the bundle so two bundles never share an id."""

    def __init__(self, model: _Bundle) -> None:
        self._scope = model.uuid

    def __call__(self, kind: str, *names: str) -> str:
        return stable_uuid("oscal", self._scope, kind, *names)
