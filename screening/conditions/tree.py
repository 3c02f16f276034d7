"""A compiled condition: a tree of ``all``, ``any``, ``not`` and leaves, each with its fast three-valued check."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from screening import EMPTY
from screening.conditions.logic import Check, Truth, kleene_all, kleene_any, kleene_not
from screening.conditions.text import describe

__all__ = ["Check", "Node", "Truth", "all_of", "any_of", "kleene_all", "kleene_any", "kleene_not", "leaves", "not_of"]


class Node(NamedTuple):
    """A compiled condition: ``check`` evaluates fast, the tree explains."""

    kind: str
    """``all``, ``any``, ``not`` or ``leaf``."""
    check: Check
    children: tuple[Node, ...] = ()
    field: str = ""
    op: str = ""
    """The operator's name (an alias as written is read as the name: screening.conditions.operators)."""
    arg: Any = None
    """The argument as written (a set's name stays a name)."""
    test: Callable[[Any], Truth] | None = None
    witness: Callable[[Any], list[Any]] | None = None
    spec: dict[str, Any] = EMPTY
    value: Any = None
    """The argument as checked and normalised: a frozenset for ``in``, a compiled pattern for ``matches``,
    (low, high) for ``between``, and for a records pattern ``{key: (operator, value)}``."""

    def fields(self) -> list[str]:
        """Every fact the condition reads, in order."""
        if self.kind == "leaf":
            return [self.field]
        return [f for c in self.children for f in c.fields()]

    def describe(self) -> str:
        """The condition as one readable line (screening.conditions.text)."""
        return describe(self)


def leaves(node: Node) -> list[Node]:
    """The leaves of a condition, in order."""
    if node.kind == "leaf":
        return [node]
    return [leaf for child in node.children for leaf in leaves(child)]


def all_of(children: tuple[Node, ...]) -> Node:
    """``all`` of compiled conditions."""
    checks = tuple(c.check for c in children)
    return Node("all", lambda v: kleene_all(c(v) for c in checks), children)


def any_of(children: tuple[Node, ...]) -> Node:
    """``any`` of compiled conditions."""
    checks = tuple(c.check for c in children)
    return Node("any", lambda v: kleene_any(c(v) for c in checks), children)


def not_of(child: Node) -> Node:
    """``not`` of a compiled condition."""
    inner = child.check
    return Node("not", lambda v: None if (r := inner(v)) is None else not r, (child,))
