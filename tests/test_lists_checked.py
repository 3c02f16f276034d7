"""lists_checked: listing facts are decided for the lists screened, unknown for the others, in the closures and
the compiled evaluator alike; without it, listings: [] keeps its meaning (every list)."""

from __future__ import annotations

from pathlib import Path

import pytest

from screening.case.facts import build_facts, checked
from screening.case.load import load_case
from screening.conditions.compiled import evaluator as compiled
from tests.test_compiled import assert_same, rules_of

CASE = """\
id: lists
title: Only the EU and UN lists were checked
investor: buyer
entities:
  - {{id: buyer, name: Buyer Ltd, country: CN, kind: private_company, owners_complete: true, listings: {listings}}}
target: {{name: T, country: DE}}
{checked}
"""

PATTERNS = [
    {"list": "eu_sanctions"},
    {"list": "us_sdn"},
    {"list": ["eu_sanctions", "un_sanctions"]},
    {"list": ["eu_sanctions", "us_sdn"]},
    {"type": "sanctions"},
    {"type": "export_control"},
]


def facts(tmp_path: Path, listings: str = "[]", lists: str | None = "[eu_sanctions, un_sanctions]"):
    text = CASE.format(
        listings=listings,
        checked=""
        if lists is None
        else "lists_checked: [" + ", ".join(f"{{list: {name}}}" for name in lists.strip("[]").split(", ")) + "]",
    )
    path = tmp_path / "case.yaml"
    path.write_text(text, "utf-8")
    return build_facts(load_case(path)).values


def answers(values):
    rules = rules_of(
        [{"field": field, "contains": p} for field in ("investor.listings", "group.listings") for p in PATTERNS]
    )
    assert_same(compiled.compile_pack(rules), rules, values)  # the generated code says what the closures say
    return [r.condition.check(values) for r in rules][: len(PATTERNS)]


def test_a_list_checked_is_decided_one_not_checked_is_unknown(tmp_path):
    assert answers(facts(tmp_path)) == [False, None, False, None, None, None]


def test_a_listing_found_is_true_whether_its_list_was_checked_or_not(tmp_path):
    values = facts(tmp_path, listings="[{list: us_sdn}]")
    assert answers(values) == [False, True, False, True, True, None]


def test_every_list_of_a_kind_checked_decides_the_kind(tmp_path):
    lists = "[un_sanctions, eu_sanctions, uk_sanctions, us_sdn, other_sanctions]"
    assert answers(facts(tmp_path, lists=lists)) == [False, False, False, False, False, None]


@pytest.mark.parametrize("lists", [None, "[all]"])
def test_without_lists_checked_or_with_all_listings_are_complete(tmp_path, lists):
    values = facts(tmp_path, lists=lists)
    assert type(values["group.listings"]) is list
    assert answers(values) == [False] * len(PATTERNS)


def test_a_partial_list_without_lists_checked_is_never_false():
    values = {"group.listings": checked([], {}), "investor.listings": checked([], {})}
    assert answers(values) == [None] * len(PATTERNS)
