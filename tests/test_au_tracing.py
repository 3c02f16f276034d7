"""FATA s.19 tracing (screening.case.tracing): a foreign government holding 20% of an entity is taken to hold
that entity's whole interest, level by level, added to what it holds itself; and the AU regime reads the traced
figure (``ownership.au_traced_government_pct``) when the case does not give the Act's count."""

from __future__ import annotations

from typing import Any

import pytest

from screening.case.facts import build_facts
from screening.case.load import build_case
from screening.case.tracing import traced_by_state, traced_government_pct
from screening.case.values import AtLeast
from screening.decision.engine import screen
from screening.pack.load import default_pack_path, load_pack

TRACED = "ownership.au_traced_government_pct"


def case(
    edges: list[tuple[str, str, Any]], investor_fields: dict[str, Any] | None = None, **entities: dict[str, Any]
) -> Any:
    """A case whose investor is ``fund`` (GB; with ``investor_fields``), with ``edges`` (owner, owned, percent)
    and extra entities."""
    fund = {"id": "fund", "name": "Fund", "country": "GB", "kind": "fund", "owners_complete": True}
    rows = [{**fund, **(investor_fields or {})}]
    for eid, fields in entities.items():
        rows.append({"id": eid, "name": eid.title(), "owners_complete": True, **fields})
    data = {
        "format": 2,
        "id": "t",
        "title": "t",
        "investor": "fund",
        "entities": rows,
        "ownership": [
            {"owner": o, "owned": d, **({} if pct is None else {"equity_pct": pct, "voting_pct": pct})}
            for o, d, pct in edges
        ],
        "target": {"name": "Roo Pty Ltd", "country": "AU", "sectors": ["software"], "au_threshold_value": 1000000},
        "transaction": {"kind": "minority_stake", "stake_before_pct": 0, "stake_after_pct": 10},
    }
    return build_case(data, {}, "t.yaml")


SG = {"country": "SG", "kind": "state_body"}
HOLDCO = {"country": "GB", "kind": "private_company"}


def test_a_government_with_half_of_a_holder_is_traced_its_whole_holding_not_the_product():
    c = case([("sg", "holdco", 50), ("holdco", "fund", 30)], sg=SG, holdco=HOLDCO)
    assert traced_by_state(c) == {"SG": 30.0}
    assert traced_government_pct(c) == 30.0


def test_under_20_percent_of_the_holder_nothing_is_traced_through_it():
    c = case([("sg", "holdco", 19.9), ("holdco", "fund", 100)], sg=SG, holdco=HOLDCO)
    assert traced_government_pct(c) == 0.0
    just = case([("sg", "holdco", 20), ("holdco", "fund", 100)], sg=SG, holdco=HOLDCO)
    assert traced_government_pct(just) == 100.0


def test_interests_along_several_paths_are_added():
    c = case(
        [("sg", "fund", 5), ("sg", "a", 20), ("a", "fund", 10), ("sg", "b", 60), ("b", "fund", 4)],
        sg=SG,
        a=HOLDCO,
        b=HOLDCO,
    )
    assert traced_government_pct(c) == pytest.approx(19.0)


def test_tracing_runs_through_every_level():
    c = case([("sg", "top", 25), ("top", "mid", 20), ("mid", "fund", 40)], sg=SG, top=HOLDCO, mid=HOLDCO)
    assert traced_government_pct(c) == 40.0
    broken = case([("sg", "top", 25), ("top", "mid", 19), ("mid", "fund", 40)], sg=SG, top=HOLDCO, mid=HOLDCO)
    assert traced_government_pct(broken) == 0.0


def test_a_state_owned_enterprise_counts_as_its_governments_and_australias_own_government_is_not_foreign():
    c = case(
        [("soe", "fund", 25), ("au", "fund", 60)],
        soe={"country": "CN", "kind": "soe"},
        au={"country": "AU", "kind": "state_body"},
    )
    assert traced_by_state(c) == {"CN": 25.0}


def test_an_entity_held_40_percent_by_several_governments_is_a_foreign_government_investor_of_its_own():
    """FATR s.17(1)(e): Norway, Singapore and the UAE hold 15% each of a holder (45% together, s.17(1)(b)(ii)),
    none of them 20%; the holder's 25% of the investor is a foreign government investor's substantial interest."""
    govs = {"no": {"country": "NO", "kind": "state_body"}, "sg": SG, "ae": {"country": "AE", "kind": "state_body"}}
    edges = [("no", "holdco", 15), ("sg", "holdco", 15), ("ae", "holdco", 15), ("holdco", "fund", 25)]
    c = case(edges, holdco=HOLDCO, **govs)
    assert traced_by_state(c) == {"AE": 0.0, "NO": 0.0, "SG": 0.0, "holdco": 25.0}
    assert traced_government_pct(c) == 25.0
    under = case([(o, d, 13 if d == "holdco" else p) for o, d, p in edges], holdco=HOLDCO, **govs)
    assert traced_government_pct(under) == 0.0  # 39% together is no aggregate substantial interest


