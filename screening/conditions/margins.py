"""Margins: how far a fact's value is from each numeric threshold a condition compares it with.

Every numeric comparison a condition makes (``gte 25``, ``between``: the operators' ``thresholds``) on a
fact the case gives, with the distance from the value to the threshold, so a report can say
"transaction.stake_after_pct 24.99 is 0.01 under the 25 of CA-002". A value is read through its bounds
(screening.case.values), as comparisons read it: the distance is from the end nearest the threshold.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from screening.case.values import BOUNDS, DayRange, Interval, bounds, describe
from screening.conditions.operators import OPERATORS
from screening.conditions.tree import Node, leaves


class Margin(NamedTuple):
    """How far a fact's value is from a threshold a rule compares it with."""

    rule: str
    fact: str
    test: str
    """The comparison, as text (``transaction.stake_after_pct gte 25``)."""
    value: float
    threshold: float
    distance: float
    """Value minus threshold (negative: under it)."""
    holds: bool
    """Whether the comparison holds now."""
    bound: str = ""
    """The value as written when it is a bound (``at least 25``); then ``value`` is its end nearest the
    threshold."""
    decides: bool = False
    """For a bound: the comparison is undecided on it, so which side of the threshold the fact lies decides."""


WITHIN = 5.0
"""How near counts as near: points for percentages (a relative 20% for other numbers)."""


def thresholds(node: Node) -> list[float]:
    """The numbers a leaf compares its fact with, as written."""
    op = OPERATORS.get(node.op)
    return op.thresholds(node.arg) if op is not None else []


def nearby(values: dict[str, Any], conditions: Iterable[tuple[str, Node]], within: float = WITHIN) -> list[Margin]:
    """The thresholds of ``conditions`` (rule id, compiled condition) that ``values`` are near, nearest first
    (within ``within`` points for percentages, a relative 20% for other numbers)."""
    out: dict[tuple[str, str, float], Margin] = {}
    for rule_id, condition in conditions:
        for node in leaves(condition):
            value = values.get(node.field)
            if value is None:
                continue
            for threshold in thresholds(node):
                end = _nearest(value, threshold)
                if end is None:
                    continue
                distance = end - threshold
                near = abs(distance) <= (within if node.field.endswith("_pct") else 0.2 * max(abs(threshold), 1))
                truth = node.test(value) if node.test else False
                bound = describe(value) if isinstance(value, BOUNDS) else ""
                said = isinstance(value, (Interval, DayRange))  # a bound the case gives (not a computed least)
                if near or (said and truth is None):  # a bound the threshold cuts decides, however far its end
                    out[(rule_id, node.field, threshold)] = Margin(
                        rule_id,
                        node.field,
                        node.describe(),
                        end,
                        threshold,
                        round(distance, 6),
                        truth is True,
                        bound,
                        said and truth is None,
                    )
    return sorted(out.values(), key=lambda m: (not m.decides, abs(m.distance), m.fact, m.rule))


def _nearest(value: Any, threshold: float) -> float | None:
    """The end of the value's bounds nearest ``threshold``, when the value is a number; else None."""
    ends = [float(e) for e in bounds(value) if isinstance(e, (int, float)) and not isinstance(e, bool)]
    return min(ends, key=lambda e: abs(e - threshold)) if ends else None
