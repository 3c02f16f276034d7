"""The one way to evaluate the conditions of a rule set on a case, and the choice of evaluator it owns.

There are two evaluators, with the same answers (tests/test_compiled.py checks it on every case, every rule
example, a pack using every operator and random conditions on random facts):

* ``closures``: each condition's tree of closures (``Node.check``), built when the pack is loaded. Nothing
  more to build; the default pack's 125 rules cost about 0.4 ms a case.
* ``compiled``: the whole rule set written as one generated Python function (screening.conditions.compiled),
  several times faster a case, but compiling it costs 0.1 to 0.2 s for the default pack: as much as a few
  hundred cases through the closures.

``how`` chooses:

* ``"closures"`` or ``"compiled"`` (compiled on first use, kept with the rule set: see ``prepare``);
* ``"auto"`` (the default): the compiled evaluator when the rule set has one already; otherwise the
  closures, counting the evaluations of each rule set, until a rule set has been evaluated
  ``COMPILE_AFTER`` times, when it is compiled. So ``screening screen`` on a few cases never pays for
  compiling (nor imports the code generator), and a long run in one process gets the compiled pass after
  a cost it has already paid many times over. ``screening batch`` compiles up front (``prepare``) in each
  worker.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, Protocol

from screening.conditions.explain import trace, unknown_leaves
from screening.conditions.tree import Node

if TYPE_CHECKING:
    from screening.conditions.compiled.evaluator import Evaluator

    class Ruled(Protocol):
        """Anything with an id, a name and a compiled condition: a rule, a filing trigger, a regime's reach."""

        @property
        def id(self) -> str: ...

        @property
        def name(self) -> str: ...

        @property
        def condition(self) -> Node: ...

    class RuleSet(Protocol):
        """Rules to evaluate together (a pack); the compiled evaluator is kept with the object."""

        @property
        def rules(self) -> Sequence[Ruled]: ...


How = Literal["auto", "closures", "compiled"]
HOW: tuple[How, ...] = ("auto", "closures", "compiled")
COMPILE_AFTER = 200
"""Evaluations of one rule set by the closures after which ``how="auto"`` compiles it."""
_COMPILED = "screening.conditions.compiled.evaluator"


class Evaluation(NamedTuple):
    """Which rules of a rule set came out true and which unknown on one case."""

    fired: tuple[int, ...]
    """Indexes, in ``rules``, of the rules whose condition is true."""
    undecided: tuple[int, ...]
    """Indexes of the rules whose condition is unknown."""
    unknowns: tuple[tuple[str, ...], ...] = ()
    """With ``unknowns=True``: for each undecided rule, the facts of the leaves that leave it unknown."""


_counts: dict[int, int] = {}


def evaluate(ruleset: RuleSet, values: dict[str, Any], *, how: How = "auto", unknowns: bool = False) -> Evaluation:
    """Evaluate every rule of ``ruleset`` on a case's fact ``values`` by the evaluator ``how`` chooses.

    With ``unknowns``, also name the facts that leave each undecided rule unknown (in the order of
    screening.conditions.explain.unknown_leaves, duplicates included).
    """
    if how not in HOW:
        raise ValueError(f"how must be one of {', '.join(HOW)}; got {how!r}")
    evaluator = _evaluator(ruleset, how)
    if evaluator is not None:
        if unknowns:
            explained = evaluator.explain(values)
            return Evaluation(explained.fired, explained.undecided, explained.unknowns)
        return Evaluation(*evaluator.run(values))
    fired, undecided = [], []
    rules = ruleset.rules
    for i, rule in enumerate(rules):
        outcome = rule.condition.check(values)
        if outcome is True:
            fired.append(i)
        elif outcome is None:
            undecided.append(i)
    found: tuple[tuple[str, ...], ...] = ()
    if unknowns:
        found = tuple(
            tuple(leaf.node.field for leaf in unknown_leaves(trace(rules[i].condition, values))) for i in undecided
        )
    return Evaluation(tuple(fired), tuple(undecided), found)


def prepare(ruleset: RuleSet) -> Evaluator:
    """The compiled evaluator of ``ruleset``, compiled now if it is not yet, and kept with it."""
    from screening.conditions.compiled.evaluator import evaluator

    return evaluator(ruleset)


def _evaluator(ruleset: RuleSet, how: How) -> Evaluator | None:
    """The compiled evaluator to use, or None for the closures."""
    if how == "closures":
        return None
    if how == "compiled":
        return prepare(ruleset)
    module = sys.modules.get(_COMPILED)  # not imported: nothing is compiled, and one case stays cheap
    found: Evaluator | None = module.cached(ruleset) if module else None
    if found is not None:
        return found
    count = _counts.get(id(ruleset), 0) + 1  # a count a freed rule set left only brings its successor's compile forward
    if count < COMPILE_AFTER:
        if len(_counts) > 64:
            _counts.clear()
        _counts[id(ruleset)] = count
        return None
    _counts.pop(id(ruleset), None)
    return prepare(ruleset)
