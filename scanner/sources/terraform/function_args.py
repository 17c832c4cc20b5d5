"""Argument coercion shared by the Terraform function implementations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scanner.sources.terraform.expressions import _render, to_number
from scanner.sources.terraform.values import type_name


class BadCall(Exception):
    """A call Terraform would reject; becomes a Failed value."""


def as_string(value: Any) -> str:
    rendered = _render(value)
    if rendered is None:
        raise BadCall(f"expected a string, got a {type_name(value)}")
    return rendered


def as_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    raise BadCall(f"expected a list, got a {type_name(value)}")


def as_map(value: Any) -> Mapping[str, Any]:
    if isinstance(value, Mapping):
        return value
    raise BadCall(f"expected a map, got a {type_name(value)}")


def as_number(value: Any) -> float:
    number = to_number(value)
    if number is None:
        raise BadCall(f"expected a number, got a {type_name(value)}")
    return number
