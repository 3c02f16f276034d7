"""Why a condition came out as it did: its trace, the leaves that support its value, the leaves it waits on."""

from __future__ import annotations

from typing import Any, NamedTuple

from screening.conditions.tree import Node, Truth


class Trace(NamedTuple):
    """A condition node with its value on one case."""

    node: Node
    value: Truth
    children: tuple[Trace, ...] = ()


def trace(node: Node, values: dict[str, Any]) -> Trace:
    """Evaluate every node of a condition (no short-cut) to explain it."""
    if node.kind == "leaf":
        return Trace(node, node.check(values))
    children = tuple(trace(c, values) for c in node.children)
    return Trace(node, node.check(values), children)


def supporting(t: Trace) -> list[Trace]:
    """Leaves that made a true (or false, under `not`) node come out as it did."""
    if t.node.kind == "leaf":
        return [t]
    if t.node.kind == "any":
        return [leaf for c in t.children if c.value == t.value for leaf in supporting(c)]
    return [leaf for c in t.children for leaf in supporting(c)]


def without_guards(leaves: list[Trace]) -> list[Trace]:
    """``leaves`` less the guards another of them makes idle: a leaf that held by checking only that a fact is given
    (``exists: true``) says nothing when another leaf names the same fact and shows its value (``transaction.control
    exists true`` beside ``transaction.control equals true``). A guard that is the only leaf naming its fact stays:
    it is then all the evidence says of that fact."""
    shown = {leaf.node.field for leaf in leaves if not _guard(leaf)}
    return [leaf for leaf in leaves if not (_guard(leaf) and leaf.node.field in shown)]


def _guard(leaf: Trace) -> bool:
    """A leaf that held by checking only that its fact is given."""
    return leaf.node.op == "exists" and leaf.node.arg is True and leaf.value is True


def deciding(t: Trace) -> list[Trace]:
    """As :func:`supporting`, but a false `all` (under a `not`) rests on its false parts only: the leaves that
    decided the node, each with the value it had (a filing's facts used; rule evidence keeps `supporting`, which
    the compiled evaluator reproduces)."""
    if t.node.kind == "leaf":
        return [t]
    if t.node.kind == "any" or (t.node.kind == "all" and t.value is False):
        return [leaf for c in t.children if c.value == t.value for leaf in deciding(c)]
    return [leaf for c in t.children for leaf in deciding(c)]


def unknown_leaves(t: Trace) -> list[Trace]:
    """Leaves whose being known could change an unknown node."""
    if t.value is not None:
        return []
    if t.node.kind == "leaf":
        return [t]
    return [leaf for c in t.children for leaf in unknown_leaves(c)]


def failing(t: Trace) -> list[Trace]:
    """The leaves (or ``not`` nodes) that made a false node false (for ``all``: only its false parts)."""
    if t.node.kind in ("leaf", "not"):
        return [t]
    if t.node.kind == "all":
        return [leaf for c in t.children if c.value is False for leaf in failing(c)]
    return [leaf for c in t.children for leaf in failing(c)]
