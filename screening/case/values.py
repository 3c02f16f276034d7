"""The forms a fact's value takes besides a plain value: what is known of it when not all of it is.

A fact is None when unknown, a plain value (a number, a text, a list) when known, or one of these forms
when only part of it is known:

* ``AtLeast(x)``: a number known to be at least ``x`` (an interest through an edge whose stake is not
  given, the largest of some counts when others are missing).
* ``PartialList``: a list known to hold these items, possibly among others not yet known (the listings
  of a group with an entity whose listings were never checked).

Conditions read a number through ``bounds``: the least and the greatest it can be. Every ordered
comparison (screening.conditions.operators.compare), in the closures, the generated code and the
margins alike, goes through it, so a new form of number (an interval, a dated or graded value) is
added here, with its bounds, and nowhere else.
"""

from __future__ import annotations

from typing import Any


class PartialList(list[Any]):
    """A list known to hold these items, possibly among others not yet known."""


class AtLeast(float):
    """A number known to be at least this value."""


BOUNDS: tuple[type, ...] = (AtLeast,)
"""The forms of a number that are not exact: ``isinstance(v, BOUNDS)`` tells a value to read through ``bounds``."""


def bounds(value: Any) -> tuple[Any, Any]:
    """The least and the greatest ``value`` can be; None for an end that is not known.

    A plain value is both ends; ``AtLeast(x)`` is ``(x, None)``: nothing is known above it.
    """
    if isinstance(value, AtLeast):
        return float(value), None
    return value, value
