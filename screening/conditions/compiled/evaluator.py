"""Compile a whole rule pack into one Python function that evaluates every rule of a case at once.

The conditions' closures (screening.conditions.compile) cost a call per node and a generator per
``all``/``any``. The generated function reads each fact once, makes each distinct leaf test once (see
screening.conditions.compiled.codegen), then gives each rule a block of straight-line code combining the
leaves under three-valued logic (screening.conditions.compiled.codelogic). The text is kept
(``Evaluator.source``) to be read, and tracebacks show it. Which evaluator runs is chosen in one place:
screening.conditions.evaluate.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cached_property
from itertools import count
from typing import TYPE_CHECKING, Any, NamedTuple

from screening.case.values import BOUNDS, PartialList
from screening.conditions.operators import compare
from screening.infra.kept import Kept

if TYPE_CHECKING:
    from screening.conditions.evaluate import Ruled, RuleSet

_FILES = count()


class Outcome(NamedTuple):
    """Which rules of a rule set came out true and which unknown on one case."""

    fired: tuple[int, ...]
    """Indexes, in the rule set, of the rules whose condition is true."""
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

    def __init__(self, rules: Sequence[Ruled]):
        from screening.conditions.compiled.source import (
            source,  # only when compiling: screen() imports this module every time
        )

        self._evaluate, self._explain, self._singles = source(rules)
        self.source = self._evaluate + self._explain + self._singles
        """The generated Python text: ``evaluate`` and ``explain`` over every rule, then one function per rule."""
        self._rules: tuple[Callable[[dict[str, Any]], tuple[Any, tuple[str, ...], tuple[str, ...]]], ...] = ()

    @cached_property
    def run(self) -> Callable[[dict[str, Any]], Outcome]:
        """The same as calling the evaluator, without the method call (compiled on first use: a batch's rows and
        the filing brief's reaches need one pass each, not both; compiling a pass takes memory the process keeps)."""
        found: Callable[[dict[str, Any]], Outcome] = _load(self._evaluate)
        return found

    @cached_property
    def explain(self) -> Callable[[dict[str, Any]], Explained]:
        """Outcome, evidence and unknown facts of every rule in one pass (compiled on first use)."""
        found: Callable[[dict[str, Any]], Explained] = _load(self._explain)
        return found

    def __call__(self, values: dict[str, Any]) -> Outcome:
        """Which rules fire and which are undecided on these fact values."""
        return self.run(values)

    def evidence(self, index: int, values: dict[str, Any]) -> tuple[str, ...]:
        """Facts of the leaves that support rule ``index``'s value (explain.supporting, in order)."""
        return self._rule(index)(values)[1]

    def unknowns(self, index: int, values: dict[str, Any]) -> tuple[str, ...]:
        """Facts of the leaves that leave rule ``index`` unknown (explain.unknown_leaves, in order)."""
        return self._rule(index)(values)[2]

    def _rule(self, index: int) -> Callable[[dict[str, Any]], tuple[Any, tuple[str, ...], tuple[str, ...]]]:
        if not self._rules:  # compiled on first use: the batch path (explain) does not need them
            self._rules = _load(self._singles)
        return self._rules[index]


def _load(text: str) -> Any:
    """Compile and run generated text; what its ``build`` returns."""
    import linecache

    name = f"<compiled rules {next(_FILES)}>"
    linecache.cache[name] = (len(text), None, text.splitlines(True), name)  # tracebacks show the code
    namespace: dict[str, Any] = {"re": re}
    exec(compile(text, name, "exec"), namespace)
    return namespace["build"](BOUNDS, PartialList, compare, Outcome, Explained)


def compile_pack(rules: Sequence[Ruled]) -> Evaluator:
    """Generate, compile and load the evaluator of ``rules``."""
    return Evaluator(rules)


_COMPILED = Kept(8)  # packs compiled and kept; a program that loads many packs (tests, fuzzing) compiles them again


def evaluator(pack: RuleSet) -> Evaluator:
    """The evaluator of the pack's rules, compiled on first use and kept with the pack."""
    found = cached(pack)
    return found if found is not None else _COMPILED.put(pack, compile_pack(pack.rules))


def cached(pack: RuleSet) -> Evaluator | None:
    """The pack's evaluator if it has been compiled, else None."""
    found: Evaluator | None = _COMPILED.get(pack)
    return found
