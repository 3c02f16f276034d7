"""A real Canadian deal written from its public record (tests/data/walk/glencore-elk-valley.yaml: Glencore's
77% of Teck's steelmaking coal business, signed on 14 November 2023, approved and closed on 11 July 2024),
and the answers a walk through the tool with it found wanting, held here."""

from __future__ import annotations

import json

from screening.api import screen_files
from screening.case.catalogue import catalogue
from screening.conditions.compile import Compiler
from screening.conditions.explain import deciding, supporting, trace
from screening.report import Options, render
from tests.conftest import ROOT

DEAL = ROOT / "tests" / "data" / "walk" / "glencore-elk-valley.yaml"


def _doc() -> tuple[object, dict]:
    (result,) = screen_files([DEAL])
    return result, json.loads(render("json", [result]))


def _canada(doc: dict) -> dict:
    (can,) = [d for d in doc["filings"]["regimes"] if d["regime"] == "CAN"]
    return can


def test_the_net_benefit_review_is_judged_by_the_thresholds_of_the_day_of_completion():
    """The Investment Canada Act's thresholds are those of the year the investment is implemented: the case is
    judged on its signing date, Canada on its closing day, and every report says so beside Canada's answer."""
    result, doc = _doc()
    assert doc["filings"]["judged_on"] == "2023-11-14"
    can = _canada(doc)
    assert (can["outcome"], can["rule"]["id"], can["judged_on"]) == ("mandatory", "CAN-014", "2024-07-11")
    assert can["judged_text"].startswith("under the law in force on 2024-07-11, the completion date")
    text = render("text", [result], Options(width=200))
    assert "judged under the law in force on 2024-07-11, the completion date" in text
    assert "judged under the law in force on 2024-07-11" in render("text", [result], Options(width=200, brief=True))
    assert "under the law in force on 2024-07-11" in render("markdown", [result])
    assert "under the law in force on 2024-07-11" in render("html", [result])


def test_a_regime_judged_on_the_case_day_carries_no_day_of_its_own():
    (result,) = screen_files([ROOT / "cases" / "cosco-hamburg-tollerort.yaml"])
    doc = json.loads(render("json", [result]))
    assert doc["filings"]["regimes"] and not any("judged_text" in d for d in doc["filings"]["regimes"])


def test_the_facts_of_a_filing_are_the_tests_that_decided_it_with_their_sense():
    """A test that holds by failing (under a `not`) reads `not ...`; the dated exceptions of a trade-agreement
    list that never came into play (case.day before 2018, ...) are not listed as facts used."""
    _, doc = _doc()
    used = [u["test"] for u in _canada(doc)["facts_used"]]
    assert "not investor.country in ca_trade_agreement" in used
    assert "investor.country in ca_trade_agreement" not in used
    assert "not group.state_links contains {kind: {in: state_influence_kinds}}" in used
    assert not [t for t in used if t.startswith("case.day")]


def test_a_false_all_decides_a_filing_by_its_false_parts_only():
    compiled = Compiler(catalogue(), {}).compile(
        {"not": {"all": [{"field": "investor.country", "in": ["US"]}, {"field": "case.day", "lt": "2018-12-30"}]}}
    )
    t = trace(compiled, {"investor.country": "JE", "case.day": "2024-07-11"})
    assert t.value is True
    assert [leaf.node.field for leaf in supporting(t)] == ["investor.country", "case.day"]
    assert [leaf.node.field for leaf in deciding(t)] == ["investor.country", "case.day"]
    t = trace(compiled, {"investor.country": "US", "case.day": "2024-07-11"})
    assert [leaf.node.field for leaf in deciding(t)] == ["case.day"]
    # rule evidence keeps every leaf, as the compiled evaluator gives it
    assert [leaf.node.field for leaf in supporting(t)] == ["investor.country", "case.day"]


def test_co_investors_who_hold_the_rest_leave_no_owner_unnamed():
    _, doc = _doc()
    assert doc["deal"]["others_votes_pct"] == 23
    assert doc["deal"]["others_who"] == "named in the case: Nippon Steel Corporation 20%, POSCO 3%"


def test_a_mine_that_is_no_critical_mineral_has_a_sector_to_say_so():
    """A coal mine could not be tagged (`critical_minerals` is another thing), so the report kept asking "In
    which sectors is the target active?" of a case that knew the answer; `mining` answers it."""
    schema = json.loads((ROOT / "screening" / "schema" / "case.schema.json").read_text("utf-8"))
    assert "mining" in schema["$defs"]["sector"]["enum"]
    _, doc = _doc()
    assert not [g for g in doc["gaps"] if g["facts"] == ["target.sectors"]]


def test_a_what_if_tells_a_review_that_stops_closing_from_a_notice_after_it(capsys):
    """As a state-owned investor, Glencore's deal meets no net-benefit threshold the case can read (the asset
    value is not given): the answer moves from a review before closing to a notice within 30 days after it.
    Both are `mandatory`; the change said "mandatory (CAN-014) → mandatory (CAN-018)", as if nothing moved."""
    from screening.cli import main

    assert main(["screen", str(DEAL), "--set", "entities.0.kind=soe", "--width", "200"]) == 0
    out = capsys.readouterr().out
    assert "CAN: mandatory (CAN-014) → notification, not suspensory (CAN-018)" in out
    assert main(["screen", str(DEAL), "--set", "entities.0.kind=soe", "-f", "json"]) == 0
    (change, *_) = json.loads(capsys.readouterr().out)["filings"]
    assert change["rule"] == ["CAN-014", "CAN-018"] and change["suspensory"] == [True, False]


def test_a_notification_that_open_questions_could_make_suspensory_says_so_in_its_answer(tmp_path):
    """With the buyer's owners not known, Canada's certain answer is the notification after closing (CAN-018),
    but whether the review trigger (CAN-014, suspensory) applies is open: the answer's own words say the
    notification is a floor, in the filing line and beside the regime, not only in the questions under it."""
    text = DEAL.read_text(encoding="utf-8").replace("owners_complete: true", "owners_complete: false", 1)
    case = tmp_path / "glencore-owners-open.yaml"
    case.write_text(text, encoding="utf-8")
    (result,) = screen_files([case])
    doc = json.loads(render("json", [result]))
    can = _canada(doc)
    assert (can["outcome"], can["rule"]["id"], can["suspensory"]) == ("mandatory", "CAN-018", False)
    assert any(q["could_be"] == "mandatory" and "CAN-014" in q["rules"] for q in can["questions"])
    assert can["outcome_text"] == "notification, not suspensory; may be suspensory (open questions)"
    out = render("text", [result], Options(width=200))
    assert "filing: Notification, not suspensory: CAN (CAN-018, due within 30 days after closing, may be " in out
    assert "CAN NOTIFICATION, NOT SUSPENSORY; MAY BE SUSPENSORY (OPEN QUESTIONS)" in out
    # the deal as written (a widely held listed buyer, its owners complete) is decided: no such words
    assert "may be suspensory" not in render("text", [screen_files([DEAL])[0]], Options(width=200))
