"""The aggregate test of Australia's foreign government investor (FATR s.17(1)(b)(ii): the governments of more
than one foreign country holding 40% together), each government's interest traced as FATA s.19 does
(``ownership.au_traced_aggregate_government_pct``), not multiplied down the chain."""

from __future__ import annotations

from typing import Any

import pytest

from screening.case.facts import build_facts
from screening.case.tracing import traced_aggregate_pct, traced_by_state
from screening.case.values import AtLeast
from screening.decision.engine import screen
from screening.pack.load import default_pack_path, load_pack
from tests.test_au_tracing import HOLDCO, SG
from tests.test_au_tracing import case as traced_case

AGGREGATE = "ownership.au_traced_aggregate_government_pct"
ASKED = "investor.au_aggregate_government_interest_pct"
NO = {"country": "NO", "kind": "state_body"}
AE = {"country": "AE", "kind": "state_body"}


def case(edges: list[tuple[str, str, Any]], **entities: dict[str, Any]) -> Any:
    """A case whose investor is ``fund`` (GB; no passive fund, FATR s.17(2)), with ``edges`` (owner, owned,
    percent) and extra entities."""
    return traced_case(edges, {"au_passive_fund": False}, **entities)


def one_country_six() -> Any:
    """Norway and Singapore hold 19% each of a holder with 90% (38% together: the holder is no foreign
    government investor), the UAE 6% directly: effective interests of 40.2%, a traced aggregate of none."""
    return case(
        [("no", "holdco", 19), ("sg", "holdco", 19), ("holdco", "fund", 90), ("ae", "fund", 6)],
        no=NO,
        sg=SG,
        ae=AE,
        holdco=HOLDCO,
    )


def three_holders(last: float, share: float = 25) -> Any:
    """Norway, Singapore and the UAE each hold ``share`` of a holder; the holders hold 15%, 15% and ``last``."""
    edges = [
        ("no", "a", share),
        ("sg", "b", share),
        ("ae", "c", share),
        ("a", "fund", 15),
        ("b", "fund", 15),
        ("c", "fund", last),
    ]
    return case(edges, no=NO, sg=SG, ae=AE, a=HOLDCO, b=HOLDCO, c=HOLDCO)


@pytest.fixture(scope="module")
def pack():
    return load_pack(default_pack_path())


def australia(pack: Any, c: Any) -> Any:
    return next(d for d in screen(c, pack).filings.decisions if d.regime.id == "AU")


def test_three_governments_each_with_a_quarter_of_a_holder_are_traced_the_holders_whole_stakes():
    """Effective interests give the three 3.75%, 3.75% and 2.5% (10%); traced, 15%, 15% and 10% (40%)."""
    c = three_holders(10)
    assert traced_by_state(c) == {"AE": 10.0, "NO": 15.0, "SG": 15.0}
    assert traced_aggregate_pct(c) == 40.0
    assert build_facts(c).get(AGGREGATE) == 40.0
    assert build_facts(c).get("ownership.foreign_states_equity_pct") == pytest.approx(10.0)
    assert traced_aggregate_pct(three_holders(9.9)) == pytest.approx(39.9)


def test_under_20_percent_of_a_holder_nothing_of_it_counts_in_the_aggregate():
    assert traced_aggregate_pct(three_holders(10, share=19.9)) == 0.0


def test_a_holding_traced_to_two_governments_counts_once_in_the_aggregate():
    """Norway and Singapore hold half each of a holder with 45%: each is taken to hold the 45%, together 45%."""
    c = case([("no", "holdco", 50), ("sg", "holdco", 50), ("holdco", "fund", 45)], no=NO, sg=SG, holdco=HOLDCO)
    assert traced_by_state(c) == {"NO": 45.0, "SG": 45.0}
    assert traced_aggregate_pct(c) == 45.0


def test_one_countrys_bodies_make_no_aggregate_of_several():
    c = case([("sg", "fund", 30), ("sg2", "fund", 15)], sg=SG, sg2=SG)
    assert traced_aggregate_pct(c) == 0.0


def test_multiplied_40_percent_that_traces_to_one_countrys_6_is_no_aggregate():
    """Norway and Singapore hold 19% each of a holder with 90% (38% together: the holder is no foreign
    government investor), the UAE 6% directly: effective interests come to 40.2%, the traced aggregate to none
    (the UAE's 6% is one country's)."""
    c = one_country_six()
    facts = build_facts(c)
    assert facts.get("ownership.foreign_states_equity_pct") == pytest.approx(40.2)
    assert facts.get(AGGREGATE) == 0.0


def test_a_stake_not_given_leaves_a_low_aggregate_unknown_but_a_reached_one_stays():
    low = case([("no", "fund", 15), ("sg", "fund", 15), ("ae", "fund", None)], no=NO, sg=SG, ae=AE)
    assert traced_aggregate_pct(low) is None
    reached = case(
        [("no", "fund", 15), ("sg", "fund", 15), ("ae", "fund", 10), ("ae", "holdco", None), ("holdco", "fund", 5)],
        no=NO,
        sg=SG,
        ae=AE,
        holdco=HOLDCO,
    )
    found = traced_aggregate_pct(reached)
    assert isinstance(found, AtLeast) and found == 40.0


def test_a_traced_aggregate_of_40_percent_makes_a_foreign_government_investor(pack):
    au = australia(pack, three_holders(10))
    assert (au.outcome, au.rule.id) == ("mandatory", "AU-012")


def test_a_traced_aggregate_of_39_9_percent_asks_the_acts_count(pack):
    """Under 40% as traced; associates (FATA s.6) could still reach it, so the Act's count is asked."""
    au = australia(pack, three_holders(9.9))
    assert (au.outcome, au.rule.id) == ("call_in", "AU-015")
    assert any(ASKED in q.facts for q in au.questions)


def test_effective_interests_at_40_percent_no_longer_decide_when_the_chain_traces_to_less(pack):
    c = one_country_six()
    au = australia(pack, c)
    assert au.outcome != "mandatory"
    assert not any(ASKED in q.facts for q in au.questions)


def test_an_aggregate_not_traceable_is_asked_not_decided_from_effective_interests(pack):
    """A stake missing: 30% traced so far and 30% effective; neither decides, the Act's count is asked."""
    c = case([("no", "fund", 15), ("sg", "fund", 15), ("ae", "fund", None)], no=NO, sg=SG, ae=AE)
    au = australia(pack, c)
    assert au.outcome != "mandatory"
    assert any(ASKED in q.facts for q in au.questions)
