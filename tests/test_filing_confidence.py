"""Filings rest on confirmed facts: a trigger met only thanks to a reported, alleged or disputed fact gives the
answer the confirmed facts give, with "mandatory (US-001) if the reported facts hold" beside it, in every
format that shows the filing answer."""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.infra.yamlio import load

HERE = Path(__file__).parent
ROOT = HERE.parent

CASE = """format: 2
id: conf
title: A state stake only reported
investor: buyer
entities:
  - {id: buyer, name: Buyer Co, country: CN, kind: private_company, owners_complete: true}
  - {id: sasac, name: SASAC, country: CN, kind: state_body, owners_complete: true}
ownership:
  - {owner: sasac, owned: buyer, equity_pct: 60, voting_pct: 60, confidence: LEVEL}
target:
  name: Chipco Inc.
  country: US
  sectors: [semiconductors]
  critical_technologies: [{kind: semiconductors, export_controlled: true}]
transaction: {kind: minority_stake, stake_before_pct: 0, stake_after_pct: 30, signing_date: 2021-05-01}
"""


FACTS = ("ownership.ultimate_controllers", "ownership.states", "ownership.foreign_state_substantial_interest")
"""What the state stake of the case decides: who controls the investor (the investor test) and the state's
substantial interest (US-001)."""


def _write(tmp_path: Path, level: str) -> Path:
    path = tmp_path / f"conf-{level}.yaml"
    path.write_text(CASE.replace("LEVEL", level), "utf-8")
    return path


def _us(result: Any) -> Any:
    return next(d for d in result.filings.decisions if d.regime.id == "US")


@pytest.mark.parametrize(
    "level, outcome, unconfirmed",
    [
        ("confirmed", "mandatory", None),
        ("reported", "undetermined", "mandatory (US-001) if the reported facts hold"),
        ("alleged", "undetermined", "mandatory (US-001) if the alleged facts hold"),
        ("disputed", "undetermined", "mandatory (US-001) if the disputed facts hold"),
    ],
)
def test_a_trigger_met_only_on_a_fact_below_confirmed_is_not_the_answer(tmp_path, level, outcome, unconfirmed):
    from screening.api import screen_files

    [result] = screen_files([_write(tmp_path, level)])
    us = _us(result)
    assert us.outcome == outcome
    assert (us.unconfirmed.text() if us.unconfirmed else None) == unconfirmed
    if unconfirmed:
        assert us.unconfirmed.facts == FACTS
        first = us.questions[0]
        assert first.question == (
            f"Are the {level} facts confirmed ({', '.join(FACTS)})? The answer is mandatory (US-001) if they hold."
        )
        assert first.could_be == "mandatory" and first.rules == ("US-001",)
        assert us.why[0] == f"Undetermined on the confirmed facts; {unconfirmed}."


def test_the_best_confidence_at_which_the_answer_holds_is_named(tmp_path):
    """A reported state stake and a disputed one: the answer holds once the reported facts are taken as true."""
    from screening.api import screen_files

    path = _write(tmp_path, "reported")
    path.write_text(
        path.read_text("utf-8").replace(
            "kind: private_company, owners_complete: true}",
            "kind: private_company, owners_complete: true,\n"
            "     conduct: [{kind: espionage_allegation, country: US, date: 2020, confidence: disputed}]}",
        ),
        "utf-8",
    )
    [result] = screen_files([path])
    assert _us(result).unconfirmed.level == "reported"


def _pack_with(tmp_path: Path, setting: str) -> Path:
    pack = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", pack)
    scoring = pack / "scoring.yaml"
    scoring.write_text(
        scoring.read_text("utf-8").replace("filing_confidence: confirmed", f"filing_confidence: {setting}"), "utf-8"
    )
    return pack


@pytest.mark.parametrize(
    "setting, level, outcome, qualified",
    [
        ("reported", "reported", "mandatory", False),  # reported facts count as facts in this pack
        ("reported", "alleged", "undetermined", True),
        ("disputed", "disputed", "mandatory", False),
    ],
)
def test_the_pack_sets_the_confidence_filings_rest_on(tmp_path, setting, level, outcome, qualified):
    from screening.api import screen_files

    [result] = screen_files([_write(tmp_path, level)], pack_path=_pack_with(tmp_path, setting))
    us = _us(result)
    assert us.outcome == outcome and (us.unconfirmed is not None) is qualified


@pytest.mark.parametrize("setting", ["probable", "Confirmed", "1", "[confirmed]"])
def test_a_bad_filing_confidence_is_a_located_problem(tmp_path, setting):
    from screening.infra.errors import ScreeningError
    from screening.pack.load import load_pack

    with pytest.raises(ScreeningError) as caught:
        load_pack(_pack_with(tmp_path, setting))
    [problem] = caught.value.problems
    assert problem.file.endswith("scoring.yaml") and "filing_confidence" in problem.message


