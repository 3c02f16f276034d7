"""Engine: scoring arithmetic, caps, mitigations, floors, evidence and gaps (on a small test pack)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from screening.case.load import build_case
from screening.decision.engine import screen
from screening.pack.load import load_pack

PACK = load_pack(Path(__file__).parent / "data" / "pack")

BASE = {
    "format": 1,
    "id": "t",
    "title": "Test case",
    "investor": "buyer",
    "entities": [
        {
            "id": "buyer",
            "name": "Buyer Co",
            "country": "CN",
            "kind": "private_company",
            "owners_complete": True,
            "listings": [],
            "sources": ["s1"],
        }
    ],
    "target": {
        "name": "Target",
        "country": "BE",
        "data": [{"category": "personal", "subjects": 3000000, "sources": ["s2"]}],
    },
    "sources": [{"id": "s1", "title": "Registry extract"}, {"id": "s2", "title": "Privacy notice"}],
}


def run(data):
    return screen(build_case(data, {}, "test.yaml"), PACK)


def test_arithmetic_and_evidence():
    r = run(BASE)
    cats = {c.id: c for c in r.categories}
    assert cats["state"].raw == 20 and cats["data"].raw == 25 and cats["data"].capped == 20
    assert r.subtotal == 40 and r.score == 40 and r.level == "medium"
    data_finding = next(f for f in r.findings if f.rule.id == "T-003")
    (evidence,) = data_finding.evidence
    assert evidence.field == "target.data" and evidence.sources == ("s2",)
    assert evidence.value == [{"category": "personal", "subjects": 3000000, "sources": ["s2"]}]
    state = next(f for f in r.findings if f.rule.id == "T-001")
    assert state.evidence[0].value == "CN" and state.evidence[0].sources == ("s1",)


def test_mitigation_reduces_only_its_category_and_never_below_zero():
    data = copy.deepcopy(BASE)
    data["mitigations"] = [{"kind": "data_localisation", "binding": True}]
    r = run(data)
    cats = {c.id: c for c in r.categories}
    assert cats["data"].score == 10 and cats["data"].credit == 10
    assert cats["mitigations"].score == -10
    assert r.score == 30
    data["target"]["data"] = []
    r = run(data)
    assert {c.id: c for c in r.categories}["data"].score == 0
    assert r.score == 20  # credit cannot go below zero nor spill into other categories


def test_floor_raises_level_and_score():
    data = copy.deepcopy(BASE)
    data["entities"][0]["listings"] = [{"list": "eu_sanctions"}]
    r = run(data)
    assert r.level_from_score == "medium" and r.level == "critical"
    assert r.score == 75 and [f.id for f in r.floors] == ["sanctioned"]


def test_unknown_fact_becomes_a_gap_with_its_question():
    data = copy.deepcopy(BASE)
    del data["entities"][0]["listings"]
    del data["target"]["data"]
    r = run(data)
    questions = {g.question: g for g in r.gaps}
    assert any("sanctions" in q for q in questions)
    data_gap = next(g for g in r.gaps if g.facts == ("target.data",))
    assert data_gap.rules == ("T-003",) and data_gap.points_at_stake == 25
    assert "T-003" in r.undecided and "T-004" in r.undecided
    assert any("Buyer Co" in q for q in questions)  # questions name the investor


def test_incomplete_group_leaves_sanctions_undecided():
    data = copy.deepcopy(BASE)
    data["entities"][0]["owners_complete"] = False
    r = run(data)
    assert "T-004" in r.undecided


def test_identical_inputs_give_identical_results():
    assert run(BASE) == run(copy.deepcopy(BASE))


def test_ownership_cycle_terminates():
    data = copy.deepcopy(BASE)
    data["entities"] += [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}]
    data["ownership"] = [
        {"owner": "a", "owned": "buyer", "equity_pct": 50},
        {"owner": "b", "owned": "a", "equity_pct": 50},
        {"owner": "a", "owned": "b", "equity_pct": 50},
    ]
    from screening.case.model import group_of

    case = build_case(data, {}, "t.yaml")
    assert [(e.id, d) for e, d in group_of(case)] == [("buyer", 0), ("a", 1), ("b", 2)]
    assert run(data).facts.get("group.complete") is None


@pytest.mark.parametrize("rule", PACK.rules, ids=[r.id for r in PACK.rules])
def test_test_pack_examples(rule):
    from screening.pack.examples import run_rule_examples

    assert all(r.passed for r in run_rule_examples(rule))
