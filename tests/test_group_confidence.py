"""Facts computed from entity numbers (the group's and the ownership analysis'): a lower bound shows as "at least
63", never as 63, and a value computed from a number held below confirmed shows that confidence, in every
report format."""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.case.facts import plain
from screening.case.values import AtLeast, Interval
from screening.infra.yamlio import load

ROOT = Path(__file__).resolve().parent.parent

CASE = """format: 2
id: grp
title: A parent whose state ownership is reported
investor: buyer
entities:
  - {id: buyer, name: Buyer Co, country: CN, kind: private_company, owners_complete: true}
  - id: parent
    name: Parent Holdings
    country: CN
    kind: private_company
    owners_complete: false
    state_ownership_pct: {value: 63, confidence: LEVEL, sources: [ft]}
ownership:
  - {owner: parent, owned: buyer, equity_pct: 100, voting_pct: 100}
target: {name: Chipco GmbH, country: DE, sectors: [semiconductors]}
transaction: {kind: acquisition, stake_before_pct: 0, stake_after_pct: 60, signing_date: 2021-05-01}
sources:
  - {id: ft, title: Report, publisher: FT, url: "https://example.com/x"}
"""


def _write(tmp_path: Path, level: str) -> Path:
    path = tmp_path / f"grp-{level}.yaml"
    path.write_text(CASE.replace("LEVEL", level), "utf-8")
    return path


def _holders(result: Any) -> Any:
    found = [e for f in result.findings if f.rule.id == "SI-014" for e in f.evidence]
    [evidence] = [e for e in found if e.field == "ownership.state_holders"]
    return evidence


@pytest.mark.parametrize(
    "value, written",
    [
        (AtLeast(63.0), {"at_least": 63}),
        (AtLeast(37.8), {"at_least": 37.8}),
        (Interval(25, 100, text={"at_least": 25}), {"at_least": 25}),
        (Interval(25, 30, False, True), {"at_least": 25, "less_than": 30}),  # a closed end stays closed
        (Interval(25, 30, True, False), {"more_than": 25, "at_most": 30}),
        (Interval(25, 30, True, True), {"more_than": 25, "less_than": 30}),
        ({"equity_pct": AtLeast(63.0), "@doc": ("x",)}, {"equity_pct": {"at_least": 63}}),
        (63.0, 63),
    ],
)
def test_a_computed_lower_bound_is_written_as_a_bound(value, written):
    assert plain(value) == written


@pytest.mark.parametrize("level", ["confirmed", "reported", "alleged", "disputed"])
def test_a_value_computed_from_a_number_below_confirmed_carries_its_confidence(tmp_path, level):
    from screening.api import screen_files

    [result] = screen_files([_write(tmp_path, level)])
    evidence = _holders(result)
    assert evidence.confidence == ("" if level == "confirmed" else level)
    [holder] = evidence.value
    assert holder["equity_pct"] == {"at_least": 63} and holder["voting_pct"] == {"at_least": 63}


@pytest.mark.parametrize(
    "command",
    [
        ["screen", "-f", "text"],
        ["screen", "-f", "json"],
        ["screen", "-f", "markdown"],
        ["screen", "-f", "html"],
        ["screen", "--explain", "-f", "text"],
    ],
    ids=lambda c: "-".join(c).replace("-f-", "").replace("--", ""),
)
def test_every_format_shows_at_least_63_and_the_badge(tmp_path, command):
    from typer.testing import CliRunner

    from screening.cli import app

    out = tmp_path / "out"
    run = CliRunner().invoke(app, [*command, str(_write(tmp_path, "reported")), "-o", str(out), "--width", "200"])
    assert run.exit_code in (0, 1), run.output
    text = out.read_text("utf-8")
    if "json" in command:
        doc = json.loads(text)
        [finding] = [f for f in doc["findings"] if f["rule"] == "SI-014"]
        [evidence] = [e for e in finding["evidence"] if e["fact"] == "ownership.state_holders"]
        assert evidence["confidence"] == "reported"
        assert evidence["value"][0]["equity_pct"] == {"at_least": 63}
        return
    flat = " ".join(text.split())
    assert "equity_pct: at least 63, voting_pct: at least 63" in flat
    assert "equity_pct: 63," not in flat
    assert "(reported)" in flat or ">reported<" in flat


# ---------------------------------------------------------------------------------------- no badge, no doubt

CORPUS = sorted((ROOT / "cases").glob("*.yaml"))


@functools.cache
def _pack():
    from screening.pack.load import default_pack_path, load_pack

    return load_pack(default_pack_path())


def _numbers(data: dict[str, Any]) -> list[tuple[dict[str, Any], str]]:
    """The entity numbers and ownership stakes of a case: (the record holding it, its key)."""
    out = [(e, "state_ownership_pct") for e in data["entities"] if e.get("state_ownership_pct") is not None]
    out += [(r, key) for r in data.get("ownership") or () for key in ("equity_pct", "voting_pct") if key in r]
    return out


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(CORPUS), picks=st.lists(st.integers(0, 40), min_size=1, max_size=3), data=st.data())
def test_evidence_shown_without_a_badge_is_what_the_confirmed_facts_give(path, picks, data):
    """Lowering the confidence of some entity numbers or stakes: every piece of evidence shown without a
    confidence has the same value on the confirmed facts alone."""
    from screening.case.confidence import at_level
    from screening.case.dated import judged_day, on_day
    from screening.case.facts import build_facts
    from screening.case.load import build_case
    from screening.decision.engine import screen
    from screening.infra import clock

    document, _ = load(path)
    document = copy.deepcopy(document)
    numbers = _numbers(document)
    if not numbers:
        return
    for pick in picks:
        record, key = numbers[pick % len(numbers)]
        level = data.draw(st.sampled_from(["reported", "alleged", "disputed"]))
        if key == "state_ownership_pct":
            value = record[key]
            # a long form or a bound keeps what it says and gains the confidence
            record[key] = (
                {**value, "confidence": level} if isinstance(value, dict) else {"value": value, "confidence": level}
            )
        else:
            record["confidence"] = level
    case = build_case(document, {}, path.name)
    result = screen(case, _pack())
    day = judged_day(case.data, None, clock.today())
    confirmed = build_facts(at_level(on_day(case, day.first, day.last), "confirmed"), None).values
    for finding in result.findings:
        for evidence, leaf_value in ((e, confirmed.get(e.field)) for e in finding.evidence):
            if evidence.confidence or not evidence.field.startswith(("group.", "ownership.")):
                continue
            if isinstance(leaf_value, list):
                shown = plain(leaf_value)
                assert all(item in shown for item in evidence.value), (finding.rule.id, evidence.field)
            else:
                assert plain(leaf_value) == evidence.value, (finding.rule.id, evidence.field)
