"""Write the leaves of compiled conditions as straight-line Python: each fact read once, each test made once.

Each operator writes its own test (``Operator.code``, screening.conditions.operators); this module
arranges them: one read per fact, the tests of one fact after one check that it is known, the kinds of a
value asked once per fact, a complete empty list deciding every list test at once, and one pass over a
list of records for every pattern tested on it.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from typing import Any

from screening.conditions import operators
from screening.conditions.operators import OPERATORS, Kinds, Pattern
from screening.conditions.tree import Node


class Writer:
    """Lines of source with indentation, fresh local names and the constants they refer to."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.depth = 1
        self.count = 0
        self.constants: dict[str, str] = {}
        """Name -> the expression that builds it, once, outside the evaluating functions."""
        self.facts: dict[str, str] = {}
        """Fact path -> the local name its value is read into."""
        self.leaves: dict[Any, str] = {}
        """Leaf test (see ``key``) -> the local name its truth is kept in."""
        self.parts: dict[tuple[str, tuple[str, ...]], str] = {}
        """(all, any or not; the locals of its parts) -> the local the combination's truth is kept in."""
        self.shared: set[Any] = set()
        """Shapes of the parts that occur more than once in the function's rules (see codelogic.shared)."""
        self.kept: dict[str, None] = {}
        """Locals keeping the facts a wide shared part lists, listed once a case (see codelogic._Kept)."""

    def emit(self, line: str) -> None:
        self.lines.append("    " * self.depth + line)

    def block(self, header: str, body: Any) -> None:
        """``header:`` followed by what ``body()`` emits, indented one level."""
        self.emit(header)
        self.depth += 1
        body()
        self.depth -= 1

    def fresh(self, prefix: str) -> str:
        """A local name not used since the last ``restart``."""
        self.count += 1
        return f"{prefix}{self.count}"

    def restart(self) -> None:
        """Number fresh names from the start again, once the locals named so far are no longer read: a
        function's every local is a slot set and cleared on each call, so fewer locals make a cheaper call."""
        self.count = 0

    def fact(self, path: str) -> str:
        if path not in self.facts:
            name = "f_" + re.sub(r"\W", "_", path)
            while name in self.facts.values():
                name += "_"
            self.facts[path] = name
        return self.facts[path]

    def leaf(self, node: Node) -> str:
        """The local holding a leaf's truth: leaves that test the same fact alike share it."""
        return self.leaves.setdefault(key(node), f"L{len(self.leaves)}")

    def constant(self, value: Any, hint: str = "") -> str:
        """A literal for plain values, else a named constant built once (sets, tables, patterns, odd floats)."""
        if _plain(value):
            return repr(value)
        if isinstance(value, frozenset):
            items = ", ".join(repr(v) if _plain(v) else f"float({str(v)!r})" for v in sorted(value, key=repr))
            text = f"frozenset({{{items}}})"
        elif isinstance(value, re.Pattern):
            text = f"re.compile({value.pattern!r}, {int(value.flags)})"
        elif isinstance(value, dict):
            text = "{" + ", ".join(f"{k!r}: {v!r}" for k, v in sorted(value.items(), key=repr)) + "}"
        else:
            text = f"float({str(value)!r})"
        for name, known in self.constants.items():
            if known == text:
                return name
        name = re.sub(r"\W", "_", hint).upper() if hint else f"K{len(self.constants)}"
        while name in self.constants:
            name += "_"
        self.constants[name] = text
        return name


def _plain(value: Any) -> bool:
    """Whether ``repr`` writes the value as a Python literal (infinities and NaN it does not)."""
    return isinstance(value, (str, bool, int)) or (isinstance(value, float) and math.isfinite(value))


def combine(w: Writer, kind: str, parts: list[Callable[[], str]], out: str) -> None:
    """Kleene ``all`` or ``any`` into ``out`` of parts, each emitting its truth and returning its local.

    A part runs only while the result is undecided, so each part evaluated leaves its value in its local.
    """
    stop, keep = ("False", "True") if kind == "all" else ("True", "False")

    def rest(i: int) -> None:
        name = parts[i]()
        if i == 0:
            w.emit(f"{out} = {name}")
        else:  # out is not `stop` here: the part decides unless out is already unknown
            w.emit(f"if {name} is {stop} or {out} is {keep}:")
            w.emit(f"    {out} = {name}")
        if i + 1 < len(parts):
            w.block(f"if {out} is not {stop}:", lambda: rest(i + 1))

    rest(0)


def key(node: Node) -> Any:
    """What makes two leaves the same test."""
    return node.field, node.op, _canon(node.value)


