"""Compile a whole rule pack into one Python function that evaluates every rule of a case at once.

The conditions' closures (screening.conditions) cost a call per node and a generator per
``all``/``any``; here each rule becomes a block of straight-line code in one generated function,
with the three-valued logic unrolled, each fact read once, and sets and patterns built once.
The generated text is kept (``Evaluator.source``) so it can be read, and tracebacks show it.
"""

from __future__ import annotations

import linecache
import re
from collections.abc import Callable, Sequence
from itertools import count
from typing import TYPE_CHECKING, Any, NamedTuple

from screening import codegen, codelogic
from screening.facts import AtLeast, PartialList

if TYPE_CHECKING:
    from screening.conditions import Node
    from screening.pack import Pack, Rule

_FILES = count()


class Outcome(NamedTuple):
    """Which rules of the sequence compiled came out true and which unknown on one case."""

    fired: tuple[int, ...]
    """Indexes, in the sequence compiled, of the rules whose condition is true."""
    undecided: tuple[int, ...]
    """Indexes of the rules whose condition is unknown."""


class Explained(NamedTuple):
    """An Outcome with, for each rule fired, its evidence, and for each undecided rule, its unknown facts."""

    fired: tuple[int, ...]
    undecided: tuple[int, ...]
    evidence: tuple[tuple[str, ...], ...]
    """Facts of the supporting leaves of each rule fired, in the order of ``fired``."""
    unknowns: tuple[tuple[str, ...], ...]
    """Facts of the unknown leaves of each undecided rule, in the order of ``undecided``."""


class Evaluator:
    """The rules of a pack compiled to Python: call it on a case's fact values."""

    def __init__(self, rules: Sequence[Rule]):
        main, singles = source(rules)
        self.source = main + singles
        """The generated Python text: ``evaluate`` and ``explain`` over every rule, then one function per rule."""
        self.run: Callable[[dict[str, Any]], Outcome]
        """The same as calling the evaluator, without the method call."""
        self.explain: Callable[[dict[str, Any]], Explained]
        """Outcome, evidence and unknown facts of every rule in one pass."""
        self.run, self.explain = _load(main)
        self._singles = singles
        self._rules: tuple[Callable[[dict[str, Any]], tuple[Any, tuple[str, ...], tuple[str, ...]]], ...] = ()

    def __call__(self, values: dict[str, Any]) -> Outcome:
        """Which rules fire and which are undecided on these fact values."""
        return self.run(values)

    def evidence(self, index: int, values: dict[str, Any]) -> tuple[str, ...]:
        """Facts of the leaves that support rule ``index``'s value (engine.supporting, in order)."""
        return self._rule(index)(values)[1]

    def unknowns(self, index: int, values: dict[str, Any]) -> tuple[str, ...]:
        """Facts of the leaves that leave rule ``index`` unknown (engine.unknown_leaves, in order)."""
        return self._rule(index)(values)[2]

    def _rule(self, index: int) -> Callable[[dict[str, Any]], tuple[Any, tuple[str, ...], tuple[str, ...]]]:
        if not self._rules:  # compiled on first use: the batch path (explain) does not need them
            self._rules = _load(self._singles)
        return self._rules[index]


def _load(text: str) -> Any:
    """Compile and run generated text; what its ``build`` returns."""
    name = f"<compiled rules {next(_FILES)}>"
    linecache.cache[name] = (len(text), None, text.splitlines(True), name)  # tracebacks show the code
    namespace: dict[str, Any] = {"re": re}
    exec(compile(text, name, "exec"), namespace)
    return namespace["build"](AtLeast, PartialList, Outcome, Explained)


def compile_pack(rules: Sequence[Rule]) -> Evaluator:
    """Generate, compile and load the evaluator of ``rules``."""
    return Evaluator(rules)


def source(rules: Sequence[Rule]) -> tuple[str, str]:
    """The Python text of the evaluator of ``rules``: the whole-pack functions, and one function per rule."""
    w = codegen.Writer()
    w.depth = 2
    functions = _function(w, "evaluate", rules, _decide) + _function(w, "explain", rules, _decide_and_explain)
    main = _module(w, f"The rule pack's {len(rules)} conditions, compiled by screening.compiled: one block per "
                   "rule.", functions, "evaluate, explain")
    w.constants = {}
    singles = [line for i, rule in enumerate(rules) for line in _function(w, f"rule_{i}", [rule], _value_and_explain)]
    names = "".join(f"rule_{i}, " for i in range(len(rules)))
    return main, _module(w, "Each rule on its own, to explain it: its value, evidence and unknown facts.", singles,
                         f"({names})")


def _module(w: codegen.Writer, title: str, functions: list[str], returned: str) -> str:
    head = [f"# {title}", "", "def build(AtLeast, PartialList, Outcome, Explained):"]
    head += [f"    {name} = {text}" for name, text in w.constants.items()]
    return "\n".join(head + [""] + functions + [f"    return {returned}"]) + "\n\n"


