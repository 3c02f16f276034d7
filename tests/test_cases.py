"""Case loading: the example cases load, and each bad input gets its one located error."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from screening.case.load import load_case
from screening.infra.errors import ScreeningError
from tests.conftest import CASES

HERE = Path(__file__).parent
BAD = sorted((HERE / "bad" / "cases").glob("*.yaml"))
EXPECT = re.compile(rb"# expect: (\d+):(\d+) (E\d+) (.*)")


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_example_case_loads(path):
    case = load_case(path)
    assert case.id == path.stem
    assert case.investor_id in case.entities
    assert case.sources, "example cases cite their sources"


def test_at_least_nine_examples_including_the_alibaba_case():
    assert len(CASES) >= 9
    assert "alibaba-liege" in {p.stem for p in CASES}


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_case_is_one_located_error(path):
    line, column, code, fragment = EXPECT.match(path.read_bytes().splitlines()[0]).groups()
    with pytest.raises(ScreeningError) as info:
        load_case(path)
    problems = info.value.problems
    assert len(problems) == 1, [str(p) for p in problems]
    problem = problems[0]
    assert problem.file == str(path)
    assert (problem.line, problem.column, problem.code) == (int(line), int(column), code.decode()), str(problem)
    assert fragment.decode() in problem.message, str(problem)


def test_yaml_1_1_surprises_stay_text():
    case = load_case(HERE / "data" / "minimal.yaml")
    assert case.investor.country == "NO"


def test_bom_and_crlf_are_accepted():
    case = load_case(HERE / "data" / "bom-crlf.yaml")
    assert case.id == "bom" and case.investor.country == "NO"


def test_missing_file():
    with pytest.raises(ScreeningError) as info:
        load_case(HERE / "nope.yaml")
    assert info.value.problems[0].code == "E001"


def test_unknown_stays_unknown():
    case = load_case(HERE / "data" / "minimal.yaml")
    from screening.case.facts import build_facts

    facts = build_facts(case)
    assert facts.get("target.data") is None  # not given: unknown, not "no data"
    assert facts.get("transaction.stake_after_pct") is None
    assert facts.get("investor.listings") is None


def test_long_form_fact_keeps_its_own_source(tmp_path):
    text = (HERE / "data" / "minimal.yaml").read_text() + (
        "transaction:\n  kind: acquisition\n  value_eur: {value: 5000000, sources: [s1]}\n"
        "sources:\n  - {id: s1, title: Deal note}\n"
    )
    path = tmp_path / "long.yaml"
    path.write_text(text)
    case = load_case(path)
    assert case.data["transaction"]["value_eur"] == 5000000
    assert case.sources_at(("transaction", "value_eur")) == ("s1",)
