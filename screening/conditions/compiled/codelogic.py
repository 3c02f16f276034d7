"""Write the all/any/not structure of a condition as straight-line Python over the leaves' truths."""

from __future__ import annotations

from typing import Any

from screening.conditions.compiled.codegen import Writer
from screening.conditions.tree import Node

UNSET = object()
"""A node's value, to the generator: not known before the case is seen."""


def value(w: Writer, node: Node) -> tuple[str, dict[int, str]]:
    """Emit code computing the truth of the node and of every part of it; return the local of each by id.

    Leaves are computed beforehand (see codegen.prelude), so a part costs a few comparisons of
    locals: evaluating every part is cheaper than branching around them, and leaves each part's
    value at hand to explain the result. A part that combines the same parts alike as one an earlier rule
    of the function computed (rules share sub-conditions: "a sensitive target") reuses its local: every
    part is computed unconditionally, at the function's top level.
    """
    if node.kind == "leaf":
        name = w.leaf(node)
        return name, {id(node): name}
    names: dict[int, str] = {}
    parts = []
    for child in node.children:
        name, below = value(w, child)
        names.update(below)
        parts.append(name)
    shape = (node.kind, tuple(parts))
    if shape in w.parts:  # the same combination of the same parts, already computed for an earlier rule
        names[id(node)] = w.parts[shape]
        return w.parts[shape], names
    out = w.parts[shape] = w.fresh("c")
    if node.kind == "not":
        w.emit(f"{out} = None if {parts[0]} is None else not {parts[0]}")
    else:
        stop, keep = ("False", "True") if node.kind == "all" else ("True", "False")
        w.emit(
            f"{out} = {stop} if {' or '.join(f'{p} is {stop}' for p in parts)} else "
            f"(None if {' or '.join(f'{p} is None' for p in parts)} else {keep})"
        )
    names[id(node)] = out
    return out, names


def _flip(known: Any) -> Any:
    return (not known) if isinstance(known, bool) else UNSET


def static_support(node: Node, known: Any) -> tuple[str, ...] | None:
    """The supporting leaves' facts when the node's value fixes them, else None (they depend on the case)."""
    if node.kind == "leaf":
        return (node.field,)
    if node.kind == "not":
        return static_support(node.children[0], _flip(known))
    if node.kind == "any" and known is not False:
        return None  # only the children that came out as the node did support it
    below = known if node.kind == "any" or known is True else UNSET  # any False: every child is False
    found = [static_support(c, below) for c in node.children]
    return None if any(f is None for f in found) else tuple(f for part in found for f in part or ())


def support(w: Writer, node: Node, known: Any, names: dict[int, str], out: str) -> None:
    """Emit code appending to list ``out`` the facts of the leaves that made the node come out as it did.

    ``known`` is the node's value when the code runs, or UNSET; ``names`` holds the value of every part
    (see ``value``). See screening.conditions.explain.supporting.
    """
    fixed = static_support(node, known)
    if fixed is not None:
        w.emit(f"{out}.append({fixed[0]!r})" if len(fixed) == 1 else f"{out} += {fixed!r}")
    elif node.kind == "not":
        support(w, node.children[0], _flip(known), names, out)
    elif node.kind == "all":
        for child in node.children:
            support(w, child, True if known is True else UNSET, names, out)
    else:  # any: the children that came out as it did
        for child in node.children:
            same = "True" if known is True else names[id(node)]
            w.block(
                f"if {names[id(child)]} is {same}:",
                lambda child=child: support(w, child, known if known is True else UNSET, names, out),
            )


def static_unknowns(node: Node) -> tuple[str, ...] | None:
    """The unknown leaves' facts of an unknown node when they do not depend on the case, else None."""
    while node.kind == "not":
        node = node.children[0]
    return (node.field,) if node.kind == "leaf" else None


def unknowns(w: Writer, node: Node, names: dict[int, str], out: str) -> None:
    """Emit code appending to ``out`` the facts of the leaves that leave an unknown node unknown.

    ``names`` holds the value of every part (see ``value``). See screening.conditions.explain.unknown_leaves.
    """
    if node.kind == "leaf":
        w.emit(f"{out}.append({node.field!r})")
    elif node.kind == "not":
        unknowns(w, node.children[0], names, out)
    else:
        for child in node.children:
            w.block(f"if {names[id(child)]} is None:", lambda child=child: unknowns(w, child, names, out))