@pytest.mark.parametrize(
    "command",
    [
        ["screen", "-f", "text"],
        ["screen", "-f", "json"],
        ["screen", "-f", "markdown"],
        ["screen", "-f", "html"],
        ["screen", "--brief", "-f", "text"],
        ["screen", "--brief", "-f", "markdown"],
        ["screen", "--brief", "-f", "html"],
        ["filings", "-f", "text"],
        ["filings", "-f", "json"],
        ["filings", "-f", "markdown"],
    ],
    ids=lambda c: "-".join(c).replace("-f-", "").replace("--", ""),
)
def test_every_format_that_shows_the_filing_answer_says_it_rests_on_reported_facts(tmp_path, command):
    from typer.testing import CliRunner

    from screening.cli import app

    out = tmp_path / "out"
    run = CliRunner().invoke(app, [*command, str(_write(tmp_path, "reported")), "-o", str(out), "--width", "200"])
    assert run.exit_code in (0, 1), run.output
    text = " ".join(out.read_text("utf-8").split())
    assert "mandatory (US-001) if the reported facts hold" in text
    if "json" in command:
        doc = json.loads(out.read_text("utf-8"))
        doc = doc["results"][0] if "results" in doc else doc
        filings = doc.get("filings", doc)
        [us] = [d for d in filings["regimes"] if d["regime"] == "US"]
        assert us["outcome"] == "undetermined"
        assert us["unconfirmed"] == {
            "outcome": "mandatory",
            "outcome_text": "mandatory filing",
            "rule": "US-001",
            "confidence": "reported",
            "facts": list(FACTS),
            "text": "mandatory (US-001) if the reported facts hold",
        }


# ---------------------------------------------------------------------------------------- never as confirmed

CORPUS = sorted((ROOT / "cases").glob("*.yaml")) + sorted((ROOT / "backtest" / "cases").glob("*.yaml"))[::8]
RECORDS = ("state_links", "listings", "conduct")
TARGET = ("critical_infrastructure", "critical_technologies", "government_contracts", "sensitive_sites", "data")


def _confirmed(node: Any) -> Any:
    """The document with every confidence taken away (everything confirmed)."""
    if isinstance(node, dict):
        return {k: _confirmed(v) for k, v in node.items() if k != "confidence"}
    if isinstance(node, list):
        return [_confirmed(v) for v in node]
    return node


def _records(data: dict[str, Any]) -> list[dict[str, Any]]:
    out = [r for e in data["entities"] for key in RECORDS for r in e.get(key) or ()]
    out += list(data.get("ownership") or ())
    out += [r for key in TARGET for r in data["target"].get(key) or ()]
    return [r for r in out if isinstance(r, dict)]


@functools.cache
def _pack():
    from screening.pack.load import default_pack_path, load_pack

    return load_pack(default_pack_path())


def _matrix(data: dict[str, Any]) -> Any:
    from screening.case.load import build_case
    from screening.decision.engine import screen

    return screen(build_case(data, {}, "c.yaml"), _pack(), on=None).filings


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    path=st.sampled_from(CORPUS),
    picks=st.lists(st.integers(0, 60), min_size=1, max_size=3),
    level=st.sampled_from(["reported", "alleged", "disputed"]),
)
def test_a_filing_answer_never_rests_on_a_fact_below_confirmed(path, picks, level):
    """Lowering the confidence of any records leaves each regime's answer as it was, or makes the answer of the
    facts still confirmed the outcome, with the old answer beside it as what the lowered facts would give."""
    data, _ = load(path)
    confirmed = _confirmed(data)
    doubted = copy.deepcopy(confirmed)
    records = _records(doubted)
    if not records:
        return
    for pick in picks:
        records[pick % len(records)]["confidence"] = level
    before, after = _matrix(confirmed), _matrix(doubted)
    for was, now in zip(before.decisions, after.decisions, strict=True):
        key = (was.outcome, was.rule.id if was.rule else None)
        if (now.outcome, now.rule.id if now.rule else None) == key:
            continue
        assert now.unconfirmed is not None, (was.regime.id, was.outcome, now.outcome)
        assert (now.unconfirmed.outcome, now.unconfirmed.rule.id if now.unconfirmed.rule else None) == key
        assert now.unconfirmed.level == level
        assert now.questions[0].could_be == was.outcome


def test_kunlun_on_a_day_its_reported_facts_hold_is_not_changed_by_them():
    from screening.api import screen_files

    [result] = screen_files([ROOT / "cases" / "kunlun-grindr.yaml"], on=dt.date(2016, 1, 12))
    assert _us(result).outcome == "voluntary"
