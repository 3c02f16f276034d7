"""Condition compiler: operators, three-valued logic, partial facts, located compile errors."""

from __future__ import annotations

import pytest

from screening.case.catalogue import catalogue
from screening.case.values import AtLeast, PartialList
from screening.conditions.compile import CompileError, Compiler
from screening.conditions.tree import kleene_all, kleene_any

COMPILER = Compiler(catalogue(), {"concern": ["CN", "RU"]})


def ev(spec, **values):
    return COMPILER.compile(spec).check({k.replace("__", "."): v for k, v in values.items()})


@pytest.mark.parametrize(
    "spec,values,expected",
    [
        ({"field": "investor.country", "equals": "CN"}, {"investor__country": "CN"}, True),
        ({"field": "investor.country", "equals": "CN"}, {"investor__country": "JP"}, False),
        ({"field": "investor.country", "equals": "CN"}, {}, None),
        ({"field": "investor.country", "in": "concern"}, {"investor__country": "RU"}, True),
        ({"field": "investor.country", "in": ["FR", "DE"]}, {"investor__country": "RU"}, False),
        ({"field": "transaction.stake_after_pct", ">=": 25}, {"transaction__stake_after_pct": 25}, True),
        ({"field": "transaction.stake_after_pct", "gt": 25}, {"transaction__stake_after_pct": 25}, False),
        ({"field": "transaction.stake_after_pct", "lt": 10}, {"transaction__stake_after_pct": 9.9}, True),
        ({"field": "transaction.stake_after_pct", "between": [10, 25]}, {"transaction__stake_after_pct": 24.9}, True),
        (
            {"field": "transaction.signing_date", "gte": "2023-07-01"},
            {"transaction__signing_date": "2021-05-01"},
            False,
        ),
        ({"field": "target.name", "matches": "(?i)airport"}, {"target__name": "Liège Airport hub"}, True),
        ({"field": "target.sectors", "contains": "energy"}, {"target__sectors": ["energy"]}, True),
        ({"field": "target.sectors", "contains": "energy"}, {"target__sectors": []}, False),
        ({"field": "target.sectors", "contains_any": ["energy", "water"]}, {"target__sectors": ["water"]}, True),
        ({"field": "target.sectors", "empty": True}, {"target__sectors": []}, True),
        ({"field": "target.sectors", "empty": False}, {}, None),
        ({"field": "target.sectors", "exists": False}, {}, True),
        ({"field": "target.sectors", "exists": True}, {}, False),
        (
            {"field": "target.data", "contains": {"category": "health"}},
            {"target__data": [{"category": "health"}]},
            True,
        ),
        (
            {"field": "target.data", "contains": {"category": "personal", "subjects": {">": 1000000}}},
            {"target__data": [{"category": "personal"}]},
            None,
        ),
        (
            {"field": "target.data", "contains": {"category": "personal", "subjects": {">": 1000000}}},
            {"target__data": [{"category": "health", "subjects": 5}]},
            False,
        ),
    ],
)
def test_operators(spec, values, expected):
    assert ev(spec, **values) is expected


def test_kleene_tables():
    assert kleene_all([True, None]) is None and kleene_all([False, None]) is False
    assert kleene_any([False, None]) is None and kleene_any([True, None]) is True
    assert ev({"not": {"field": "investor.country", "equals": "CN"}}) is None
    assert ev({"not": {"field": "investor.country", "equals": "CN"}}, investor__country="FR") is True


def test_partial_list_finds_but_never_denies():
    spec = {"field": "group.listings", "contains": {"type": "sanctions"}}
    assert ev(spec, group__listings=PartialList([{"type": "sanctions"}])) is True
    assert ev(spec, group__listings=PartialList([{"type": "export_control"}])) is None
    assert ev(spec, group__listings=[{"type": "export_control"}]) is False


def test_lower_bound_decides_only_upward_comparisons():
    assert ev({"field": "group.state_ownership_pct", "gte": 50}, group__state_ownership_pct=AtLeast(64)) is True
    assert ev({"field": "group.state_ownership_pct", "gte": 50}, group__state_ownership_pct=AtLeast(10)) is None
    assert ev({"field": "group.state_ownership_pct", "lt": 50}, group__state_ownership_pct=AtLeast(10)) is None


