"""A trigger's condition on the day judged (``case.day``) reads the day each part of the law is applied on:
the days of a partial date split where such a condition turns, and `--as-of` and today's law read their own
day, not the case's date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from screening.api import screen_files
from screening.decision.filings import change_points

CANADA = """\
format: 2
id: jp-ca
title: A Japanese buyer of a Canadian business
investor: buyer
entities:
  - {id: buyer, name: Buyer KK, country: JP, kind: listed_company, state_ownership_pct: 0, owners_complete: true,
     state_links: []}
target:
  name: Maple Widgets
  country: CA
  sectors: [manufacturing]
  ca_enterprise_value: 1200000000
  critical_technologies: []
  data: []
transaction:
  kind: acquisition
  signing_date: 2018-11-01
  completion_date: DONE
  stake_before_pct: 0
  stake_after_pct: 100
  votes_after_pct: 100
  control: sole
"""

SPAIN = """\
format: 2
id: us-es
title: A US fund's small stake in a Spanish energy company
investor: fund
entities:
  - {id: fund, name: Fund LP, country: US, kind: fund, state_ownership_pct: 0, owners_complete: true,
     state_links: [], conduct: [], eu_sensitive_investments: false}
target:
  name: Energia SA
  country: ES
  sectors: [energy]
  critical_infrastructure: []
  critical_technologies: []
  data: []
  government_contracts: []
transaction:
  kind: minority_stake
  signing_date: 2021-06-01
  stake_before_pct: 0
  stake_after_pct: 10
  value_eur: 999999
  es_energy_exemption: false
"""


def _decision(tmp_path: Path, text: str, regime: str, on: dt.date | None = None):  # type: ignore[no-untyped-def]
    path = tmp_path / "case.yaml"
    path.write_text(text, "utf-8")
    [result] = screen_files([path], on=on)
    return next(d for d in result.filings.decisions if d.regime.id == regime)


def test_a_month_that_spans_a_countrys_entry_into_an_agreement_is_split_on_that_day(tmp_path):
    """Japan is a trade-agreement country from 30 December 2018 (CPTPP): a deal signed "in December 2018" at
    C$1.2bn is a net-benefit review on the 1st to the 29th and a notification on the 30th and 31st. The Act
    applies the law of the day the investment is implemented (s.14.1(1)): the day of completion."""
    can = _decision(tmp_path, CANADA.replace("DONE", "2018-12"), "CAN")
    assert can.outcome == "undetermined"
    assert can.why == (
        "The day decides: 2018-12-01 to 2018-12-29: mandatory (CAN-008); "
        "2018-12-30 to 2018-12-31: notification, not suspensory (CAN-018).",
    )
    assert can.questions[0].question == "On which day was the deal completed? The answer changes on 2018-12-30."


@pytest.mark.parametrize("done, rule", [("2018-12-29", "CAN-008"), ("2018-12-30", "CAN-018")])
def test_each_day_on_either_side_is_decided(tmp_path, done, rule):
    can = _decision(tmp_path, CANADA.replace("DONE", done), "CAN")
    assert (can.outcome, can.rule.id if can.rule else None) == ("mandatory", rule)


def test_a_month_the_condition_does_not_turn_in_is_the_same_throughout(tmp_path):
    can = _decision(tmp_path, CANADA.replace("DONE", "2019-02"), "CAN")
    assert (can.outcome, can.rule.id if can.rule else None) == ("mandatory", "CAN-018")
    assert can.why[-1] == "The same throughout every day of 2019-02."


def test_without_a_completion_date_canada_is_judged_from_signing_to_today(tmp_path, monkeypatch):
    """Signed on 10 December 2018 and not said to be completed: done on some day from then to today, so the
    answer changes on 30 December 2018 and the day of completion is asked; other regimes keep the signing day."""
    text = CANADA.replace("  signing_date: 2018-11-01\n  completion_date: DONE\n", "  signing_date: 2018-12-10\n")
    monkeypatch.setenv("SCREENING_TODAY", "2026-06-01")
    can = _decision(tmp_path, text, "CAN")
    assert can.outcome == "undetermined"
    assert can.why == (
        "The day decides: 2018-12-10 to 2018-12-29: mandatory (CAN-008); "
        "2018-12-30 to 2026-06-01: notification, not suspensory (CAN-018).",
    )
    assert can.questions[0].question == "On which day was the deal completed? The answer changes on 2018-12-30."
    assert can.questions[0].facts == ("transaction.completion_date",)


def test_the_same_filing_under_each_year_s_threshold_is_decided(tmp_path, monkeypatch):
    """C$20bn is above every year's threshold: a review on every day from signing to today, each year's
    trigger named, decided by the first day's."""
    text = CANADA.replace("  signing_date: 2018-11-01\n  completion_date: DONE\n", "  signing_date: 2018-12-10\n")
    monkeypatch.setenv("SCREENING_TODAY", "2020-06-01")
    can = _decision(tmp_path, text.replace("1200000000", "20000000000"), "CAN")
    assert (can.outcome, can.rule.id if can.rule else None) == ("mandatory", "CAN-008")
    assert can.why[-1] == (
        "The same throughout every day from 2018-12-10 to 2020-06-01 (the day of completion), under the trigger "
        "of each day: "
        "2018-12-10 to 2018-12-31: mandatory (CAN-008); 2019-01-01 to 2019-12-31: mandatory (CAN-009); "
        "2020-01-01 to 2020-06-01: mandatory (CAN-010)."
    )


def test_as_of_reads_the_day_judged_not_the_case_s_date(tmp_path):
    """Spain's EUR 1 million exemption held from 2 April 2020 to 31 August 2023: the case signed in 2021 is
    exempt on its own day, and needs authorisation when judged under the law of 2024 (RD 571/2023)."""
    own = _decision(tmp_path, SPAIN, "ES")
    assert own.outcome == "out_of_scope"
    later = _decision(tmp_path, SPAIN, "ES", on=dt.date(2024, 1, 2))
    assert (later.outcome, later.rule.id if later.rule else None) == ("mandatory", "ES-010")


def test_today_s_law_reads_today(tmp_path):
    """Beside the answer of the case's day, today's law is applied to today: the exemption has lapsed."""
    own = _decision(tmp_path, SPAIN, "ES")
    assert own.today is not None
    assert (own.today.outcome, own.today.rule.id if own.today.rule else None) == ("mandatory", "ES-010")


def test_the_days_a_condition_on_the_day_names_are_change_points():
    from screening.pack.load import default_pack_path, load_pack

    regimes = {r.id: r for r in load_pack(default_pack_path()).regimes}
    assert change_points(regimes["CAN"], "2018-12-01", "2018-12-31") == ["2018-12-01", "2018-12-30", "2018-12-31"]
    assert change_points(regimes["ES"], "2020-04-01", "2020-04-30") == ["2020-04-01", "2020-04-02", "2020-04-03"]
    assert change_points(regimes["DE"], "2019-02-01", "2019-02-28") == ["2019-02-01"]
