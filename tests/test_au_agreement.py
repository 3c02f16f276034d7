"""Australia's agreement country or region investors (FATR s.5, s.7): the acquirer's own country counts, each
agreement country from its own day (a deal dated only by its month is split on that day), and whether an
enterprise of an agreement country that another country's persons control is still one is asked (the
per-day filing tests are in rules/tests/regimes-au-agreement.yaml)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from screening.api import screen_files

AGREEMENT = "investor.au_agreement_investor"

CASE = """\
format: 2
id: au-agreement
title: A foreign company buys an Australian software company
investor: buyer
entities:
  - {id: buyer, name: Buyer Co, country: HOME, kind: private_company, state_ownership_pct: 0, owners_complete: true,
     state_links: []EXTRA}
  - {id: parent, name: Parent Co, country: PARENT, kind: listed_company, state_ownership_pct: 0,
     owners_complete: true, state_links: []}
ownership:
  - {owner: parent, owned: buyer, equity_pct: 100}
target:
  name: Roo Software Pty Ltd
  country: AU
  sectors: [software]
  au_sensitive_business: false
  au_national_security_business: []
  au_threshold_value: 500000000
transaction:
  kind: acquisition
  signing_date: SIGNED
  stake_before_pct: 0
  stake_after_pct: 100
"""


def australia(tmp_path: Path, home: str, parent: str, signed: str, extra: str = "", on: dt.date | None = None) -> Any:
    """The AU decision on a A$500M acquisition by a company of ``home`` wholly held by one of ``parent``."""
    text = CASE.replace("HOME", home).replace("PARENT", parent).replace("SIGNED", signed).replace("EXTRA", extra)
    path = tmp_path / "case.yaml"
    path.write_text(text, "utf-8")
    [result] = screen_files([path], on=on)
    return next(d for d in result.filings.decisions if d.regime.id == "AU")


def asked(decision: Any) -> dict[str, tuple[str, ...]]:
    """Each fact asked, with the triggers its answer could decide."""
    return {fact: q.rules for q in decision.questions for fact in q.facts}


def test_a_us_company_controlled_from_germany_is_asked_whether_it_is_a_us_enterprise(tmp_path):
    au = australia(tmp_path, "US", "DE", "2024-06-01")
    assert (au.outcome, au.rule.id) == ("call_in", "AU-015")
    assert "AU-009" in asked(au)[AGREEMENT]
    assert "FATR s.7" in next(q.question for q in au.questions if AGREEMENT in q.facts)


def test_before_2021_the_same_question_leaves_the_answer_undetermined(tmp_path):
    assert australia(tmp_path, "US", "DE", "2019-06-01").outcome == "undetermined"


def test_the_answer_given_decides_it_either_way(tmp_path):
    yes = australia(tmp_path, "US", "DE", "2019-06-01", ", au_agreement_investor: true")
    no = australia(tmp_path, "US", "DE", "2019-06-01", ", au_agreement_investor: false")
    assert yes.outcome == "out_of_scope"
    assert (no.outcome, no.rule.id) == ("mandatory", "AU-017")


def test_a_us_company_held_in_the_us_is_not_asked(tmp_path):
    au = australia(tmp_path, "US", "US", "2024-06-01")
    assert (au.outcome, au.rule.id) == ("call_in", "AU-015")
    assert AGREEMENT not in asked(au)


def test_a_german_company_held_from_the_us_has_the_lower_threshold_without_a_question(tmp_path):
    au = australia(tmp_path, "DE", "US", "2024-06-01")
    assert (au.outcome, au.rule.id) == ("mandatory", "AU-009")
    assert AGREEMENT not in asked(au)


def test_a_british_deal_signed_in_may_2023_is_split_on_the_day_the_uk_agreement_entered_into_force(tmp_path):
    """A-UKFTA entered into force on 31 May 2023: a UK company's A$500M deal signed "in May 2023" is notifiable
    on the 1st to the 30th (over A$310M) and call-in only on the 31st (under A$1,339M)."""
    au = australia(tmp_path, "GB", "GB", "2023-05")
    assert au.outcome == "undetermined"
    assert au.why == ("The day decides: 2023-05-01 to 2023-05-30: mandatory (AU-008); 2023-05-31: call in (AU-015).",)


def test_singapore_counts_from_1_december_2017_not_from_2020(tmp_path):
    before = australia(tmp_path, "SG", "SG", "2017-11-30")
    after = australia(tmp_path, "SG", "SG", "2017-12-01")
    assert (before.outcome, before.rule.id) == ("mandatory", "AU-002")
    assert after.outcome == "out_of_scope"


def test_an_indonesian_company_is_no_agreement_country_investor_and_is_asked_nothing(tmp_path):
    """Indonesia is not in FATR s.5's list of agreement countries or regions: the lower figure, no question."""
    au = australia(tmp_path, "ID", "ID", "2022-06-01")
    assert (au.outcome, au.rule.id) == ("mandatory", "AU-007")
    assert AGREEMENT not in asked(au)


def test_an_indian_company_is_asked_the_figure_of_its_own_not_whether_it_is_an_agreement_investor(tmp_path):
    """India is no agreement country either, but FATR s.51(2) item 1 gives its investors a figure of their own
    (A$500M as written, indexed) for some services entities: asked between the lower and the agreement figure."""
    au = australia(tmp_path, "IN", "IN", "2024-06-01")
    assert (au.outcome, au.rule.id) == ("call_in", "AU-015")
    questions = asked(au)
    assert AGREEMENT not in questions and "AU-009" in questions["investor.au_india_threshold"]
    text = next(q.question for q in au.questions if "investor.au_india_threshold" in q.facts)
    assert "s.51(2)" in text
    said = australia(tmp_path, "IN", "IN", "2024-06-01", ", au_india_threshold: false")
    assert (said.outcome, said.rule.id) == ("mandatory", "AU-009")


def test_a_2017_value_between_2016s_and_2018s_figures_asks_whether_it_is_over_the_years_figure(tmp_path):
    """2017's figures were not read: only that they lie between 2016's (A$252M) and 2018's (A$261M)."""
    case = CASE.replace("au_threshold_value: 500000000", "au_threshold_value: 255000000")
    path = tmp_path / "case.yaml"
    path.write_text(
        case.replace("HOME", "DE").replace("PARENT", "DE").replace("SIGNED", "2017-06-01").replace("EXTRA", "")
    )
    [result] = screen_files([path])
    au = next(d for d in result.filings.decisions if d.regime.id == "AU")
    assert au.outcome == "undetermined"
    assert "AU-002" in asked(au)["target.au_above_unread_threshold"]
