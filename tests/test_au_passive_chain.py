"""FATR s.17(2) on an entity of the chain: from 1 January 2021 "a person is not a foreign government investor"
if it would be one only through the aggregate test ("subparagraph (1)(b)(ii), (c)(ii) or (d)(ii)", or
"paragraph (1)(e) to the extent that it relates to any of those subparagraphs") and operates a passive scheme
in which each government holds only as a member. The section speaks of any person, so a holder of the
investor that is such a fund is not traced as a foreign government investor (s.17(1)(e)); before 2021 it is."""

from __future__ import annotations

from typing import Any

import pytest

from screening.case.facts import build_facts
from screening.case.tracing import traced_aggregate_pct, traced_government_pct
from screening.case.values import Interval
from screening.decision.engine import screen
from screening.pack.load import default_pack_path, load_pack
from tests.test_au_tracing import HOLDCO, SG
from tests.test_au_tracing import case as traced_case

FROM_2021 = "ownership.au_traced_government_pct_from_2021"
GOVERNMENTS = {"no": {"country": "NO", "kind": "state_body"}, "sg": SG, "ae": {"country": "AE", "kind": "state_body"}}


def holder_case(day: str, share: float = 15, stake: float = 25, **holder: Any) -> Any:
    """Norway, Singapore and the UAE hold ``share`` each of a holder (45% together at 15: the aggregate test,
    none of them 20%), which holds ``stake`` of the investing fund (itself no passive fund); ``holder`` is set
    on the holder; the case is judged on ``day``."""
    edges = [("no", "holdco", share), ("sg", "holdco", share), ("ae", "holdco", share), ("holdco", "fund", stake)]
    c = traced_case(edges, {"au_passive_fund": False}, holdco={**HOLDCO, **holder}, **GOVERNMENTS)
    c.data["as_of"] = day
    c.data["transaction"]["signing_date"] = day
    return c


@pytest.fixture(scope="module")
def pack():
    return load_pack(default_pack_path())


def australia(pack: Any, c: Any) -> Any:
    return next(d for d in screen(c, pack).filings.decisions if d.regime.id == "AU")


def test_a_passive_holder_is_no_foreign_government_investor_in_the_figures_from_2021():
    c = holder_case("2024-06-01", au_passive_fund=True)
    assert traced_government_pct(c) == 25.0  # s.17(1) alone: the holder is one (s.17(1)(e))
    assert traced_government_pct(c, passive=True) == 0.0
    assert build_facts(c).get(FROM_2021) == 0.0


def test_a_holder_not_said_to_be_a_passive_fund_spans_both_readings():
    c = holder_case("2024-06-01")
    assert traced_government_pct(c, passive=True) == Interval(0.0, 25.0)
    assert traced_government_pct(holder_case("2024-06-01", au_passive_fund=False), passive=True) == 25.0


def test_a_passive_holder_with_one_government_at_20_percent_is_not_excepted():
    """Just outside: Norway's 20% of the holder is a substantial interest (s.17(1)(b)(i)), which s.17(2)(a)
    does not reach, so the holder stays a foreign government investor whatever its scheme."""
    edges = [("no", "holdco", 20), ("sg", "holdco", 15), ("ae", "holdco", 15), ("holdco", "fund", 25)]
    c = traced_case(edges, {"au_passive_fund": False}, holdco={**HOLDCO, "au_passive_fund": True}, **GOVERNMENTS)
    assert traced_government_pct(c, passive=True) == 25.0


def test_the_aggregate_through_passive_holders_drops_them():
    """Two holders, each 45% held by three governments, hold 19% each of the investor, and Norway and Singapore
    1% each directly: 40% together (s.17(1)(e) as it relates to the aggregate test); with both holders passive
    funds, only the governments' own 2%."""
    edges = [("no", "a", 15), ("sg", "a", 15), ("ae", "a", 15), ("no", "b", 15), ("sg", "b", 15), ("ae", "b", 15)]
    edges += [("a", "fund", 19), ("b", "fund", 19), ("no", "fund", 1), ("sg", "fund", 1)]
    passive = {**HOLDCO, "au_passive_fund": True}
    c = traced_case(edges, {"au_passive_fund": False}, a=passive, b=passive, **GOVERNMENTS)
    assert traced_aggregate_pct(c) == 40.0
    assert traced_aggregate_pct(c, passive=True) == 2.0


def test_in_2024_a_passive_holder_leaves_a_private_investor_and_a_non_passive_one_a_foreign_government_investor(
    pack,
):
    au = australia(pack, holder_case("2024-06-01", au_passive_fund=True))
    assert (au.outcome, au.rule.id) == ("call_in", "AU-015")
    au = australia(pack, holder_case("2024-06-01", au_passive_fund=False))
    assert (au.outcome, au.rule.id) == ("mandatory", "AU-012")


def test_in_2024_a_holder_whose_scheme_is_not_stated_is_asked(pack):
    """The answer turns on the holder: the call-in is decided, the notification (AU-012) is asked of it."""
    au = australia(pack, holder_case("2024-06-01"))
    assert (au.outcome, au.rule.id) == ("call_in", "AU-015")
    question = next(q for q in au.questions if FROM_2021 in q.facts)
    assert "AU-012" in question.rules and "FATR s.17(2)" in question.question


def test_in_2024_a_holder_at_39_percent_together_is_no_foreign_government_investor_whatever_its_scheme(pack):
    """Just outside the aggregate test (13% each, 39%): nothing to except, nothing asked of the holder."""
    au = australia(pack, holder_case("2024-06-01", share=13))
    assert (au.outcome, au.rule.id) == ("call_in", "AU-015")
    assert not any(FROM_2021 in q.facts for q in au.questions)


def test_before_2021_a_passive_holder_is_still_a_foreign_government_investor(pack):
    au = australia(pack, holder_case("2020-12-31", au_passive_fund=True))
    assert (au.outcome, au.rule.id) == ("mandatory", "AU-016")
    au = australia(pack, holder_case("2021-01-01", au_passive_fund=True))
    assert (au.outcome, au.rule.id) == ("call_in", "AU-015")
