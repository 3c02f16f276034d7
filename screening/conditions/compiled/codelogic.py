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
    of the function computed (rules share sub-conditions: "a sensitive target") reuses its local: such
    shared parts are computed whatever the rule's value, at the function's top level (see ``prepare``); a
    rule's own parts may wait for a leaf or shared part that would make the rule false.
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


def prepare(w: Writer, node: Node) -> list[str]:
    """Emit the parts of the node that rules share, computed whatever its value (rules after read them).

    Return the locals that make the node false when one is, when the rest of it can wait for them: the node is an
    ``all`` of parts of its own and of leaves or shared parts (already computed). Else none.
    """

    def shared_parts(part: Node) -> None:
        if part.kind == "leaf":
            return
        if shape(part) in w.shared:
            value(w, part)
            return
        for child in part.children:
            shared_parts(child)

    shared_parts(node)
    if node.kind != "all" or shape(node) in w.shared:
        return []
    ready = [c for c in node.children if c.kind == "leaf" or shape(c) in w.shared]
    if not ready or len(ready) == len(node.children):
        return []
    return list(dict.fromkeys(value(w, c)[0] for c in ready))


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

    ``names`` holds the value of every part (see ``value``). See screening.conditions.explain.unknown_leaves.
    """
    if node.kind == "leaf":
        w.emit(f"{out}.append({node.field!r})")
    elif node.kind == "not":
        unknowns(w, node.children[0], names, out)
    else:
        for child in node.children:
            w.block(f"if {names[id(child)]} is None:", lambda child=child: unknowns(w, child, names, out))


# ---- the same facts as one expression: constant tuples chosen among and joined, no list built


class _If(NamedTuple):
    """Facts listed only when ``test`` holds: those ``then`` lists."""

    test: str
    then: list[Any]


class _Kept(NamedTuple):
    """The facts a part rules share lists (``plan``), listed once a case into local ``name`` and kept."""

    name: str
    plan: list[Any]


Plan = list[Any]
"""The facts a node lists, in order: constant tuples of facts, ``_If`` and ``_Kept`` parts."""


def support_plan(w: Writer, node: Node, known: Any, names: dict[int, str]) -> Plan:
    """What ``support`` appends, as a plan; a part rules share is listed once a case (see ``_Kept``): the facts
    are the part's whatever its place."""
    fixed = static_support(node, known)
    if fixed is not None:
        return [fixed]
    if node.kind == "not":
        plan = support_plan(w, node.children[0], _flip(known), names)
    elif node.kind == "all":
        plan = [part for c in node.children for part in support_plan(w, c, True if known is True else UNSET, names)]
    else:
        plan = [
            _If(
                names[id(c)] if known is True else f"{names[id(c)]} is {names[id(node)]}",
                support_plan(w, c, known if known is True else UNSET, names),
            )
            for c in node.children
        ]
    return _keep(w, node, f"s_{names[id(node)]}", plan)


def unknowns_plan(w: Writer, node: Node, names: dict[int, str]) -> Plan:
    """What ``unknowns`` appends, as a plan; a part rules share is listed once a case (see ``_Kept``)."""
    fixed = static_unknowns(node)
    if fixed is not None:
        return [fixed]
    if node.kind == "not":
        plan = unknowns_plan(w, node.children[0], names)
    else:
        plan = [_If(f"{names[id(c)]} is None", unknowns_plan(w, c, names)) for c in node.children]
    return _keep(w, node, f"u_{names[id(node)]}", plan)


def _keep(w: Writer, node: Node, name: str, plan: Plan) -> Plan:
    """A part rules share, when its facts are not a few constants to choose among, is listed once and kept."""
    if shape(node) not in w.shared or _few(plan):
        return plan
    w.kept.setdefault(name, None)
    return [_Kept(name, plan)]


CHOICES = 16
"""The most lists of facts a plan may give for it to be written as one choice among constant tuples."""


def _outcomes(plan: Plan) -> int:
    """How many lists of facts the plan can give, at most."""
    found = 1
    for part in plan:
        if isinstance(part, _If):
            found *= _outcomes(part.then) + 1
        elif isinstance(part, _Kept):
            return CHOICES + 1
    return found


def _few(plan: Plan) -> bool:
    return _outcomes(plan) <= CHOICES


def _choose(plan: Plan, listed: tuple[str, ...] = ()) -> str:
    """One expression choosing, by the plan's tests in the order the plan makes them, the tuple of facts it lists."""
    if not plan:
        return repr(listed)
    part, rest = plan[0], plan[1:]
    if not isinstance(part, _If):
        return _choose(rest, listed + part)
    return f"({_choose(part.then + rest, listed)} if {part.test} else {_choose(rest, listed)})"


def listing(plan: Plan) -> str:
    """An expression for the tuple of facts the plan lists, in order: runs of it with few outcomes are each one
    choice among constants, joined by ``+``; a kept part is its local, listed when first asked for (``:=``)."""
    pieces: list[str] = []
    run: Plan = []

    def close() -> None:
        if run:
            pieces.append(_choose(run))
            run.clear()

    for part in plan:
        if isinstance(part, _Kept):
            close()
            pieces.append(f"({part.name} if {part.name} is not None else ({part.name} := {listing(part.plan)}))")
        elif _few([*run, part]):
            run.append(part)
        elif _few([part]):
            close()
            run.append(part)
        else:  # a test guarding more lists than a choice holds
            close()
            pieces.append(f"({listing(part.then)} if {part.test} else ())")
    close()
    return " + ".join(pieces) or "()"
