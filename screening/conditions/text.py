"""Conditions as text: one readable line, with or without the pack's named sets spelled out, and a canonical
key that is equal for conditions differing only in order or set naming."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from screening.conditions.operators import OPERATORS
from screening.infra.text import num

if TYPE_CHECKING:
    from screening.conditions.margins import Margin
    from screening.conditions.tree import Node


def describe(node: Node, sets: dict[str, list[Any]] | None = None) -> str:
    """The condition as one line; with ``sets``, a named set it uses is spelled out as its values."""
    if node.kind == "leaf":
        arg = node.arg
        if sets is not None and isinstance(arg, str) and _takes_sets(node.op) and arg in sets:
            return f"{node.field} {node.op} [{', '.join(map(str, sets[arg]))}]"
        return node.describe()
    if node.kind == "not":
        return f"not ({describe(node.children[0], sets)})"
    joint = " and " if node.kind == "all" else " or "
    return "(" + joint.join(describe(c, sets) for c in node.children) + ")"


def condition_key(node: Node, sets: dict[str, list[Any]]) -> str:
    """A canonical text of a condition: equal for conditions that differ only in order or set naming."""
    if node.kind == "leaf":
        return json.dumps([node.field, node.op, normal(node.op, node.arg, sets)], sort_keys=True, default=str)
    children = sorted(condition_key(c, sets) for c in node.children)
    return json.dumps([node.kind, children])


def normal(op: str, arg: Any, sets: dict[str, list[Any]]) -> Any:
    """An operator's argument with set names replaced by their values, and sets of values sorted."""
    if _takes_sets(op):
        values = sets.get(arg, []) if isinstance(arg, str) else arg
        return sorted({json.dumps(v, sort_keys=True) for v in values})
    if isinstance(arg, dict):  # a record pattern: a key's list, or an {in: SET} mapping, is a set of values
        return {
            k: normal(k if _takes_sets(k) else "in" if isinstance(v, list) else "", v, sets) for k, v in arg.items()
        }
    return arg


def _takes_sets(op: str) -> bool:
    found = OPERATORS.get(op)
    return found is not None and found.sets


_WHETHER = {
    "gte": "it is at least",
    "gt": "it is more than",
    "lte": "it is at most",
    "lt": "it is less than",
    "between": "it is between",
    "equals": "it is",
}


def _whether(test: str) -> str:
    """``transaction.votes_after_pct gte 30`` -> ``it is at least 30``."""
    parts = test.split(" ", 2)
    if len(parts) == 3 and parts[1] in _WHETHER:
        return f"{_WHETHER[parts[1]]} {parts[2]}"
    return f"{test} holds"


def describe_margin(margin: Margin) -> str:
    """``transaction.stake_after_pct 24.99 is 0.01 under the 25 of CA-002 (... gte 25: does not hold)``; for a bound
    the threshold cuts, ``transaction.votes_after_pct is at least 25; whether it is at least 30 decides DE-005``."""
    if margin.decides:
        return f"{margin.fact} is {margin.bound}; whether {_whether(margin.test)} decides {margin.rule}"
    unit = " pt" if margin.fact.endswith("_pct") else ""
    side = "under" if margin.distance < 0 else "over" if margin.distance > 0 else "exactly at"
    gap = f"{num(abs(margin.distance))}{unit} {side}" if margin.distance else side
    state = "holds" if margin.holds else "does not hold"
    value = f"{margin.bound} ({num(margin.value)} at its nearest end)" if margin.bound else num(margin.value)
    return f"{margin.fact} {value} is {gap} the {num(margin.threshold)} of {margin.rule} ({margin.test}: {state})"
