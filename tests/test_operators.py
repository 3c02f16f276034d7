"""An operator is one record: registered here, in the test only, it compiles, explains, is written as generated
code with the same answers as its closure, reads bounds through the one comparison, and shows as text."""

from __future__ import annotations

from typing import Any, NamedTuple

import pytest

from screening.case.catalogue import catalogue
from screening.case.values import AtLeast, PartialList, bounds
from screening.conditions.compile import CompileError, Compiler
from screening.conditions.compiled import evaluator as compiled
from screening.conditions.evaluate import evaluate
from screening.conditions.explain import supporting, trace
from screening.conditions.margins import nearby
from screening.conditions.operators import (
    OPERATORS,
    Operator,
    compare,
    register,
    scalar,
    unregister,
)
from screening.conditions.operators import (
    CompileError as OperatorError,
)
from screening.conditions.text import condition_key, describe
from screening.conditions.tree import Node


def _argument(ctx: Any, fact: Any, arg: Any, path: tuple[str, ...]) -> str:
    if not isinstance(arg, str) or not arg:
        raise OperatorError(path, "E204", "'starts_with' expects some text")
    return arg


def _test(fact: Any, prefix: str) -> Any:
    def test(v: Any) -> bool | None:
        return None if v is None else isinstance(v, str) and v.startswith(prefix)

    return test, lambda v: []


def _code(w: Any, prefix: str, hint: str, v: str, out: str, kinds: Any) -> None:
    w.emit(f"{out} = {v}.__class__ is str and {v}.startswith({w.constant(prefix)})")


STARTS_WITH = Operator(
    "starts_with",
    ("string", "country", "enum"),
    _argument,
    _test,
    _code,
    summary="the text begins with the argument",
    aliases=("^=",),
)


@pytest.fixture
def starts_with():
    register(STARTS_WITH)
    yield STARTS_WITH
    unregister("starts_with")
    assert "starts_with" not in OPERATORS and "^=" not in str(OPERATORS)


class Rule(NamedTuple):
    """A rule as the evaluators see it: an id, a name and a compiled condition."""

    id: str
    name: str
    condition: Node


class Rules:
    def __init__(self, *specs: dict[str, Any]) -> None:
        compiler = Compiler(catalogue(), {})
        self.rules = tuple(Rule(f"T-{i}", f"test.rule_{i}", compiler.compile(s)) for i, s in enumerate(specs))


SPECS = (
    {"field": "target.name", "starts_with": "Liège"},
    {"field": "investor.country", "^=": "C"},
    {"all": [{"field": "target.name", "starts_with": "Port"}, {"field": "investor.country", "in": ["CN"]}]},
    {"field": "group.entities", "contains": {"name": {"starts_with": "State"}, "depth": {"gte": 1}}},
    {"not": {"field": "target.name", "starts_with": "Liège"}},
)
CASES = (
    {},
    {"target.name": "Liège Airport", "investor.country": "CN"},
    {"target.name": "Port of Hamburg"},
    {"target.name": "Port of Piraeus", "investor.country": "CN"},
    {"group.entities": [{"name": "State Grid", "depth": 1}, {"name": "X"}]},
    {"group.entities": PartialList([{"name": "Statkraft", "depth": AtLeast(1)}])},
    {"group.entities": [{"name": "State Grid"}]},
    {"group.entities": [{"depth": 2}]},
)


def test_a_registered_operator_compiles_evaluates_and_shows(starts_with):
    rules = Rules(*SPECS)
    node = rules.rules[0].condition
    assert node.check({"target.name": "Liège Airport"}) is True
    assert node.check({"target.name": "Ostend"}) is False
    assert node.check({}) is None
    assert rules.rules[1].condition.op == "starts_with"  # the alias reads as the operator
    assert node.describe() == describe(node) == "target.name starts_with Liège"
    assert describe(rules.rules[3].condition) == "group.entities contains {name: {starts_with: State}, depth: {gte: 1}}"
    assert condition_key(node, {}) == '["target.name", "starts_with", "Li\\u00e8ge"]'
    t = trace(rules.rules[2].condition, {"target.name": "Port of Piraeus", "investor.country": "CN"})
    assert t.value is True and [leaf.node.op for leaf in supporting(t)] == ["starts_with", "in"]
    assert nearby({"target.name": "Liège"}, [("T-0", node)]) == []  # no numeric threshold


def test_a_registered_operator_is_checked_where_it_applies(starts_with):
    compiler = Compiler(catalogue(), {})
    with pytest.raises(CompileError, match="does not apply to transaction.stake_after_pct"):
        compiler.compile({"field": "transaction.stake_after_pct", "starts_with": "1"})
    with pytest.raises(CompileError, match="expects some text"):
        compiler.compile({"field": "target.name", "starts_with": ""})


def test_a_registered_operator_is_generated_with_the_closures_answers(starts_with):
    rules = Rules(*SPECS)
    evaluator = compiled.compile_pack(rules.rules)
    assert ".startswith(" in evaluator.source
    for values in CASES:
        closures = evaluate(rules, values, how="closures", unknowns=True)
        assert evaluate(rules, values, how="compiled", unknowns=True) == closures, values
        assert evaluator(values) == closures[:2]


def test_an_unknown_operator_is_unknown_again_once_unregistered():
    with pytest.raises(CompileError, match="unknown operator 'starts_with'"):
        Compiler(catalogue(), {}).compile({"field": "target.name", "starts_with": "x"})


def test_every_ordered_comparison_reads_a_bound_through_its_bounds():
    """A bound decides a comparison where it holds for every value it admits (true) or for none (false)."""
    assert bounds(AtLeast(30)) == (30.0, None) and bounds(7) == (7, 7)
    assert compare("gt", AtLeast(30), 25) is True and compare("gte", AtLeast(30), 30) is True
    assert compare("lt", AtLeast(30), 25) is False and compare("not_in", AtLeast(30), {25}) is True
    assert compare("equals", AtLeast(30), 25) is False and compare("between", AtLeast(30), (10, 20)) is False
    for name, arg in (
        ("gte", 40),
        ("lte", 40),
        ("between", (10, 50)),
        ("equals", 30),
        ("in", {30}),
        ("not_in", {30}),
    ):
        assert compare(name, AtLeast(30), arg) is None, name
    assert compare("lt", 20, 25) is True and compare("between", 60, (10, 50)) is False
    comparisons = [op for op in OPERATORS.values() if op.holds is not None]
    assert {op.name for op in comparisons} == {"equals", "in", "not_in", "gt", "gte", "lt", "lte", "between"}
    assert all(op.expr and op.throughout is not None and "bound" in op.asks for op in comparisons)


def test_scalar_arguments_are_checked_against_the_fact():
    with pytest.raises(OperatorError, match="is a number"):
        scalar(catalogue()["transaction.stake_after_pct"], "ten", ())


@pytest.mark.parametrize("day", ["2018-W27-2", "20180703", "2018-184"])
def test_a_date_in_a_condition_is_written_yyyy_mm_dd(day):
    """A rule's date is compared with the case's as text: "2018-W27-2", which Python's date reader takes, would
    sort after every day of 2018. It is refused, located, as any other malformed date."""
    compiler = Compiler(catalogue(), {})
    with pytest.raises(CompileError, match="expected a date YYYY-MM-DD"):
        compiler.compile({"field": "transaction.signing_date", "gte": day})
    compiler.compile({"field": "transaction.signing_date", "gte": "2018-07-03"})
