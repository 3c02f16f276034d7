"""Three-valued logic: a condition is true, false, or None (unknown: it needs a fact the case does not give)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

Truth = bool | None
Check = Callable[[dict[str, Any]], Truth]
"""A condition's test of a case's fact values."""


def kleene_all(values: Iterable[Truth]) -> Truth:
    """False if any value is false, else unknown if any is unknown, else true."""
    result: Truth = True
    for v in values:
        if v is False:
            return False
        if v is None:
            result = None
    return result


def kleene_any(values: Iterable[Truth]) -> Truth:
    """True if any value is true, else unknown if any is unknown, else false."""
    result: Truth = False
    for v in values:
        if v is True:
            return True
        if v is None:
            result = None
    return result


def kleene_not(value: Truth) -> Truth:
    """True and false swapped; unknown stays unknown."""
    return None if value is None else not value
