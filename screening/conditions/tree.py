"""A compiled condition: a tree of ``all``, ``any``, ``not`` and leaves, each with its fast three-valued check.

Three-valued logic: a condition is true, false, or None (unknown: it needs a fact the case does not give).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from screening import EMPTY

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
        """The condition as one readable line (screening.conditions.text spells out named sets too)."""
        if self.kind == "leaf":
            return f"{self.field} {self.op} {show(self.arg)}"
        if self.kind == "not":
            return f"not ({self.children[0].describe()})"
        joint = " and " if self.kind == "all" else " or "
        return "(" + joint.join(c.describe() for c in self.children) + ")"


def show(arg: Any) -> str:
    """An argument as written in the condition's line: lists in brackets, sets sorted, booleans in lower case."""
    if isinstance(arg, (list, tuple, frozenset, set)):
        return "[" + ", ".join(show(a) for a in (sorted(arg) if isinstance(arg, (set, frozenset)) else arg)) + "]"
    if isinstance(arg, dict):
        return "{" + ", ".join(f"{k}: {show(v)}" for k, v in arg.items()) + "}"
    if isinstance(arg, bool):
        return str(arg).lower()
    return str(arg)


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