def _function(w: codegen.Writer, name: str, rules: Sequence[Rule], block: Callable[..., None]) -> list[str]:
    """One function of the values: read the facts the rules name, test each leaf once, then one block per rule."""
    w.lines, w.facts, w.leaves = [], {}, {}
    codegen.prelude(w, [leaf for rule in rules for leaf in _leaves(rule.condition)])
    results = {"evaluate": ("fired", "undecided"), "explain": ("fired", "undecided", "evidence", "unknowns")}
    for kept in results.get(name, ()):
        w.emit(f"{kept} = []")
        w.emit(f"{kept}_add = {kept}.append")
    for i, rule in enumerate(rules):
        w.emit(f"# {rule.id} {rule.name}")
        block(w, i if name in results else None, rule)
    make = {"evaluate": "Outcome", "explain": "Explained"}.get(name)
    if make:
        w.emit(f"return {make}(" + ", ".join(f"tuple({r})" for r in results[name]) + ")")
    else:
        w.emit("return r, tuple(e), tuple(u)")
    indent = "    " * 2
    reads = [indent + "get = values.get"] + [indent + f"{local} = get({path!r})" for path, local in w.facts.items()]
    return [f"    def {name}(values):" + (f"  # {rules[0].id}" if not make else "")] + reads + w.lines + [""]


def _leaves(node: Node) -> list[Node]:
    return [node] if node.kind == "leaf" else [leaf for c in node.children for leaf in _leaves(c)]


def _decide(w: codegen.Writer, index: int, rule: Rule) -> None:
    r, _ = codelogic.value(w, rule.condition)
    w.block(f"if {r} is True:", lambda: w.emit(f"fired_add({index})"))
    w.block(f"elif {r} is None:", lambda: w.emit(f"undecided_add({index})"))


def _decide_and_explain(w: codegen.Writer, index: int, rule: Rule) -> None:
    r, names = codelogic.value(w, rule.condition)

    def fired() -> None:
        w.emit(f"fired_add({index})")
        _collect(w, "evidence", codelogic.static_support(rule.condition, True),
                 lambda: codelogic.support(w, rule.condition, True, names, "e"))

    def undecided() -> None:
        w.emit(f"undecided_add({index})")
        _collect(w, "unknowns", codelogic.static_unknowns(rule.condition),
                 lambda: codelogic.unknowns(w, rule.condition, names, "e"))

    w.block(f"if {r} is True:", fired)
    w.block(f"elif {r} is None:", undecided)


def _collect(w: codegen.Writer, into: str, fixed: tuple[str, ...] | None, dynamic: Callable[[], None]) -> None:
    if fixed is not None:
        w.emit(f"{into}_add({fixed!r})")
        return
    w.emit("e = []")
    dynamic()
    w.emit(f"{into}_add(tuple(e))")


def _value_and_explain(w: codegen.Writer, _index: None, rule: Rule) -> None:
    r, names = codelogic.value(w, rule.condition)
    w.emit(f"r = {r}")
    w.emit("e = []")
    codelogic.support(w, rule.condition, codelogic.UNSET, names, "e")
    w.emit("u = []")
    w.block("if r is None:", lambda: codelogic.unknowns(w, rule.condition, names, "u"))


_CACHE: dict[int, tuple[Pack, Evaluator]] = {}
_KEEP = 8  # packs compiled and kept; a program that loads many packs (tests, fuzzing) compiles them again
_USES: dict[int, int] = {}
COMPILE_AFTER = 200
"""Cases a pack screens with its closures before screen() compiles it: compiling the default pack costs
about as much as interpreting that many cases' first passes (see docs/engine.md)."""


def evaluator(pack: Pack) -> Evaluator:
    """The evaluator of the pack's rules, compiled on first use and kept with the pack."""
    found = _CACHE.get(id(pack))
    if found is not None and found[0] is pack:
        return found[1]
    compiled = compile_pack(pack.rules)
    if len(_CACHE) >= _KEEP:
        del _CACHE[next(iter(_CACHE))]
    _CACHE[id(pack)] = (pack, compiled)  # the pack is kept so that its id is not reused while cached
    return compiled


def for_screening(pack: Pack) -> Evaluator | None:
    """The pack's evaluator if it is compiled, or once the pack has screened COMPILE_AFTER cases; else None."""
    found = _CACHE.get(id(pack))
    if found is not None and found[0] is pack:
        return found[1]
    uses = _USES.get(id(pack), 0) + 1  # a count left by a freed pack only moves its successor's compile earlier
    if uses < COMPILE_AFTER:
        if len(_USES) > 64:
            _USES.clear()
        _USES[id(pack)] = uses
        return None
    _USES.pop(id(pack), None)
    return evaluator(pack)
