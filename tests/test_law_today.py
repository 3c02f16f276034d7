"""Today's law is judged only for callers that show it: ``screen(..., law_today=False)`` gives the same answers on
the day judged, and neither a batch row nor a backtest asks for the second judgement."""

from __future__ import annotations

from pathlib import Path

import pytest

from screening.api import default_pack_path
from screening.case.load import load_case
from screening.decision.engine import screen
from screening.pack.load import load_pack

PACK = load_pack(default_pack_path())
ROOT = Path(__file__).parent.parent
CASES = [*sorted((ROOT / "backtest" / "cases").glob("*.yaml")), *sorted((ROOT / "cases").glob("*.yaml"))]
# judged on a day of their own, on which some regime's answer differs from its answer under today's law
DIFFERING = ["unocal-cnooc", "arm-nvidia", "alibaba-liege", "kidman-dakang", "atlantia-schema-alfa"]


def _without_today(result):
    decisions = tuple(d._replace(today=None) for d in result.filings.decisions)
    return result._replace(filings=result.filings._replace(decisions=decisions), uncaught_risk=None, uncaught_open=())


@pytest.mark.parametrize("name", DIFFERING)
def test_the_answers_on_the_day_judged_are_the_same_without_todays_law(name):
    (path,) = [p for p in CASES if p.stem == name]
    case = load_case(path)
    full = screen(case, PACK, evidence=False, value_gaps=False)
    lean = screen(case, PACK, evidence=False, value_gaps=False, law_today=False)
    assert any(d.today is not None for d in full.filings.decisions)  # today's law answers otherwise
    assert all(d.today is None for d in lean.filings.decisions)
    assert _without_today(lean) == _without_today(full)


def test_every_case_has_the_same_answers_on_its_day_with_evidence_too():
    for path in CASES[::7]:
        case = load_case(path)
        assert _without_today(screen(case, PACK, law_today=False)) == _without_today(screen(case, PACK))


def test_uncaught_risk_without_todays_law_reads_the_day_judged_only():
    """Unocal (2005) needed no filing then; under today's law the US answer differs. Without today's law the
    risk the filings leave uncaught is read from the day judged alone."""
    (path,) = [p for p in CASES if p.stem == "unocal-cnooc"]
    case = load_case(path)
    full = screen(case, PACK, evidence=False)
    lean = screen(case, PACK, evidence=False, law_today=False)
    us = [d for d in full.filings.decisions if d.regime.id == "US"][0]
    assert us.today is not None and us.today.outcome != us.outcome
    assert lean.uncaught_risk != full.uncaught_risk


def test_a_batch_row_and_a_backtest_do_not_judge_todays_law(monkeypatch):
    from screening.batch.inputs import Item
    from screening.batch.work import Config, process
    from screening.decision import filings
    from screening.tooling.backtest import score_corpus

    judged = filings.matrix
    asked: list[bool] = []

    def matrix(*args, **kwargs):
        asked.append(kwargs.get("today_too", True))
        return judged(*args, **kwargs)

    monkeypatch.setattr(filings, "matrix", matrix)
    (path,) = [p for p in CASES if p.stem == "unocal-cnooc"]
    row = process(Item("yaml", str(path), None, str(path)), Config(str(default_pack_path()), fast=False))
    assert row["error"] == "" and row["filings"]
    scored, problems = score_corpus([path], PACK)
    assert not problems and scored[0].level
    assert asked and not any(asked)
    screen(load_case(path), PACK)  # a report's screen still asks for it
    assert asked[-1] is True
