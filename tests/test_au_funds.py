"""Australia's foreign government investor in a fund: the questions the FATA regime asks when a case leaves
the passive-fund exception (FATR s.17(2)) or the Act's count of a government's interest (with associates,
FATA s.6; traced, FATA s.19) open, and the answers once they are given (the per-limit filing tests are in
rules/tests/regimes-au-funds.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from screening.case.load import build_case
from screening.decision.engine import screen
from screening.infra.yamlio import load
from screening.pack.load import default_pack_path, load_pack

CASES = Path(__file__).resolve().parent.parent / "rules" / "tests" / "cases"
PASSIVE = "investor.au_passive_fund"
ONE = "investor.au_government_interest_pct"
SEVERAL = "investor.au_aggregate_government_interest_pct"


@pytest.fixture(scope="module")
def pack():
    return load_pack(default_pack_path())


def australia(pack: Any, name: str, **fund: Any) -> Any:
    """The AU decision on the illustrative case ``name``, with ``fund`` set on the investing fund."""
    data, marks = load(CASES / name)
    data["entities"][0].update(fund)
    result = screen(build_case(data, marks, name), pack)
    return next(d for d in result.filings.decisions if d.regime.id == "AU")


def asked(decision: Any) -> dict[str, tuple[str, ...]]:
    """Each fact asked, with the triggers its answer could decide."""
    return {fact: q.rules for q in decision.questions for fact in q.facts}


def test_a_fund_near_the_limits_is_asked_the_exception_and_the_acts_count(pack):
    au = australia(pack, "au-three-governments-under.yaml")
    assert (au.outcome, au.rule.id) == ("call_in", "AU-015")
    questions = asked(au)
    for fact in (PASSIVE, ONE, SEVERAL):
        assert "AU-012" in questions[fact], fact
    text = " ".join(q.question for q in au.questions)
    assert "FATR s.17(2)" in text and "associates (FATA s.6)" in text


def test_an_excepted_passive_fund_is_a_private_investor_and_nothing_about_it_is_asked(pack):
    au = australia(
        pack,
        "au-three-governments-under.yaml",
        au_passive_fund=True,
        au_government_interest_pct=15,
        au_aggregate_government_interest_pct=45,
    )
    assert (au.outcome, au.rule.id) == ("call_in", "AU-015")
    assert not {PASSIVE, ONE, SEVERAL} & set(asked(au))


def test_the_exception_does_not_reach_a_government_traced_to_a_substantial_interest(pack):
    au = australia(pack, "au-three-governments.yaml", au_passive_fund=True)
    assert (au.outcome, au.rule.id) == ("mandatory", "AU-012")
    assert PASSIVE not in asked(au)


def test_a_fund_far_from_the_limits_is_asked_nothing_about_governments(pack):
    data, _ = load(CASES / "au-three-governments-under.yaml")
    data["ownership"] = [{"owner": "no-fund", "owned": "fund", "equity_pct": 5, "voting_pct": 5}]
    data["entities"] = [e for e in data["entities"] if e["id"] in ("fund", "no-fund")]
    result = screen(build_case(data, {}, "far.yaml"), pack)
    au = next(d for d in result.filings.decisions if d.regime.id == "AU")
    assert (au.outcome, au.rule.id) == ("call_in", "AU-015")
    assert not {PASSIVE, ONE, SEVERAL} & set(asked(au))
