"""Write the all/any/not structure of a condition as straight-line Python over the leaves' truths."""

from __future__ import annotations

from typing import Any, NamedTuple

from screening.conditions.compiled.codegen import Writer, key
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
    elif node.kind == "all":  # Python's `and` is Kleene's once no part but perhaps the first is false
        later = " or ".join(f"{p} is False" for p in parts[1:])
        joint = " and ".join(parts)
        w.emit(f"{out} = False if {later} else ({joint})" if later else f"{out} = {joint}")
    else:  # only True is true among True, None and False
        w.emit(
            f"{out} = True if {' or '.join(parts)} else "
            f"(None if {' or '.join(f'{p} is None' for p in parts)} else False)"
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


def shared(rules: list[Node]) -> set[Any]:
    """The shapes (see ``shape``) of the combinations that occur more than once in these conditions."""
    seen: dict[Any, int] = {}

    def walk(node: Node) -> None:
        if node.kind != "leaf":
            seen[shape(node)] = seen.get(shape(node), 0) + 1
            for child in node.children:
                walk(child)

    for node in rules:
        walk(node)
    return {found for found, times in seen.items() if times > 1}


def shape(node: Node) -> Any:
    """What makes two parts the same combination of the same tests (and so of the same facts)."""
    if node.kind == "leaf":
        return key(node)
    return node.kind, tuple(shape(child) for child in node.children)


def _kept(w: Writer, node: Node, names: dict[int, str], prefix: str, out: str, body: Any) -> bool:
    """For a part shared by rules: ``out`` gets the facts it lists, gathered in a list of their own the first time
    a rule asks (``body(list)`` emits the gathering), and kept for the rules after it. False for other parts."""
    if node.kind == "leaf" or shape(node) not in w.shared:
        return False
    kept = f"{prefix}_{names[id(node)]}"
    w.kept.setdefault(kept, None)

    def gather() -> None:
        w.emit(f"{kept} = []")
        body(kept)

    w.block(f"if {kept} is None:", gather)
    w.emit(f"{out} += {kept}")
    return True


def support(w: Writer, node: Node, known: Any, names: dict[int, str], out: str) -> None:
    """Emit code appending to list ``out`` the facts of the leaves that made the node come out as it did.

    ``known`` is the node's value when the code runs, or UNSET; ``names`` holds the value of every part
    (see ``value``). See screening.conditions.explain.supporting: the facts are the node's whatever the
    node's place, so a part rules share gathers them once a case (see ``_kept``).
    """
    fixed = static_support(node, known)
    if fixed is not None:
        w.emit(f"{out}.append({fixed[0]!r})" if len(fixed) == 1 else f"{out} += {fixed!r}")
    elif _kept(w, node, names, "s", out, lambda into: _support(w, node, known, names, into)):
        return
    else:
        _support(w, node, known, names, out)


def _support(w: Writer, node: Node, known: Any, names: dict[int, str], out: str) -> None:
    if node.kind == "not":
        support(w, node.children[0], _flip(known), names, out)
    elif node.kind == "all":
        for child in node.children:
            support(w, child, True if known is True else UNSET, names, out)
    else:  # any: the children that came out as it did
        for child in node.children:
            test = names[id(child)] if known is True else f"{names[id(child)]} is {names[id(node)]}"
            w.block(
                f"if {test}:",
                lambda child=child: support(w, child, known if known is True else UNSET, names, out),
            )


def static_unknowns(node: Node) -> tuple[str, ...] | None:
    """The unknown leaves' facts of an unknown node when they do not depend on the case, else None."""
    while node.kind == "not":
        node = node.children[0]
    return (node.field,) if node.kind == "leaf" else None


def unknowns(w: Writer, node: Node, names: dict[int, str], out: str) -> None:
    """Emit code appending to ``out`` the facts of the leaves that leave an unknown node unknown.

    ``names`` holds the value of every part (see ``value``). See screening.conditions.explain.unknown_leaves: a
    part rules share gathers them once a case (see ``_kept``).
    """
    fixed = static_unknowns(node)
    if fixed is not None:
        w.emit(f"{out}.append({fixed[0]!r})")
    elif not _kept(w, node, names, "u", out, lambda into: _unknowns(w, node, names, into)):
        _unknowns(w, node, names, out)


def _unknowns(w: Writer, node: Node, names: dict[int, str], out: str) -> None:
    if node.kind == "not":
        unknowns(w, node.children[0], names, out)
    else:
        for child in node.children:
            w.block(f"if {names[id(child)]} is None:", lambda child=child: unknowns(w, child, names, out))


class _If(NamedTuple):
    """Facts listed only when ``test`` holds: those ``then`` lists."""

    test: str
    then: list[Any]


Plan = list[Any]
"""The facts a node lists, in order: constant tuples of facts and ``_If`` parts."""


def _support_plan(node: Node, known: Any, names: dict[int, str]) -> Plan:
    """What ``support`` emits, as a plan."""
    fixed = static_support(node, known)
    if fixed is not None:
        return [fixed]
    if node.kind == "not":
        return _support_plan(node.children[0], _flip(known), names)
    if node.kind == "all":
        return [part for c in node.children for part in _support_plan(c, True if known is True else UNSET, names)]
    return [
        _If(
            names[id(c)] if known is True else f"{names[id(c)]} is {names[id(node)]}",
            _support_plan(c, known if known is True else UNSET, names),
        )
        for c in node.children
    ]


def _unknowns_plan(node: Node, names: dict[int, str]) -> Plan:
    """What ``unknowns`` emits, as a plan."""
    fixed = static_unknowns(node)
    if fixed is not None:
        return [fixed]
    if node.kind == "not":
        return _unknowns_plan(node.children[0], names)
    return [_If(f"{names[id(c)]} is None", _unknowns_plan(c, names)) for c in node.children]


def _outcomes(plan: Plan) -> int:
    """How many lists of facts the plan can give, at most."""
    found = 1
    for part in plan:
        if isinstance(part, _If):
            found *= _outcomes(part.then) + 1
    return found


def _choose(plan: Plan, listed: tuple[str, ...] = ()) -> str:
    """One expression choosing, by the plan's tests in the order the plan makes them, the tuple of facts it lists."""
    if not plan:
        return repr(listed)
    part, rest = plan[0], plan[1:]
    if not isinstance(part, _If):
        return _choose(rest, listed + part)
    return f"({_choose(part.then + rest, listed)} if {part.test} else {_choose(rest, listed)})"


CHOICES = 16
"""The most lists of facts a node may give for them to be chosen among constants rather than gathered in a list."""


def supporting_choice(node: Node, known: Any, names: dict[int, str]) -> str | None:
    """``support`` as one expression choosing among constant tuples (no list built), when there are few to choose
    among; else None."""
    plan = _support_plan(node, known, names)
    return _choose(plan) if _outcomes(plan) <= CHOICES else None


def unknowns_choice(node: Node, names: dict[int, str]) -> str | None:
    """``unknowns`` of an unknown node as one expression choosing among constant tuples, when there are few; else
    None."""
    plan = _unknowns_plan(node, names)
    return _choose(plan) if _outcomes(plan) <= CHOICES else None
