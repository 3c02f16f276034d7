"""Filings that do not stop closing: a mandatory trigger marked ``suspensory: false`` reads "notification, not
suspensory" (Canada's notice, ICA s.12; Japan's post-investment report, FEFTA Art. 27-2), its outcome staying
``mandatory``; a suspensory filing met in the same regime wins, and an open one is still asked about."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from screening.api import screen_files
from screening.cli import main
from screening.decision.filings import matrix
from screening.pack.examples import fragment_values
from screening.pack.regimes import NOT_SUSPENSORY, answer_text, strength, timing_text
from screening.report.data import filing_answer, filings
from screening.tooling.testing import with_derived

CASE = """\
format: 2
id: can-software
title: A German company buys a Canadian software business
as_of: 2024-05-01
investor: inv
entities:
  - {id: inv, name: Example GmbH, country: DE, kind: private_company, owners_complete: true,
     listings: [], state_links: [], conduct: []}
ownership: []
target: {name: Example Software Inc., country: CA, sectors: [software], ca_enterprise_value: VALUE,
         ca_asset_value: 5000000, ca_cultural_business: false}
transaction: {kind: acquisition, stake_before_pct: 0, stake_after_pct: 100, signing_date: 2024-04-02}
"""


def canada(tmp_path: Path, value: str) -> Path:
    path = tmp_path / f"can-{value}.yaml"
    path.write_text(CASE.replace("VALUE", value), "utf-8")
    return path


def regime(pack, rid):
    return next(r for r in pack.regimes if r.id == rid)


def trigger(pack, tid):
    return next(t for r in pack.regimes for t in r.rules if t.id == tid)


def test_the_words_and_the_strength_of_a_filing_that_does_not_stop_closing(pack):
    notice, review = trigger(pack, "CAN-018"), trigger(pack, "CAN-014")
    assert (notice.outcome, notice.suspensory, notice.due_after_closing_days) == ("mandatory", False, 30)
    assert review.suspensory is True and review.due_after_closing_days is None
    assert answer_text("mandatory", notice) == NOT_SUSPENSORY and answer_text("mandatory", review) == "mandatory filing"
    assert timing_text(notice) == "closing need not wait for it; due within 30 days after closing"
    assert timing_text(review) is None
    assert strength("mandatory", review) > strength("mandatory", notice) > strength("voluntary", None)
    report = trigger(pack, "JP-003")
    assert report.suspensory is False and timing_text(report) == "closing need not wait for it"  # no deadline found


def test_canada_below_the_review_threshold_is_a_notification_after_closing(pack, tmp_path):
    (result,) = screen_files([canada(tmp_path, "10000000")], None)
    doc = filings(result)
    can = next(d for d in doc["regimes"] if d["regime"] == "CAN")
    assert (can["outcome"], can["rule"]["id"], can["outcome_text"]) == ("mandatory", "CAN-018", NOT_SUSPENSORY)
    assert can["suspensory"] is False and can["due_after_closing_days"] == 30
    assert doc["mandatory"] == ["CAN"] and doc["not_suspensory"] == ["CAN"]  # the list of filings due stays whole
    assert filing_answer(doc) == "Notification, not suspensory: CAN (CAN-018, due within 30 days after closing)"
    assert filing_answer(doc, rules=False) == "Notification, not suspensory: CAN (due within 30 days after closing)"


def test_canada_above_the_review_threshold_shows_the_suspensory_review(pack, tmp_path):
    (result,) = screen_files([canada(tmp_path, "3000000000")], None)
    doc = filings(result)
    can = next(d for d in doc["regimes"] if d["regime"] == "CAN")
    assert (can["rule"]["id"], can["outcome_text"], can["suspensory"]) == ("CAN-014", "mandatory filing", True)
    assert "timing" not in can and "not_suspensory" not in doc
    assert filing_answer(doc) == "Mandatory: CAN (CAN-014). Under today's law: mandatory: CAN (CAN-016)"


def test_the_order_of_the_file_does_not_decide_between_the_two(pack):
    can = regime(pack, "CAN")
    reversed_ = can._replace(rules=tuple(reversed(tuple(can.rules))))
    values = with_derived(
        fragment_values(
            {
                "target": {"country": "CA", "ca_enterprise_value": 3000000000, "ca_asset_value": 5000000},
                "transaction": {"kind": "acquisition", "stake_before_pct": 0, "stake_after_pct": 100},
                "investor": {"country": "DE"},
                "ownership": {"state_controls": False, "states": [], "ultimate_controllers": []},
                "group": {"state_links": []},  # no state influence (ICA s.3): the private threshold applies
            }
        )
    )
    for explain in (True, False):
        (d,) = matrix({**values, "transaction.signing_date": "2024-04-02"}, [reversed_], explain=explain).decisions
        assert (d.outcome, d.rule.id) == ("mandatory", "CAN-014")


def test_an_open_review_is_asked_about_when_only_the_notification_is_met(pack):
    values = with_derived(
        fragment_values(
            {
                "target": {"country": "CA"},
                "transaction": {"kind": "acquisition", "stake_before_pct": 0, "stake_after_pct": 100},
                "investor": {"country": "DE"},
                "ownership": {"state_controls": False, "states": [], "ultimate_controllers": []},
            }
        )
    )
    (d,) = matrix({**values, "transaction.signing_date": "2024-04-02"}, [regime(pack, "CAN")]).decisions
    assert (d.outcome, d.rule.id) == ("mandatory", "CAN-018")
    assert any("CAN-014" in q.rules and q.could_be == "mandatory" for q in d.questions)


def test_japan_post_investment_report_reads_as_not_suspensory(pack):
    values = with_derived(
        fragment_values(
            {
                "target": {"country": "JP", "listed": True, "jp_fefta_category": "core"},
                "transaction": {
                    "kind": "minority_stake",
                    "votes_before_pct": 0,
                    "votes_after_pct": 3.65,
                    "jp_exemption": "general",
                    "board_seats": 0,
                    "technical_information_access": False,
                },
                "investor": {"country": "HK"},
                "ownership": {"state_controls": False, "ultimate_controllers": []},
            }
        )
    )
    (d,) = matrix({**values, "transaction.signing_date": "2021-03-12"}, [regime(pack, "JP")]).decisions
    assert (d.outcome, d.rule.id, answer_text(d.outcome, d.rule)) == ("mandatory", "JP-003", NOT_SUSPENSORY)


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_screening_filings_shows_it_in_every_format(tmp_path, capsys, fmt):
    code = main(["filings", str(canada(tmp_path, "10000000")), "--format", fmt, "--width", "120"])
    out = capsys.readouterr().out
    assert code == 0
    if fmt == "json":
        can = next(d for d in json.loads(out)["regimes"] if d["regime"] == "CAN")
        assert can["outcome"] == "mandatory" and can["outcome_text"] == NOT_SUSPENSORY
    else:
        assert (NOT_SUSPENSORY.upper() if fmt == "text" else NOT_SUSPENSORY) in out
        assert "closing need not wait for it; due within 30 days after closing" in out


@pytest.mark.parametrize(
    ("outcome", "suspensory", "could_be", "expected"),
    [
        ("mandatory", False, ["mandatory"], True),  # a notification that an open question could make suspensory
        ("mandatory", False, ["call_in", "mandatory"], True),
        ("mandatory", False, ["call_in"], False),  # only a stronger trigger is asked about
        ("mandatory", False, [], False),
        ("mandatory", True, ["mandatory"], False),  # already suspensory
        ("voluntary", False, ["mandatory"], False),  # not a notification
    ],
)
def test_one_test_of_a_notification_that_could_suspend(
    outcome: str, suspensory: bool, could_be: list[str], expected: bool
) -> None:
    from screening.decision.filings import could_suspend

    assert could_suspend(outcome, suspensory, could_be) is expected