def test_one_governments_40_percent_is_no_aggregate_of_several():
    """Two bodies of one state are one government: their 40% is a substantial interest traced in full."""
    c = case(
        [("sg", "holdco", 20), ("sg2", "holdco", 20), ("holdco", "fund", 25)],
        holdco=HOLDCO,
        sg=SG,
        sg2=SG,
    )
    assert traced_by_state(c) == {"SG": 25.0}


def test_a_stake_not_given_makes_a_low_figure_unknown_but_a_figure_already_at_20_stays():
    unknown = case([("sg", "holdco", None), ("holdco", "fund", 30)], sg=SG, holdco=HOLDCO)
    assert traced_government_pct(unknown) is None
    reached = case([("sg", "fund", 25), ("sg", "holdco", None), ("holdco", "fund", 30)], sg=SG, holdco=HOLDCO)
    found = traced_government_pct(reached)
    assert isinstance(found, AtLeast) and found == 25.0


def test_a_group_not_documented_to_its_top_leaves_a_low_figure_unknown():
    c = case([("holdco", "fund", 30)], holdco={**HOLDCO, "owners_complete": False})
    assert traced_government_pct(c) is None


def test_the_traced_figure_is_a_fact_of_the_case():
    c = case([("sg", "holdco", 50), ("holdco", "fund", 30)], sg=SG, holdco=HOLDCO)
    assert build_facts(c).get(TRACED) == 30.0


@pytest.fixture(scope="module")
def pack():
    return load_pack(default_pack_path())


def australia(pack: Any, c: Any) -> Any:
    return next(d for d in screen(c, pack).filings.decisions if d.regime.id == "AU")


def test_a_government_traced_to_30_percent_makes_the_investor_a_foreign_government_investor(pack):
    """Effective interests give Singapore 15%, which would only ask; traced, it holds 30% (AU-012, A$0)."""
    au = australia(pack, case([("sg", "holdco", 50), ("holdco", "fund", 30)], sg=SG, holdco=HOLDCO))
    assert (au.outcome, au.rule.id) == ("mandatory", "AU-012")


def test_a_government_whose_23_percent_effective_interest_traces_to_5_is_asked_not_assumed(pack):
    """19% of a holder that holds 95% of the investor, and 5% directly: effective 23%, traced 5% (FATA s.19
    traces nothing through the holder); associates could still change it, so the Act's count is asked."""
    c = case([("sg", "holdco", 19), ("holdco", "fund", 95), ("sg", "fund", 5)], sg=SG, holdco=HOLDCO)
    assert traced_government_pct(c) == 5.0
    au = australia(pack, c)
    assert (au.outcome, au.rule.id) == ("call_in", "AU-015")
    assert any("investor.au_government_interest_pct" in q.facts for q in au.questions)


def test_a_holder_that_is_a_foreign_government_investor_by_the_aggregate_test_makes_the_investor_one(pack):
    """FATR s.17(1)(e): effective interests give each government 3.75% and all three 11.25%, which asked
    nothing; the holder, 45% held by three governments, holds 25% of the investor (AU-012, A$0). The holder is
    said not to be a passive fund (FATR s.17(2), tests/test_au_passive_chain.py)."""
    govs = {"no": {"country": "NO", "kind": "state_body"}, "sg": SG, "ae": {"country": "AE", "kind": "state_body"}}
    edges = [("no", "holdco", 15), ("sg", "holdco", 15), ("ae", "holdco", 15), ("holdco", "fund", 25)]
    au = australia(pack, case(edges, holdco={**HOLDCO, "au_passive_fund": False}, **govs))
    assert (au.outcome, au.rule.id) == ("mandatory", "AU-012")


def test_the_figures_of_a_group_without_a_foreign_government_are_those_traced_one_by_one():
    """``figures`` answers a group with no foreign government at once (no interest, associates vacuously stated):
    the same figures as each traced in full, over groups with and without one, exact or not."""
    from screening.batch.synthetic import cases, realistic_cases
    from screening.case.tracing import Figures, associates_stated, figures, traced_aggregate_pct

    built = [build_case(doc, {}, "synthetic") for doc in (*cases(40, seed=3), *realistic_cases(120, seed=3))]
    built += [
        case([]),
        case([], {"owners_complete": False}),
        case([("ministry", "fund", 30)], ministry={"kind": "state_body", "country": "CN"}),
        case([], {"state_ownership_pct": 25}),
    ]
    seen = {"without": 0, "with": 0}
    for one in built:
        full = Figures(
            traced_government_pct(one),
            traced_aggregate_pct(one),
            traced_government_pct(one, passive=True),
            traced_aggregate_pct(one, passive=True),
            associates_stated(one),
        )
        assert figures(one) == full, one.id
        seen["with" if traced_by_state(one) else "without"] += 1
    assert seen["with"] > 5 and seen["without"] > 5