def _canon(value: Any) -> Any:
    if isinstance(value, frozenset):
        return "set", tuple(sorted(_canon(v) for v in value))
    if isinstance(value, dict):
        return "pattern", tuple((k, op, _canon(v)) for k, (op, v) in value.items())
    if isinstance(value, tuple):
        return "pair", tuple(_canon(v) for v in value)
    if isinstance(value, re.Pattern):
        return "re", value.pattern, value.flags
    return type(value).__name__, repr(value)


def _set_name(node: Node) -> str:
    raw = [k for k in node.spec if k != "field"]
    named = node.spec.get(raw[0]) if raw else None
    return f"set_{named}" if isinstance(named, str) and OPERATORS[node.op].sets else ""


def prelude(w: Writer, leaves: list[Node]) -> None:
    """Emit the truth of every distinct leaf, fact by fact: none of a fact's tests runs when it is unknown."""
    by_fact: dict[str, dict[str, Node]] = {}
    for node in leaves:
        by_fact.setdefault(node.field, {}).setdefault(w.leaf(node), node)
    for path, tests in by_fact.items():
        w.restart()  # a fact's temporaries (its kinds, records, keys, parts) are not read after its tests
        v = w.fact(path)
        for name, node in tests.items():
            if OPERATORS[node.op].total:  # it decides an unknown value too
                leaf(w, node.op, node.value, _set_name(node), v, name)
        rest = {n: t for n, t in tests.items() if not OPERATORS[t.op].total}
        if rest:
            w.emit(f"# {path}")
            w.emit(f"if {v} is None:")
            w.emit("    " + " = ".join(rest) + " = None")
            if all(OPERATORS[t.op].on_empty_list is not None for t in rest.values()):
                _empty_list(w, v, rest)
            if all(_compares(t) for t in rest.values()):
                _compare(w, v, {name: (node.op, node.value, _set_name(node)) for name, node in rest.items()})
            else:
                w.block("else:", lambda v=v, rest=rest: _known(w, v, rest))


def _compares(node: Node) -> bool:
    """Whether the leaf compares a scalar with its argument (equals, in, gt, between...)."""
    return bool(OPERATORS[node.op].expr) and not isinstance(node.value, Pattern)


def _compare(w: Writer, v: str, tests: dict[str, tuple[str, Any, str]]) -> None:
    """Comparisons of one known value (out -> operator, argument, hint): on an exact value (not a bound, as most
    are: asked first of its class) each written as its plain expression, on a bound through ``compare``."""
    written = {out: operators.compared(w, OPERATORS[op], arg, hint, v) for out, (op, arg, hint) in tests.items()}
    w.emit(f"elif {v}.__class__ in Exact or not isinstance({v}, Bound):")
    for out, (exact, _) in written.items():
        w.emit(f"    {out} = {exact}")
    w.emit("else:")
    for out, (_, bound) in written.items():
        w.emit(f"    {out} = {bound}")


def _known(w: Writer, v: str, tests: dict[str, Node]) -> None:
    """The tests of one fact whose value is not None: each asks the value's kind once."""
    patterns = {n: t for n, t in tests.items() if isinstance(t.value, Pattern)}
    asked = {kind for n, t in tests.items() for kind in (("partial",) if n in patterns else OPERATORS[t.op].asks)}
    kinds = {"bound": "", "partial": "", "islist": ""}
    for kind, prefix, test in (
        ("bound", "a", f"{v}.__class__ not in Exact and isinstance({v}, Bound)"),
        ("partial", "pl", f"{v}.__class__ is not list and isinstance({v}, PartialList)"),  # most lists are plain
        ("islist", "il", f"{v}.__class__ is list or isinstance({v}, list)"),
    ):
        if kind in asked:
            kinds[kind] = w.fresh(prefix)
            w.emit(f"{kinds[kind]} = {test}")
    for name, node in tests.items():
        if name not in patterns:
            leaf(w, node.op, node.value, _set_name(node), v, name, Kinds.of(v, **kinds))
    if patterns:
        _scan(w, v, patterns, kinds["partial"])


def _empty_list(w: Writer, v: str, tests: dict[str, Node]) -> None:
    """A complete empty list decides every list test at once (nothing is contained, it is empty)."""
    truths: dict[str, list[str]] = {"False": [], "True": []}
    for name, node in tests.items():
        decide = OPERATORS[node.op].on_empty_list
        assert decide is not None
        truths["True" if decide(node.value) else "False"].append(name)
    w.emit(f"elif not {v} and {v}.__class__ is list:")
    for truth, names in truths.items():
        if names:
            w.emit("    " + " = ".join(names) + f" = {truth}")


