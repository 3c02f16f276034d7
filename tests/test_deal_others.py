"""The deal's other owners, as far as the case tells them: their votes together (a number, a range from the
investor's bound, or not stated), who they are (co-investors named, the rest not stated), and never drawn as
one controller."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from screening.api import screen_files
from screening.report import Options, render
from tests.conftest import ROOT

BAKERY = (ROOT / "cases" / "benign-nordic-bakery.yaml").read_text("utf-8")


def deal_of(tmp_path: Path, votes: str | None, stake: str = "30", extra: str = "") -> tuple[dict, str, str]:
    text = re.sub(r"\n  stake_after_pct: 100\n", f"\n  stake_after_pct: {stake}\n", BAKERY)
    text = re.sub(r"\n  votes_after_pct: 100\n", "\n" if votes is None else f"\n  votes_after_pct: {votes}\n", text)
    text = text.replace("  board_seats: 5\n", "  board_seats: 1\n") + extra
    path = tmp_path / "deal.yaml"
    path.write_text(text, "utf-8")
    (result,) = screen_files([path])
    doc = json.loads(render("json", [result]))
    return doc["deal"], render("text", [result], Options(width=120)), render("markdown", [result])


def test_exact_votes_leave_the_others_a_number_and_say_who_is_not_stated(tmp_path):
    deal, text, md = deal_of(tmp_path, "30")
    assert deal["others_votes_pct"] == 70 and deal["others_share"] == "70% of the votes together"
    assert deal["others_who"] == "who they are is not stated in the case"
    assert "70% votes ← the other owners  who they are is not stated in the case" in text
    assert "not named in the case" not in text + md
    assert deal["control"] == "others" and "whether any of them controls" in deal["control_text"]


@pytest.mark.parametrize(
    "votes, share",
    [
        ("{between: [25, 30]}", "between 70% and 75% of the votes together"),
        ("{at_least: 25}", "at most 75% of the votes together"),
        ("{at_most: 30}", "at least 70% of the votes together"),
    ],
)
def test_a_bound_on_the_investors_votes_gives_the_others_a_range(tmp_path, votes, share):
    deal, text, md = deal_of(tmp_path, votes, stake=votes)
    assert deal["others_votes_pct"] is None and deal["others_share"] == share
    assert f"{share} ← the other owners" in text and share in md


def test_unknown_votes_say_the_others_share_is_not_stated(tmp_path):
    text = re.sub(r"\n  stake_after_pct: 100\n", "\n", BAKERY)
    text = re.sub(r"\n  votes_after_pct: 100\n", "\n", text).replace("  board_seats: 5\n", "")
    path = tmp_path / "deal.yaml"
    path.write_text(text, "utf-8")
    (result,) = screen_files([path])
    deal = json.loads(render("json", [result]))["deal"]
    assert deal["others_votes_pct"] is None and "not stated" in deal["others_share"]
    assert "the other owners" in render("text", [result], Options(width=120))
    html = render("html", [result])
    assert "Other owners: a share of the votes not stated" in html and ">Other owners<" not in html  # no box


def test_the_investor_holding_everything_leaves_no_other_owner(tmp_path):
    (result,) = screen_files([ROOT / "cases" / "benign-nordic-bakery.yaml"])
    deal = json.loads(render("json", [result]))["deal"]
    assert deal["others_votes_pct"] == 0 and "the other owners" not in render("text", [result])


def test_the_html_drawing_never_marks_the_other_owners_as_controlling(tmp_path):
    (result,) = screen_files([ROOT / "cases" / "cosco-hamburg-tollerort.yaml"])
    html = render("html", [result])
    assert "Other owners: 75.01% of the votes together, who they are is not stated in the case." in html
    from screening.report.html import with_deal

    doc = json.loads(render("json", [result]))
    drawn = with_deal(doc["ownership"], doc["deal"])
    others = [e for e in drawn["edges"] if e.get("voting_pct") == 75.01]
    assert others and not any(e["controlling"] for e in others)


CO_INVESTORS = """
  - id: co-a
    name: Co-investor A
    country: JP
    kind: listed_company
  - id: co-b
    name: Co-investor B
    country: KR
    kind: listed_company
"""


def _with_co_investors(tmp_path: Path, shares: tuple[int, int]) -> dict:
    text = re.sub(r"\n  stake_after_pct: 100\n", "\n  stake_after_pct: 77\n", BAKERY)
    text = re.sub(r"\n  votes_after_pct: 100\n", "\n  votes_after_pct: 77\n", text)
    text = text.replace("\nentities:\n", "\nentities:\n" + CO_INVESTORS.lstrip("\n"), 1)
    text = text.replace(
        "\ntransaction:\n",
        f"\ntransaction:\n  co_investors:\n    - {{entity: co-a, stake_after_pct: {shares[0]}}}\n"
        f"    - {{entity: co-b, stake_after_pct: {shares[1]}}}\n",
        1,
    )
    path = tmp_path / "deal.yaml"
    path.write_text(text, "utf-8")
    (result,) = screen_files([path])
    return json.loads(render("json", [result]))["deal"]


def test_co_investors_holding_all_the_rest_leave_no_one_unnamed(tmp_path):
    deal = _with_co_investors(tmp_path, (20, 3))
    assert deal["others_votes_pct"] == 23
    assert deal["others_who"] == "named in the case: Co-investor A 20%, Co-investor B 3%"


def test_co_investors_holding_part_of_the_rest_leave_the_rest_unstated(tmp_path):
    deal = _with_co_investors(tmp_path, (10, 3))
    assert deal["others_who"] == "named in the case: Co-investor A 10%, Co-investor B 3%; the rest not stated"
