"""Find the items of a list that definitely match, without letting one Unknown hide the rest.

A security group with one rule open to 0.0.0.0/0 on port 22 fails even if another rule's CIDR
is an unresolved variable: that failure is certain. Only when nothing definitely matches does an
Unknown item make the whole finding unknown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from scanner.core.model import UnknownValueError

T = TypeVar("T")


def definite_matches(
    items: Iterable[T], predicate: Callable[[T], bool]
) -> tuple[list[T], list[str]]:
    """(items for which predicate is certainly true, reasons of the items that hit an Unknown)."""
    matches: list[T] = []
    unknown_reasons: list[str] = []
    for item in items:
        try:
            if predicate(item):
                matches.append(item)
        except UnknownValueError as exc:
            unknown_reasons.append(exc.reason)
    return matches, unknown_reasons


def all_of(*conditions: Callable[[], bool]) -> bool:
    """Conjunction that is False as soon as one condition is certainly false, even when another
    is unknown; raises the first UnknownValueError only when none is false."""
    unknown: UnknownValueError | None = None
    for condition in conditions:
        try:
            if not condition():
                return False
        except UnknownValueError as exc:
            unknown = unknown or exc
    if unknown is not None:
        raise unknown
    return True