def leaf(w: Writer, op: str, arg: Any, hint: str, v: str, out: str, kinds: Kinds | None = None) -> None:
    """Emit one operator's three-valued test of local ``v`` into ``out`` (``v`` known not to be None, unless
    the operator is total); ``kinds`` names locals telling what ``v`` is, when they were computed."""
    OPERATORS[op].code(w, arg, hint, v, out, kinds or Kinds.of(v))


def _scan(w: Writer, v: str, patterns: dict[str, Node], partial: str) -> None:
    """One pass over the records of ``v`` for every pattern tested on them (Kleene ``any`` over records).

    A pattern is true as soon as one record matches, else unknown when a record could not be decided
    or the list is partial, else false. Patterns that test a key against text are gated on it: one
    table look-up per record tells which of them that key matches (see ``_gate``), and only those, or
    all of them when the key is missing, go on to test their other keys.
    """
    x = w.fresh("x")
    gated: dict[str, dict[str, Node]] = {}  # the first key each pattern tests against text -> patterns
    for name, node in patterns.items():
        key = next((k for k, spec in node.value.items() if _texts(*spec) is not None), None)
        if key is not None:
            gated.setdefault(key, {})[name] = node
    single = {n for names in gated.values() for n, t in names.items() if len(t.value) == 1}
    other = [n for n in patterns if n not in single]
    keys = {k: w.fresh("y") for k in dict.fromkeys(k for t in patterns.values() for k in t.value)}
    masks = {k: (w.fresh("m"), w.fresh("k")) for k, names in gated.items() if single & set(names)}
    for mask, unknown in masks.values():
        w.emit(f"{mask} = 0")
        w.emit(f"{unknown} = 0")
    if other:
        w.emit(" = ".join(other) + " = False")

    def each() -> None:
        for k, y in keys.items():
            w.emit(f"{y} = {x}.get({k!r})")
        for k, names in gated.items():
            hit, missing = _gate(w, keys[k], names, masks.get(k))
            going = [
                (1 << bit, name, [(key, spec) for key, spec in node.value.items() if key != k])
                for bit, (name, node) in enumerate(names.items())
            ]
            going = [(bit, name, rest) for bit, name, rest in going if rest]
            # a record's key matches a few patterns' text at most: the bits are asked only when one is set (a bit
            # is never both in ``hit`` and in ``missing``, and each pattern gathers into its own local)
            for bits, gate in ((hit, True), (missing, None)):
                if going:
                    w.block(
                        f"if {bits}:",
                        lambda bits=bits, gate=gate, going=going: _going(w, keys, going, bits, gate),
                    )
        for name in other:
            if not any(name in names for names in gated.values()):
                _record(w, keys, list(patterns[name].value.items()), name, True)

    w.block(f"for {x} in {v}:", each)

    def asked(name: str) -> dict[str, tuple[str, ...]]:
        asks = {}
        for key, (op, arg) in patterns[name].value.items():
            texts = OPERATORS[op].texts(arg)
            if texts is not None:
                asks[key] = tuple(sorted(texts))
        return asks

    complete_on = ""
    if any(asked(name) for name in patterns):  # read once: most lists are complete on nothing
        complete_on = w.fresh("co")
        w.emit(f"{complete_on} = getattr({v}, 'complete_on', None) if {partial} else None")

    def open_(name: str) -> str:
        """Whether the list may hold a record the pattern asks for that it does not show (operators.covered):
        it is partial, and not complete for the values the pattern accepts of any key. (A key asked to be one
        of no texts makes every list complete for it: then never.)"""
        asks = asked(name)
        if not asks:
            return partial
        if any(not texts for texts in asks.values()):
            return "False"
        c = complete_on
        every = f"any(set(a) <= {c}.get(k, frozenset()) for k, a in {w.constant(asks)}.items())"
        return f"({partial} and not ({c} and {every}))"

    for k, (mask, unknown) in masks.items():
        bits = [(1 << bit, name) for bit, name in enumerate(gated[k]) if name in single]

        def undecided(mask: str = mask, unknown: str = unknown, bits: list[tuple[int, str]] = bits) -> None:
            for bit, name in bits:
                w.emit(f"{name} = True if {mask} & {bit} else (None if {unknown} & {bit} or {open_(name)} else False)")

        def decided(mask: str = mask, bits: list[tuple[int, str]] = bits) -> None:
            for bit, name in bits:
                w.emit(f"{name} = {mask} & {bit} != 0")

        # most lists are plain and their records decide the key: then each pattern is whether a record matched it
        w.block(f"if {unknown} or {partial}:", undecided)
        w.block("else:", decided)
    if other:

        def partial_list() -> None:
            for name in other:
                w.emit(f"if {open_(name)}:")
                w.emit(f"    {name} = {name} or None")

        w.block(f"if {partial}:", partial_list)


