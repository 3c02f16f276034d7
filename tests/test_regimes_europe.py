"""Real deals judged by the Spanish, Dutch and UK Enterprise Act regime packs on the day whose law applied."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from screening.api import screen_files

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "cases"
BACKTEST = ROOT / "backtest" / "cases"


def decisions(path: Path, on: dt.date | None = None) -> dict[str, object]:
    (result,) = screen_files([path], on=on)
    return {d.regime.id: d for d in result.filings.decisions}


def test_talgo_a_hungarian_bid_for_a_listed_train_maker_needed_authorisation_under_the_transitional_regime(tmp_path):
    # The application was reported by the CNMV on 4 April 2024; the Council of Ministers refused it on
    # 27 August 2024. An EU investor is caught only because Talgo is listed in Madrid.
    # The case does not give Talgo's turnover, so the pack cannot rule out RD 571/2023 Art. 17.2 (a turnover of
    # EUR 5 million or less), nor says whether that exemption reaches the transitional regime: it asks.
    path = BACKTEST / "talgo-ganz-mavag.yaml"
    spain = decisions(path, dt.date(2024, 4, 4))["ES"]
    assert spain.outcome == "undetermined"
    assert any("target.turnover_eur" in q.facts for q in spain.questions)
    # A maker of high-speed trains bid for at EUR 619 million has a turnover far above EUR 5 million.
    text = path.read_text("utf-8")
    said = text.replace("  listed: true\n", "  listed: true\n  turnover_eur: {more_than: 5000000}\n", 1)
    assert said != text
    (tmp_path / "talgo.yaml").write_text(said, "utf-8")
    spain = decisions(tmp_path / "talgo.yaml", dt.date(2024, 4, 4))["ES"]
    assert spain.outcome == "mandatory" and spain.rule is not None and spain.rule.id == "ES-005"


def test_stc_below_ten_percent_of_telefonica_needed_the_defence_authorisation():
    # 9.97% of the capital without control is outside Art. 7 bis, but Telefónica supplies the Spanish
    # Ministry of Defence and stc has a board seat: RD 571/2023 Art. 18 (authorised on 28 November 2024).
    spain = decisions(CASES / "stc-telefonica.yaml")["ES"]
    assert spain.outcome == "mandatory" and spain.rule is not None and spain.rule.id == "ES-008"


def test_nowi_completed_before_the_vifo_act_was_outside_its_retroactive_reach():
    # Completed in November 2022, before the Act; on 27 November 2023, within the eight months in which
    # the Minister could require a notification, she found that the retroactive reach covers only
    # military and dual-use goods, which Nowi's chips are not.
    for day in (dt.date(2022, 11, 1), dt.date(2022, 11, 30)):
        netherlands = decisions(CASES / "nexperia-nowi.yaml", day)
        assert netherlands["NL"].outcome == "not_in_force"
        assert netherlands["NLTC"].outcome == "out_of_scope"
    netherlands = decisions(CASES / "nexperia-nowi.yaml", dt.date(2023, 11, 27))
    assert netherlands["NL"].outcome == "out_of_scope"
    assert any("NL-005" in why and "nl_sensitive_technology" in why for why in netherlands["NL"].why)


def test_a_deal_completed_in_the_retroactive_reach_cannot_be_called_in_once_the_window_closed():
    # The Minister could require a notification until 1 February 2024; judged after that day, a deal
    # completed in 2022 is out of scope, never told it can still be called in.
    within = decisions(CASES / "nexperia-nowi.yaml", dt.date(2024, 2, 1))["NL"]
    after = decisions(CASES / "nexperia-nowi.yaml", dt.date(2024, 2, 2))["NL"]
    assert any("NL-005" in why for why in within.why)
    assert after.outcome == "out_of_scope" and not any("NL-005" in why for why in after.why)


def test_cobham_is_asked_for_the_contractor_notification_and_is_a_european_notice_once_its_turnover_is_said(
    tmp_path,
):
    # Advent agreed to buy Cobham on 25 July 2019; the Secretary of State gave a European intervention notice
    # (s.67) on national security on 17 September 2019 and accepted undertakings. The case records a classified
    # Ministry of Defence contract but not the Secretary of State's notification of confidential defence
    # information that makes a relevant government contractor (s.59(8)), nor Cobham's UK turnover in GBP: the
    # pack asks, rather than reading the contract as the notification.
    path = BACKTEST / "cobham-advent.yaml"
    ukea = decisions(path, dt.date(2019, 7, 25))["UKEA"]
    assert ukea.outcome == "undetermined"
    asked = [q for q in ukea.questions if "target.uk_relevant_government_contractor" in q.facts]
    assert asked and asked[0].could_be == "call_in" and "UKEA-008" in asked[0].rules
    notified = path.read_text("utf-8").replace(
        "  sectors: [defence, aerospace, space]\n",
        "  sectors: [defence, aerospace, space]\n  uk_relevant_government_contractor: true\n",
    )
    (tmp_path / "notified.yaml").write_text(notified, "utf-8")
    ukea = decisions(tmp_path / "notified.yaml", dt.date(2019, 7, 25))["UKEA"]
    assert ukea.outcome == "call_in" and ukea.rule is not None and ukea.rule.id == "UKEA-008"
    # Air-to-air refuelling systems and F-35 components are military goods (the case marks them
    # export-controlled); with 1,700 UK staff and 5-8% of revenue from the UK, its UK turnover exceeds
    # GBP 1 million by far: a relevant merger situation with an EU dimension, the European intervention notice.
    text = path.read_text("utf-8")
    said = text.replace(
        "  sectors: [defence, aerospace, space]\n",
        "  sectors: [defence, aerospace, space]\n"
        "  uk_relevant_enterprise: [military_dual_use]\n"
        "  uk_turnover_gbp: {more_than: 1000000}\n",
    )
    assert said != text
    (tmp_path / "cobham.yaml").write_text(said, "utf-8")
    ukea = decisions(tmp_path / "cobham.yaml", dt.date(2019, 7, 25))["UKEA"]
    assert ukea.outcome == "call_in" and ukea.rule is not None and ukea.rule.id == "UKEA-009"
    # Signed after the transition period, the same deal would be answered under the UK's own tests (s.42).
    ukea = decisions(tmp_path / "cobham.yaml", dt.date(2021, 1, 1))["UKEA"]
    assert ukea.outcome == "call_in" and ukea.rule is not None and ukea.rule.id == "UKEA-004"


def test_ultra_after_the_transition_period_is_never_a_european_notice_and_asks_for_the_contractor_notification():
    # Cobham (Advent) agreed to buy Ultra Electronics on 16 August 2021, after 31 December 2020: the Secretary
    # of State intervened under s.42. The case records classified Ministry of Defence contracts but neither
    # Ultra's UK turnover in GBP nor a notification under s.59(8), so the pack asks for them.
    ukea = decisions(BACKTEST / "ultra-electronics-cobham.yaml")["UKEA"]
    assert ukea.outcome == "undetermined"
    assert not any("UKEA-009" in q.rules for q in ukea.questions)
    assert any("target.uk_relevant_government_contractor" in q.facts for q in ukea.questions)