@pytest.mark.parametrize(
    "spec,path,code,fragment",
    [
        ({"field": "investor.contry", "equals": "CN"}, ("field",), "E201", "did you mean 'investor.country'"),
        ({"field": "investor.country", "equal": "CN"}, ("equal",), "E202", "did you mean 'equals'"),
        ({"field": "investor.country", "gte": 3}, ("gte",), "E202", "does not apply"),
        ({"field": "investor.country", "equals": "UK"}, ("equals",), "E107", "use GB"),
        ({"field": "investor.kind", "equals": "state"}, ("equals",), "E106", "not a value of investor.kind"),
        ({"field": "target.name", "matches": "(unclosed"}, ("matches",), "E203", "invalid regular expression"),
        ({"field": "investor.country", "in": "concen"}, ("in",), "E108", "did you mean 'concern'"),
        ({"field": "target.data", "contains": {"categry": "health"}}, ("contains", "categry"), "E201", "category"),
        ({"field": "transaction.stake_after_pct", "gte": "ten"}, ("gte",), "E103", "is a number"),
        ({"all": []}, ("all",), "E204", "non-empty list"),
        ({"every": [{"field": "investor.country", "equals": "CN"}]}, ("every",), "E204", "unknown condition key"),
        ({"field": "investor.country"}, (), "E204", "exactly one operator"),
        ("investor.country == CN", (), "E204", "expected a condition"),
    ],
)
def test_compile_errors(spec, path, code, fragment):
    with pytest.raises(CompileError) as info:
        COMPILER.compile(spec)
    assert (info.value.path, info.value.code) == (path, code)
    assert fragment in info.value.message


def test_describe_is_readable():
    node = COMPILER.compile(
        {"any": [{"field": "investor.country", "in": "concern"}, {"not": {"field": "target.sectors", "empty": True}}]}
    )
    assert node.describe() == "(investor.country in concern or not (target.sectors empty true))"
    assert node.fields() == ["investor.country", "target.sectors"]


@pytest.mark.parametrize(
    "spec, values, shown",
    [
        (  # the guard beside a test of the same fact: the test alone is evidence
            {
                "all": [
                    {"field": "transaction.control", "exists": True},
                    {"field": "transaction.control", "equals": True},
                ]
            },
            {"transaction.control": True},
            ["transaction.control equals true"],
        ),
        (  # the guard after the test, under an any: the same
            {
                "any": [
                    {
                        "all": [
                            {"field": "transaction.board_seats", "gte": 1},
                            {"field": "transaction.board_seats", "exists": True},
                        ]
                    },
                    {"field": "investor.country", "in": "concern"},
                ]
            },
            {"transaction.board_seats": 2, "investor.country": "JP"},
            ["transaction.board_seats gte 1"],
        ),
        (  # the only leaf naming its fact: kept
            {"all": [{"field": "transaction.control", "exists": True}, {"field": "investor.country", "in": "concern"}]},
            {"transaction.control": False, "investor.country": "CN"},
            ["transaction.control exists true", "investor.country in concern"],
        ),
        (  # a guard that holds by failing (under a not) is not idle
            {
                "all": [
                    {"not": {"field": "transaction.control", "exists": True}},
                    {"field": "investor.country", "in": "concern"},
                ]
            },
            {"investor.country": "CN"},
            ["transaction.control exists true", "investor.country in concern"],
        ),
    ],
)
def test_a_guard_is_evidence_only_when_no_other_leaf_names_its_fact(spec, values, shown):
    """Reports printed `transaction.control exists true` beside `transaction.control equals true` among a finding's
    facts: the guard only checks the fact is there, which the other leaf shows with its value."""
    from screening.conditions.explain import supporting, trace, without_guards

    leaves = without_guards(supporting(trace(COMPILER.compile(spec), values)))
    assert [leaf.node.describe() for leaf in leaves] == shown