def _texts(op: str, arg: Any) -> tuple[str, ...] | None:
    """The texts a key's test is true for, when it is an equality on text."""
    return OPERATORS[op].texts(arg)


def _exact(op: str, y: str, arg: Any, w: Writer) -> str:
    """The test of an exact value (neither None nor a bound) as one expression."""
    a = tuple(w.constant(x) for x in arg) if isinstance(arg, tuple) else w.constant(arg)
    return OPERATORS[op].expr.format(v=y, a=a)


def _gate(w: Writer, y: str, names: dict[str, Node], mask: tuple[str, str] | None) -> tuple[str, str]:
    """Test one key of a record against the text of every pattern gated on it, with one table look-up.

    Emits the bits of the patterns it matches and the bits of those it leaves undecided (every one when the
    key is missing; on a bound, a range of days, those ``compare`` leaves unknown, as the closures do); a
    value neither text nor a bound is compared as the closures compare it.
    One-key patterns gather their bits and undecided bits over the records in ``mask``.
    """
    table: dict[str, int] = {}
    tests = []
    for bit, node in enumerate(names.values()):
        op, arg = next(spec for spec in node.value.values() if _texts(*spec) is not None)
        tests.append((op, arg, 1 << bit))
        for text in _texts(op, arg) or ():
            table[text] = table.get(text, 0) | 1 << bit
    every = (1 << len(tests)) - 1
    direct = bool(mask) and all(len(node.value) == 1 for node in names.values())  # no pattern goes on
    hit, missing = (mask[0], mask[1]) if mask and direct else (w.fresh("g"), w.fresh("z"))
    op_ = "|=" if direct else "="
    w.emit(f"if {y}.__class__ is str:")
    w.emit(f"    {hit} {op_} {w.constant(table)}.get({y}, 0)")
    if not direct:
        w.emit(f"    {missing} = 0")
    w.emit(f"elif {y} is None:")
    if not direct:
        w.emit(f"    {hit} = 0")
    w.emit(f"    {missing} {op_} {every}")
    w.emit(f"elif isinstance({y}, Bound):")
    if not direct:
        w.emit(f"    {hit} = {missing} = 0")
    t = w.fresh("t")
    for op, arg, bit in tests:
        w.emit(f"    {t} = compare({op!r}, {y}, {w.constant(arg)})")
        w.emit(f"    if {t} is True:")
        w.emit(f"        {hit} |= {bit}")
        w.emit(f"    elif {t} is None:")
        w.emit(f"        {missing} |= {bit}")
    w.emit("else:")
    if not direct:
        w.emit(f"    {hit} = {missing} = 0")
    for op, arg, bit in tests:
        w.emit(f"    if {_exact(op, y, arg, w)}:")
        w.emit(f"        {hit} |= {bit}")
    if direct:
        return "", ""
    if mask:
        w.emit(f"{mask[0]} |= {hit}")
        w.emit(f"{mask[1]} |= {missing}")
    return hit, missing


def _going(
    w: Writer, keys: dict[str, str], going: list[tuple[int, str, list[tuple[str, Any]]]], bits: str, gate: bool | None
) -> None:
    """The rest of each pattern whose bit is set in ``bits``, given its gate key's truth (True or None)."""
    for bit, name, rest in going:
        w.block(f"if {bits} & {bit}:", lambda name=name, rest=rest: _record(w, keys, rest, name, gate))


def _record(w: Writer, keys: dict[str, str], tests: list[tuple[str, Any]], name: str, gate: bool | None) -> None:
    """The rest of a pattern on one record, given its gate key's truth (True or None), gathered into ``name``."""
    if len(tests) == 1:  # one test: its local is the rest's truth
        u = _part(w, keys[tests[0][0]], tests[0][1])
    else:
        u = w.fresh("u")
        combine(w, "all", [functools.partial(_part, w, keys[k], spec) for k, spec in tests], u)
    if gate is True:
        w.emit(f"if {u} is True:")
        w.emit(f"    {name} = True")
        w.emit(f"elif {u} is None and {name} is False:")
        w.emit(f"    {name} = None")
    else:  # an undecided gate: the record is false only if the rest is
        w.emit(f"if {u} is not False and {name} is False:")
        w.emit(f"    {name} = None")


def _part(w: Writer, y: str, spec: tuple[str, Any]) -> str:
    out = w.fresh("p")
    if OPERATORS[spec[0]].total:  # a test that a missing value decides
        leaf(w, spec[0], spec[1], "", y, out)
        return out
    w.emit(f"if {y} is None:")
    w.emit(f"    {out} = None")
    if OPERATORS[spec[0]].expr:
        _compare(w, y, {out: (spec[0], spec[1], "")})
    else:
        w.block("else:", lambda: leaf(w, spec[0], spec[1], "", y, out))
    return out
