"""Associates (FATA s.6) in Australia's foreign government investor test (FATR s.17(1)): interests of an
entity's stated associates (``au_associates``) are added to a government's for the 20% and 40% tests; where
they are not stated the count is asked when it could change the answer, never assumed absent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from screening.case.facts import build_facts
from screening.case.load import load_case
from screening.case.tracing import associates_stated, traced_aggregate_pct, traced_by_state, traced_government_pct
from screening.infra.errors import ScreeningError
from tests.test_au_aggregate import AE, ASKED, NO, australia, case
from tests.test_au_tracing import HOLDCO, SG

ACT = "investor.au_government_interest_pct"
PARTNER = {"country": "GB", "kind": "private_company"}


@pytest.fixture(scope="module")
def pack():
    from screening.pack.load import default_pack_path, load_pack

    return load_pack(default_pack_path())


def with_partner(partner_pct: float, **sg: Any) -> Any:
    """Singapore's fund holds 12% of the investor, a co-investor ``partner_pct``."""
    return case([("sg", "fund", 12), ("partner", "fund", partner_pct)], sg={**SG, **sg}, partner=PARTNER)


def test_a_stated_associates_interest_is_added_to_the_governments():
    c = with_partner(8, au_associates=["partner"])
    assert traced_by_state(c) == {"SG": 20.0}
    assert associates_stated(c) is True
    assert build_facts(c).get("ownership.au_associates_stated") is True


def test_an_association_stated_on_the_associates_side_counts_both_ways():
    c = case(
        [("sg", "fund", 12), ("partner", "fund", 8)],
        sg={**SG, "au_associates": []},
        partner={**PARTNER, "au_associates": ["sg"]},
    )
    assert traced_government_pct(c) == 20.0


def test_tracing_runs_through_an_entity_a_government_and_its_associate_hold_20_percent_of_together():
    c = case(
        [("sg", "holdco", 10), ("partner", "holdco", 10), ("holdco", "fund", 25)],
        sg={**SG, "au_associates": ["partner"]},
        partner=PARTNER,
        holdco=HOLDCO,
    )
    assert traced_government_pct(c) == 25.0
    edges = [("sg", "holdco", 10), ("partner", "holdco", 10), ("holdco", "fund", 25)]
    alone = case(edges, sg=SG, partner=PARTNER, holdco=HOLDCO)
    assert traced_government_pct(alone) == 0.0
    assert associates_stated(alone) is False


def test_an_associate_of_one_government_counts_towards_the_aggregate():
    edges = [("no", "fund", 15), ("sg", "fund", 15), ("ae", "fund", 5), ("partner", "fund", 5)]
    stated = {"no": {**NO, "au_associates": []}, "sg": {**SG, "au_associates": []}}
    c = case(edges, ae={**AE, "au_associates": ["partner"]}, partner=PARTNER, **stated)
    assert traced_aggregate_pct(c) == 40.0
    assert traced_aggregate_pct(case(edges, ae=AE, partner=PARTNER, **stated)) == 35.0


def test_the_investor_stated_as_an_associate_gives_the_government_none_of_itself():
    c = case([("sg", "fund", 12)], sg={**SG, "au_associates": ["fund"]})
    assert traced_government_pct(c) == 12.0


def test_a_state_body_investor_stays_its_governments_whole_with_associates_stated():
    c = case([("partner", "fund", 10)], partner={**PARTNER, "au_associates": ["fund"]})
    body = c._replace(entities={**c.entities, "fund": c.entities["fund"]._replace(kind="state_body")})
    assert traced_by_state(body) == {"GB": 100.0}


def test_a_state_share_given_only_as_a_figure_has_no_associates_stated():
    c = case([("holdco", "fund", 30)], holdco={**HOLDCO, "state_ownership_pct": 50, "country": "SG"})
    assert associates_stated(c) is False
    assert associates_stated(case([("holdco", "fund", 30)], holdco=HOLDCO)) is True


def test_with_its_associate_a_government_at_20_percent_makes_a_foreign_government_investor(pack):
    au = australia(pack, with_partner(8, au_associates=["partner"]))
    assert (au.outcome, au.rule.id) == ("mandatory", "AU-012")


def test_19_9_percent_with_the_associates_stated_is_decided_and_asks_nothing(pack):
    au = australia(pack, with_partner(7.9, au_associates=["partner"]))
    assert (au.outcome, au.rule.id) == ("call_in", "AU-015")
    assert not any(ACT in q.facts or ASKED in q.facts for q in au.questions)


def test_associates_not_stated_near_the_limit_ask_the_acts_count(pack):
    """Singapore's 12% alone, its associates not stated: within 10 points of 20%, the count is asked."""
    au = australia(pack, with_partner(7.9))
    assert (au.outcome, au.rule.id) == ("call_in", "AU-015")
    assert any(ACT in q.facts for q in au.questions)


def test_associates_not_stated_far_from_the_limit_ask_nothing(pack):
    c = case([("sg", "fund", 9.9), ("partner", "fund", 7.9)], sg=SG, partner=PARTNER)
    au = australia(pack, c)
    assert (au.outcome, au.rule.id) == ("call_in", "AU-015")
    assert not any(ACT in q.facts for q in au.questions)


def test_an_unknown_associate_is_a_located_error(tmp_path: Path):
    text = (Path(__file__).parents[1] / "rules" / "tests" / "cases" / "au-associates.yaml").read_text("utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("au_associates: [partner]", "au_associates: [partnr]"), "utf-8")
    with pytest.raises(ScreeningError) as caught:
        load_case(bad)
    (problem,) = caught.value.problems
    assert problem.code == "E108" and problem.line == 13 and "partnr" in problem.message
