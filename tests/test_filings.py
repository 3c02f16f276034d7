"""The filing matrix: regime packs, the day whose law applies, outcomes, reasons, questions and margins."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.api import screen_files
from screening.cli import main
from screening.decision import filings
from screening.decision.filings import judgement_day, matrix
from screening.infra.kept import Kept
from screening.pack.examples import fragment_values
from screening.pack.load import read_pack
from screening.pack.regimes import RANK
from tests.conftest import mutated, paths_of

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "cases"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def decisions(result) -> dict[str, object]:
    return {d.regime.id: d for d in result.filings.decisions}


# --------------------------------------------------------------------------------------------- the day


@pytest.mark.parametrize(
    ("values", "as_of", "expected"),
    [
        (
            {"transaction.signing_date": "2021-03-01", "transaction.completion_date": "2021-06-01"},
            None,
            ("2021-03-01", "transaction.signing_date"),
        ),
        ({"transaction.completion_date": "2021-06-01"}, None, ("2021-06-01", "transaction.completion_date")),
        ({}, None, ("2026-11-28", "today")),
        ({"transaction.signing_date": "2021-03-01"}, dt.date(2019, 1, 2), ("2019-01-02", "as_of")),
    ],
)
def test_the_day_whose_law_applies(values, as_of, expected):
    assert judgement_day(values, as_of, dt.date(2026, 11, 28)) == expected


def test_screening_today_must_be_a_date(monkeypatch, capsys):
    monkeypatch.setenv("SCREENING_TODAY", "28/11/2026")
    code, _, err = run(capsys, "filings", str(CASES / "kunlun-grindr.yaml"))
    assert code == 2 and "SCREENING_TODAY" in err and "E106" in err and "Traceback" not in err


@pytest.mark.parametrize("fixed", ["1899-12-31", "2101-01-01", "0001-01-01", "9999-12-31"])
@pytest.mark.parametrize("command", ["filings", "screen"])
def test_screening_today_outside_the_years_a_day_may_fall_in_is_refused(monkeypatch, capsys, fixed, command):
    """--as-of refused a day outside 1900-2100 but SCREENING_TODAY was used as given (a report screened on
    1800-01-01): it is refused as --as-of is, naming the variable and the years expected."""
    monkeypatch.setenv("SCREENING_TODAY", fixed)
    code, out, err = run(capsys, command, str(CASES / "kunlun-grindr.yaml"))
    assert code == 2 and out == "" and "Traceback" not in err
    said = "environment variable SCREENING_TODAY (the day taken as today): expected a year from 1900 to 2100"
    assert f"{said}, got '{fixed}'" in err
    assert "E106" in err
    code, _, err = run(capsys, command, str(CASES / "kunlun-grindr.yaml"), "--as-of", fixed)
    assert code == 2 and f"expected a year from 1900 to 2100, got '{fixed}'" in err


@pytest.mark.parametrize("given", ["20181204", "2018-W49-2", "2018-338", "2018-12-04T00:00", "2018-12-4"])
def test_a_day_in_another_iso_form_is_refused_as_it_is_documented(monkeypatch, capsys, given):
    """--as-of and SCREENING_TODAY take a day written YYYY-MM-DD; Python's reader also takes the basic and week
    forms (``20181204``, ``2018-W49-2``), which the documentation never promised and a typo could fall into."""
    case = str(CASES / "kunlun-grindr.yaml")
    code, out, err = run(capsys, "filings", case, "--as-of", given)
    assert code == 2 and out == "" and f"got {given!r}" in err and "Traceback" not in err
    monkeypatch.setenv("SCREENING_TODAY", given)
    code, out, err = run(capsys, "filings", case)
    assert code == 2 and out == "" and f"expected a date YYYY-MM-DD, found {given!r}" in err and "E106" in err


@pytest.mark.parametrize("fixed", ["1900-01-01", "2100-12-31"])
def test_screening_today_on_the_first_and_last_years_is_taken(monkeypatch, capsys, fixed):
    monkeypatch.setenv("SCREENING_TODAY", fixed)
    code, out, err = run(capsys, "screen", str(CASES / "kunlun-grindr.yaml"))
    assert code in (0, 1) and f"screened on {fixed}" in out, err


# --------------------------------------------------------------------------------------------- cases


@pytest.mark.parametrize(
    "case, regime, idle, shown",
    [
        ("alibaba-liege.yaml", "EU", "transaction.control exists true", "transaction.control equals true"),
        ("stc-telefonica.yaml", "EU", "transaction.board_seats exists true", "transaction.board_seats gte 1"),
    ],
)
def test_a_guard_beside_a_test_of_its_fact_is_not_among_the_facts_used(pack, case, regime, idle, shown):
    """EU-001's facts used listed `transaction.control exists true: true` above `transaction.control equals true:
    true`: the guard only checks that the fact is given, which the next line shows with its value."""
    (result,) = screen_files([CASES / case])
    decision = decisions(result)[regime]
    tests = [u.test for u in (decision.today or decision).used] + [u.test for u in decision.used]
    assert shown in tests and idle not in tests


def test_alibaba_predates_the_belgian_mechanism_and_today_a_lease_is_outside_it(pack):
    (result,) = screen_files([CASES / "alibaba-liege.yaml"])
    assert result.filings.on == "2018-12-04" and result.filings.basis == "transaction.signing_date"
    be = decisions(result)["BE"]
    assert be.outcome == "not_in_force" and "applies from 2023-07-01" in be.why[0]
    assert be.today is not None and be.today.on == "2026-11-28" and be.today.outcome == "out_of_scope"
    why = " ".join(be.today.why)
    assert "BE-001, BE-002, BE-003 not met: transaction.kind is lease_or_concession" in why
    assert "greenfield investment, a lease or a concession of land" in why
    assert decisions(result)["EU"].today.outcome == "call_in"
    from screening.report.data import filings

    doc = filings(result)
    assert doc["uncaught_risk"] is True and doc["mandatory"] == [] and doc["mandatory_today"] == []
    not_reached = [n["regime"] for n in doc["not_reached"]]
    assert {"DE", "ES", "FR", "IT", "UK", "US"} <= set(not_reached)
    assert "BE" not in not_reached and "EU" not in not_reached


def test_cosco_needs_a_german_filing_as_a_kritis_operator_and_sits_just_under_the_next_step():
    (result,) = screen_files([CASES / "cosco-hamburg-tollerort.yaml"])
    de = decisions(result)["DE"]
    # the terminal was registered as above the BSI-KritisV threshold before the signing: 10% suffices
    assert (de.outcome, de.rule.id if de.rule else None) == ("mandatory", "DE-003")
    assert "target.critical_infrastructure" in [u.field for u in de.used]
    near = {(m.rule, m.threshold): m for m in de.near}
    assert near[("DE-007", 25.0)].distance == pytest.approx(-0.01) and not near[("DE-007", 25.0)].holds
    assert all(m.rule != "DE-001" for m in de.near)  # a defence trigger its stake cannot change is not listed


def test_state_grid_in_july_2018_was_below_the_then_threshold():
    (result,) = screen_files([CASES / "state-grid-50hertz.yaml"], on=dt.date(2018, 7, 1))
    de = decisions(result)["DE"]
    assert de.outcome == "out_of_scope" and de.rule is None
    assert any("DE-004" in w and "transaction.votes_after_pct is 20" in w for w in de.why)
    assert (de.today.outcome, de.today.rule) == ("undetermined", None)  # KritisV threshold not stated
    assert decisions(result)["EU"].outcome == "not_in_force"


def test_unknown_facts_that_could_make_a_filing_mandatory_are_questions():
    (result,) = screen_files([CASES / "kunlun-grindr.yaml"], on=dt.date(2024, 1, 1))
    us = decisions(result)["US"]
    assert (us.outcome, us.rule.id) == ("voluntary", "US-004")
    assert {r for q in us.questions for r in q.rules} == {"US-001", "US-002"}
    assert {q.could_be for q in us.questions} == {"mandatory"}


def test_undetermined_when_no_trigger_is_met_and_one_is_unknown(pack):
    values = fragment_values(
        {
            "target": {"country": "DE", "sectors": ["retail"]},
            "transaction": {"kind": "acquisition", "votes_before_pct": 0, "votes_after_pct": 12},
            "investor": {"country": "CN"},
        }
    )
    de = next(d for d in matrix(values, pack.regimes, dt.date(2024, 1, 1)).decisions if d.regime.id == "DE")
    assert de.outcome == "undetermined"
    assert "target.critical_infrastructure" in {f for q in de.questions for f in q.facts}


# --------------------------------------------------------------------------------------------- CLI


def test_filings_command_text_json_markdown(capsys):
    case = str(CASES / "cosco-hamburg-tollerort.yaml")
    code, out, _ = run(capsys, "filings", case, "--width", "100")
    assert code == 0 and "Where to file" in out and "DE  MANDATORY FILING  DE-003" in out and "BSI-KritisV" in out
    # 24.99% with no board seat, veto or control given: the EU frame asks whether it is a direct investment
    assert "EU  UNDETERMINED" in out and "effective participation in the target's" in out
    assert "status secondary (" in out
    code, out, _ = run(capsys, "filings", case, "-f", "json")
    doc = json.loads(out)
    assert doc["case"] == "cosco-hamburg-tollerort" and doc["mandatory"] == ["DE"]
    assert [r["regime"] for r in doc["regimes"]] == ["DE", "EU"]
    assert doc["regimes"][0]["rule"]["legal_basis"][0].startswith("DE-AWV")
    assert doc["regimes"][0]["rule"]["verified"] == "secondary" and doc["regimes"][0]["rule"]["verified_by"]
    eu = doc["regimes"][1]
    assert (eu["outcome"], eu["rule"]) == ("undetermined", None)
    assert [q["facts"] for q in eu["questions"]] == [["transaction.effective_participation"]]
    code, out, _ = run(capsys, "filings", case, "-f", "markdown", "--regime", "DE")
    assert code == 0 and "| **DE** | Germany | **mandatory filing** | `DE-003` | same |" in out
    assert "**EU**" not in out


def test_filings_command_as_of_and_unknown_regime(capsys):
    case = str(CASES / "state-grid-50hertz.yaml")
    code, out, _ = run(capsys, "filings", case, "--as-of", "2018-07-01", "-f", "json")
    assert code == 0 and json.loads(out)["judged_on"] == "2018-07-01"
    code, _, err = run(capsys, "filings", case, "--regime", "XX")
    assert code == 2 and "unknown regime XX" in err


def test_what_if_reports_the_filings_it_moves(capsys):
    code, out, _ = run(
        capsys,
        "screen",
        str(CASES / "cosco-hamburg-tollerort.yaml"),
        "--set",
        "transaction.votes_after_pct=9.9",
        "-f",
        "json",
    )
    assert code == 0
    assert {
        "regime": "DE",
        "law": "case day",
        "outcome": ["mandatory", "undetermined"],
        "rule": ["DE-003", None],
    } in json.loads(out)["filings"]


# --------------------------------------------------------------------------------------------- bad regime files

BASE = """format: 1
regime:
  id: XX
  name: Testland
  title: Test regime
  jurisdiction: BE
  authority: Test authority
  legal_basis: [BE-CA-2022]
  valid_from: 2020-01-01
  applies: {field: target.country, equals: BE}
  investors:
    - id: foreign
      title: foreign
      when: {field: investor.country, not_in: [BE]}
  review:
    - {phase: One, days: 30, unit: calendar days}
rules:
  - id: XX-001
    title: A trigger
    outcome: mandatory
    when: {field: transaction.votes_after_pct, gte: 10}
    legal_basis: [BE-CA-2022]
"""


@pytest.mark.parametrize(
    ("old", "new", "code", "line", "column"),
    [
        ("    outcome: mandatory\n", "    outcome: mandatory\n    investor: local\n", "E108", 21, 5),
        ("  - id: XX-001", "  - id: YY-001", "E106", 18, 5),
        ("  valid_from: 2020-01-01\n", "  valid_from: 2020-01-01\n  valid_to: 2019-01-01\n", "E106", 10, 3),
        ("    legal_basis: [BE-CA-2022]\n", "    legal_basis: [XX-LAW]\n", "E108", 22, 19),
        ("transaction.votes_after_pct, gte", "transaction.votes_aftr_pct, gte", "E201", 21, 12),
        ("    outcome: mandatory\n", "    outcome: mandatory\n    valid_from: 2019-06-01\n", "E106", 21, 5),
        ("    outcome: mandatory\n", "    outcome: required\n", "E106", 20, 5),
        ("  review:\n", "  reviews:\n", "E104", 15, 3),
        ("  - id: XX-001\n", "  - id: XX-001\n    weight: 3\n", "E104", 19, 5),
    ],
)
def test_bad_regime_files_are_located(tmp_path, old, new, code, line, column):
    pack_dir = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", pack_dir, ignore=shutil.ignore_patterns("tests"))
    assert old in BASE
    (pack_dir / "regimes" / "xx.yaml").write_text(BASE.replace(old, new, 1), encoding="utf-8")
    _, problems = read_pack(pack_dir, use_cache=False)
    found = [(p.code, p.line, p.column) for p in problems if p.file.endswith("xx.yaml")]
    assert (code, line, column) in found and len(found) <= 2, problems


def test_a_trigger_id_used_twice_is_an_error(tmp_path):
    pack_dir = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", pack_dir, ignore=shutil.ignore_patterns("tests"))
    trigger = BASE[BASE.index("  - id: XX-001") :]
    (pack_dir / "regimes" / "xx.yaml").write_text(BASE + trigger, encoding="utf-8")
    _, problems = read_pack(pack_dir, use_cache=False)
    assert any(p.code == "E109" and p.rule == "XX-001" and p.line == 23 for p in problems), problems


def test_the_clean_regime_loads_and_answers(tmp_path):
    pack_dir = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", pack_dir, ignore=shutil.ignore_patterns("tests"))
    (pack_dir / "regimes" / "xx.yaml").write_text(BASE, encoding="utf-8")
    pack, problems = read_pack(pack_dir, use_cache=False)
    assert not [p for p in problems if p.severity == "error"]
    values = fragment_values(
        {"target": {"country": "BE"}, "investor": {"country": "US"}, "transaction": {"votes_after_pct": 10}}
    )
    xx = next(d for d in matrix(values, pack.regimes, dt.date(2021, 1, 1)).decisions if d.regime.id == "XX")
    assert (xx.outcome, xx.rule.id) == ("mandatory", "XX-001")


# --------------------------------------------------------------------------------------------- properties

SECTORS = ["energy", "transport", "defence", "health", "retail", "semiconductors", "communications"]
COUNTRIES = ["BE", "DE", "FR", "IT", "GB", "US", "NL", "CN", "CH", "CA"]


@settings(max_examples=150, deadline=None)
@given(
    target=st.sampled_from(COUNTRIES),
    investor=st.sampled_from(COUNTRIES),
    sectors=st.lists(st.sampled_from(SECTORS), max_size=2, unique=True),
    kind=st.sampled_from(["acquisition", "minority_stake", "greenfield", "asset_purchase"]),
    before=st.sampled_from([0, 5, 15, 30]),
    after=st.floats(0, 100),
    more=st.floats(0, 50),
    day=st.dates(dt.date(2015, 1, 1), dt.date(2030, 1, 1)),
)
def test_a_larger_stake_never_weakens_a_filing_answer(pack, target, investor, sectors, kind, before, after, more, day):
    """Raising the votes acquired (all else equal) never turns a stronger outcome into a weaker one."""

    def answers(votes: float) -> dict[str, int]:
        values = fragment_values(
            {
                "target": {
                    "country": target,
                    "sectors": sectors,
                    "turnover_eur": 2e8,
                    "listed": False,
                    "critical_infrastructure": [],
                    "critical_technologies": [],
                    "government_contracts": [],
                    "data": [],
                    "sensitive_sites": [],
                },
                "investor": {"country": investor},
                "ownership": {
                    "ultimate_controllers": [{"id": "p", "name": "P", "kind": "fund", "country": investor}],
                    "foreign_state_substantial_interest": False,
                },
                "transaction": {
                    "kind": kind,
                    "votes_before_pct": before,
                    "votes_after_pct": votes,
                    "control_acquired": votes > 50 and before <= 50,
                    "value_eur": 5e6,
                    "board_seats": 0,
                    "veto_rights": [],
                    "technical_information_access": False,
                },
            }
        )
        return {d.regime.id: RANK[d.outcome] for d in matrix(values, pack.regimes, day).decisions}

    low = max(after, before)
    first, second = answers(low), answers(min(100.0, low + more))
    assert all(second[r] >= first[r] for r in first), (first, second)


# --------------------------------------------------------------------------------------------- not_in, tests


def test_not_in_is_three_valued_and_works_in_record_patterns():
    from screening.case.catalogue import catalogue
    from screening.case.values import PartialList
    from screening.conditions.compile import Compiler

    compiler = Compiler(catalogue(), {"eu": ["FR", "DE"]})
    scalar = compiler.compile({"field": "investor.country", "not_in": "eu"})
    assert [scalar.check({"investor.country": c}) for c in ("CN", "FR", None)] == [True, False, None]
    owners = compiler.compile({"field": "ownership.ultimate_controllers", "contains": {"country": {"not_in": "eu"}}})
    assert owners.check({"ownership.ultimate_controllers": [{"country": "FR"}, {"country": "CN"}]}) is True
    assert owners.check({"ownership.ultimate_controllers": [{"country": "FR"}]}) is False
    assert owners.check({"ownership.ultimate_controllers": PartialList([{"country": "FR"}])}) is None


def test_in_and_not_in_the_same_values_can_never_hold():
    from screening.case.catalogue import catalogue
    from screening.conditions.compile import Compiler
    from screening.tooling.check import never_fires

    node = Compiler(catalogue(), {}).compile(
        {"all": [{"field": "investor.country", "in": ["CN"]}, {"field": "investor.country", "not_in": ["CN", "RU"]}]}
    )
    assert "no value satisfies all of them" in (never_fires(node, {}) or "")


def test_filing_tests_report_what_they_expected(tmp_path, capsys, pack):
    pack_dir = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", pack_dir, ignore=shutil.ignore_patterns("tests"))
    (pack_dir / "tests").mkdir()
    (pack_dir / "tests" / "filings.yaml").write_text(
        """format: 1
tests:
  - name: wrong on purpose
    on: 2024-01-01
    facts:
      target: {country: BE, sectors: [energy], turnover_eur: 150000000}
      transaction: {kind: minority_stake, votes_before_pct: 0, votes_after_pct: 10}
      investor: {country: CN}
    expect: {filings: {BE: out_of_scope}, decided_by: {BE: BE-002}}
""",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "test", str(pack_dir))
    assert code == 1
    assert "- BE: out_of_scope" in out and "+ BE: mandatory (BE-001)" in out
    assert "- BE decided by BE-002" in out and "+ BE decided by BE-001" in out


@pytest.mark.parametrize(
    ("entry", "code", "fragment"),
    [
        ("  - facts: {target: {country: BE}}\n    expect: {filings: {ZZ: mandatory}}\n", "E108", "unknown regime 'ZZ'"),
        (
            "  - facts: {target: {country: BE}}\n    expect: {decided_by: {BE: DE-001}}\n",
            "E108",
            "'DE-001' is not a trigger of regime BE",
        ),
        (
            "  - facts: {target: {country: BE}}\n    case: ../x.yaml\n    expect: {filings: {BE: mandatory}}\n",
            "E105",
            "either a case file",
        ),
        ("  - facts: {target: {country: BE}}\n    expect: {level: high}\n", "E106", "only expect filings"),
        ("  - facts: {target: {contry: BE}}\n    expect: {filings: {BE: mandatory}}\n", "E201", "target.contry"),
    ],
)
def test_bad_filing_tests(tmp_path, pack, entry, code, fragment):
    from screening.tooling.testing import read_test_file

    path = tmp_path / "t.yaml"
    path.write_text("format: 1\ntests:\n" + entry, encoding="utf-8")
    _, problems = read_test_file(path, pack)
    assert any(p.code == code and fragment in p.message for p in problems), problems


def test_rules_regimes_lists_triggers_and_show_explains_one(capsys):
    code, out, _ = run(capsys, "rules", "regimes", "-f", "json")
    regimes = {g["id"]: g for g in json.loads(out)}
    assert code == 0 and set(regimes) >= {"BE", "DE", "ES", "EU", "FR", "IT", "NL", "NLTC", "UK", "US"}
    de = {t["id"]: t for t in regimes["DE"]["triggers"]}
    assert (de["DE-004"]["valid_from"], de["DE-004"]["valid_to"]) == ("2017-07-18", "2018-12-28")
    code, out, _ = run(capsys, "rules", "show", "UK-003")
    assert code == 0 and "transaction.kind in [acquisition, minority_stake" in out and "UK-NSIA-2021 s.8(8)" in out
    code, _, err = run(capsys, "rules", "show", "UK-03")
    assert code == 2 and "did you mean 'UK-003'" in err


def test_diff_shows_trigger_changes_and_the_filings_they_move(tmp_path, capsys):
    new = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", new)
    path = new / "regimes" / "de.yaml"
    text = path.read_text("utf-8")
    start = text.index("  - id: DE-003")
    end = text.index("votes_after_pct, gte: 10}", start) + len("votes_after_pct, ")
    path.write_text(text[:end] + "gte: 25}" + text[end + len("gte: 10}") :], encoding="utf-8")
    code, out, _ = run(
        capsys, "diff", str(ROOT / "rules"), str(new), str(CASES / "cosco-hamburg-tollerort.yaml"), "-f", "json"
    )
    doc = json.loads(out)
    assert code == 0
    assert [(r["rule"], r["change"]) for r in doc["rules"]] == [("DE-003", "changed")]
    assert "transaction.votes_after_pct gte 25" in doc["rules"][0]["details"][0]
    (case,) = doc["cases_changed"]
    assert case["filings"] == ["DE: mandatory (DE-003) → mandatory (DE-006)"]  # the 20% step still holds


@pytest.mark.parametrize("case", sorted(CASES.glob("*.yaml")), ids=lambda p: p.stem)
@pytest.mark.parametrize("day", [None, dt.date(2018, 7, 1), dt.date(2028, 6, 1)])
def test_the_brief_matrix_gives_the_same_answers(pack, case, day, monkeypatch):
    from screening.case.facts import build_facts
    from screening.case.load import load_case

    values = build_facts(load_case(case)).values
    full, brief = matrix(values, pack.regimes, day), matrix(values, pack.regimes, day, explain=False)
    assert answers(brief) == answers(full)
    monkeypatch.setattr(filings, "_BRIEF", Kept(8))
    filings.compile_brief(pack.regimes)
    assert answers(matrix(values, pack.regimes, day, explain=False)) == answers(full)


def answers(m):
    return [
        (d.regime.id, d.outcome, d.rule and d.rule.id, d.today and (d.today.outcome, d.today.rule and d.today.rule.id))
        for d in m.decisions
    ]


def test_the_compiled_brief_matrix_agrees_on_synthetic_cases(pack, monkeypatch):
    """Every condition of every regime compiled into one pass answers as the closures do, on varied cases."""
    import random

    from screening.batch.synthetic import case as synthetic
    from screening.case.facts import build_facts
    from screening.case.load import build_case

    rng = random.Random(3)
    cases = [build_facts(build_case(synthetic(i, rng), {}, f"s{i}")).values for i in range(300)]
    days = [None, dt.date(2018, 7, 1), dt.date(2022, 1, 3), dt.date(2028, 6, 1)]
    plain = [answers(matrix(v, pack.regimes, day, explain=False)) for v in cases for day in days]
    monkeypatch.setattr(filings, "_BRIEF", Kept(8))
    filings.compile_brief(pack.regimes)
    assert [answers(matrix(v, pack.regimes, day, explain=False)) for v in cases for day in days] == plain
    outcomes = {d[1] for m in plain for d in m}
    assert {"mandatory", "out_of_scope", "undetermined", "not_in_force"} <= outcomes  # the comparison means something


REGIME = __import__("yaml").safe_load((ROOT / "rules" / "regimes" / "de.yaml").read_text("utf-8"))
JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 500),
    st.text(max_size=6),
    st.sampled_from(["2021-02-30", "DE", "mandatory", "eu_efta", "DE-999", "transaction.kind"]),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.sampled_from(["field", "any", "id"]), st.text(max_size=3), max_size=2),
)


@pytest.fixture(scope="module")
def scratch_pack(tmp_path_factory):
    path = tmp_path_factory.mktemp("mutations") / "rules"
    (path / "regimes").mkdir(parents=True)
    for name in ("pack.yaml", "scoring.yaml", "legal.yaml", "sources.yaml"):  # no risk rules: a fast pack
        shutil.copy(ROOT / "rules" / name, path / name)
    return path


@settings(max_examples=150, deadline=None)
@given(st.data(), JUNK, st.booleans())
def test_a_mutated_regime_file_gives_located_problems_never_a_crash(scratch_pack, draw, junk, delete):
    import yaml

    path = draw.draw(st.sampled_from([p for p in paths_of(REGIME) if p]))
    data = mutated(REGIME, path, junk, delete)
    (scratch_pack / "regimes" / "de.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    _, problems = read_pack(scratch_pack, use_cache=False)
    for p in problems:
        assert p.code and p.message and "\n" not in str(p)  # printed on one line, control characters escaped
        assert p.line is not None or p.file.endswith("pack.yaml") or not p.file.endswith("de.yaml"), p


# --------------------------------------------------------------------------------------------- review findings


def test_a_target_country_without_a_regime_is_not_called_uncaught(tmp_path):
    path = CASES / "stc-telefonica.yaml"
    text = path.read_text("utf-8").replace("  country: ES\n", "  country: PT\n")  # a country without a regime
    assert text != path.read_text("utf-8")
    case = tmp_path / "stc-portugal.yaml"
    case.write_text(text, "utf-8")
    (result,) = screen_files([case])
    from screening.report.data import filings

    doc = filings(result)
    assert doc["not_covered"] == "PT" and doc["uncaught_risk"] is False


def test_what_if_reports_filings_that_move_under_todays_law(capsys):
    code, out, _ = run(
        capsys, "screen", str(CASES / "alibaba-liege.yaml"), "--set", "transaction.kind=acquisition", "-f", "json"
    )
    assert code == 0
    assert {
        "regime": "BE",
        "law": "today",
        "outcome": ["out_of_scope", "mandatory"],
        "rule": [None, "BE-002"],
    } in json.loads(out)["filings"]


def test_a_stake_exactly_at_a_more_than_threshold_is_near_it(pack):
    values = fragment_values(
        {
            "target": {"country": "GB", "nar_activities": [{"schedule": 6, "in_uk": True}]},
            "transaction": {
                "kind": "minority_stake",
                "votes_before_pct": 0,
                "votes_after_pct": 25,
                "board_seats": 0,
                "veto_rights": [],
            },
            "investor": {"country": "US"},
        }
    )
    uk = next(d for d in matrix(values, pack.regimes, dt.date(2024, 6, 1)).decisions if d.regime.id == "UK")
    assert {(m.rule, m.threshold, m.distance) for m in uk.near} >= {("UK-001", 25.0, 0.0), ("UK-002", 25.0, 0.0)}


def _pack_copy(tmp_path: Path) -> Path:
    path = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", path, ignore=shutil.ignore_patterns("tests"))
    return path


def test_a_regime_id_used_by_two_files_is_an_error(tmp_path):
    pack_dir = _pack_copy(tmp_path)
    text = (pack_dir / "regimes" / "be.yaml").read_text("utf-8").replace("BE-00", "BE-10")
    (pack_dir / "regimes" / "be2.yaml").write_text(text, encoding="utf-8")
    _, problems = read_pack(pack_dir, use_cache=False)
    assert any(
        p.code == "E109" and "duplicate regime id 'BE'" in p.message and p.file.endswith("be2.yaml") for p in problems
    )


def test_a_floor_cannot_name_a_filing_trigger(tmp_path):
    pack_dir = _pack_copy(tmp_path)
    scoring = pack_dir / "scoring.yaml"
    scoring.write_text(scoring.read_text("utf-8").replace("rules: [IC-001", "rules: [DE-003, IC-001", 1), "utf-8")
    _, problems = read_pack(pack_dir, use_cache=False)
    assert any(p.code == "E108" and "unknown rule 'DE-003'" in p.message for p in problems)


def test_check_reads_a_regimes_directory_and_a_loose_regime_file(tmp_path, capsys):
    code, out, _ = run(capsys, "check", str(ROOT / "rules" / "regimes"), "--format", "json")
    assert code == 0 and not [p for p in json.loads(out)["problems"] if p["severity"] == "error"]
    loose = tmp_path / "fr.yaml"
    loose.write_text(
        (ROOT / "rules" / "regimes" / "fr.yaml")
        .read_text("utf-8")
        .replace("outcome: mandatory", "outcome: required", 1),
        "utf-8",
    )
    code, out, _ = run(capsys, "check", str(loose), "--format", "json")
    problems = json.loads(out)["problems"]
    assert code == 1 and [p["code"] for p in problems] == ["E106"] and "required" in problems[0]["message"]


def test_coverage_counts_a_trigger_only_for_the_regimes_a_test_names(tmp_path, pack):
    from screening.tooling.testing import run_pack_tests

    pack_dir = _pack_copy(tmp_path)
    (pack_dir / "tests").mkdir()
    (pack_dir / "tests" / "t.yaml").write_text(
        """format: 1
tests:
  - on: 2024-01-01
    facts:
      target: {country: NL, sectors: [energy]}
      transaction: {kind: minority_stake, votes_before_pct: 0, votes_after_pct: 20}
      investor: {country: CN}
    expect: {filings: {DE: out_of_scope}}
""",
        "utf-8",
    )
    loaded, _ = read_pack(pack_dir, use_cache=False)
    _, coverage, _ = run_pack_tests(loaded, pack_dir)
    assert coverage.fired_by["EU-001"] == ("EU-001 fires[0]", "EU-001 fires[1]")  # its examples, not the test on DE


def test_a_pack_read_from_the_cache_compiles_regimes_on_first_use_and_answers_alike(tmp_path, monkeypatch):
    from screening.case.facts import build_facts
    from screening.case.load import load_case
    from screening.pack.regimes import Deferred

    monkeypatch.setenv("SCREENING_CACHE_DIR", str(tmp_path / "cache"))
    fresh, problems = read_pack(ROOT / "rules")
    cached, again = read_pack(ROOT / "rules")
    assert not problems and not again
    assert not isinstance(fresh.regimes[0].rules, Deferred) and isinstance(cached.regimes[0].rules, Deferred)
    for case in sorted(CASES.glob("*.yaml")):
        values = build_facts(load_case(case)).values
        answers = [
            [
                (d.regime.id, d.outcome, d.rule and d.rule.id, len(d.why), len(d.near))
                for d in matrix(values, p.regimes, dt.date(2024, 1, 1)).decisions
            ]
            for p in (fresh, cached)
        ]
        assert answers[0] == answers[1], case.name


# --------------------------------------------------------------------------------------------- checked against the law


def _decide(pack, facts: dict, day: dt.date, regime: str):
    values = fragment_values(facts)
    return next(d for d in matrix(values, pack.regimes, day).decisions if d.regime.id == regime)


def test_a_contract_without_its_classification_asks_the_schedule_7_question(pack):
    uk = _decide(
        pack,
        {
            "target": {
                "country": "GB",
                "nar_activities": [],
                "government_contracts": [{"customer": "government", "country": "GB", "list_x": False}],
            },
            "transaction": {"kind": "acquisition", "votes_before_pct": 0, "votes_after_pct": 100},
            "investor": {"country": "US"},
        },
        dt.date(2023, 3, 1),
        "UK",
    )
    assert (uk.outcome, uk.rule.id) == ("call_in", "UK-002")
    asked = {q.question for q in uk.questions if q.could_be == "mandatory"}
    assert any("SECRET or TOP SECRET" in q for q in asked) and any("vetting" in q for q in asked)


def test_review_periods_and_penalties_are_those_of_the_day(pack):
    from screening.report.data import filings as filing_data

    us = next(r for r in pack.regimes if r.id == "US")
    assert "USD 250,000" in us.meaning("mandatory", "2024-12-25")
    assert "USD 5 million" in us.meaning("mandatory", "2024-12-26")
    assert "pilot program" in us.meaning("mandatory", "2019-06-01")
    de = next(r for r in pack.regimes if r.id == "DE")
    assert [p.days for p in de.review_on("2019-01-01")] == [4]
    assert [p.days for p in de.review_on("2021-01-01")] == [2, 4]
    (result,) = screen_files([CASES / "kunlun-grindr.yaml"])
    doc = filing_data(result)
    us_row = next(r for r in doc["regimes"] if r["regime"] == "US")
    assert [p["days"] for p in us_row["review"]] == [30, 45]  # 2016: before FIRRMA and declarations
    assert us_row["rule"]["verified"] == "secondary"


def test_a_planned_trigger_is_listed_and_never_applied(pack, capsys):
    uk = next(r for r in pack.regimes if r.id == "UK")
    planned = next(t for t in uk.rules if t.id == "UK-005")
    assert planned.planned and planned.verified == "unverified" and not planned.valid("2030-01-01")
    code, out, _ = run(capsys, "rules", "regimes", "--format", "json")
    rows = {t["id"]: t for g in json.loads(out) for t in g["triggers"]}
    assert rows["UK-005"]["planned"] is True and rows["UK-001"]["verified"] == "secondary"
    code, out, _ = run(capsys, "rules", "regimes")
    assert code == 0 and "planned, not in force" in out and "unverified" in out


def test_a_dated_investor_test_splits_the_triggers_that_name_it(pack):
    us = next(r for r in pack.regimes if r.id == "US")
    periods = [(t.valid_from, t.valid_to, t.investor.id) for t in us.rules if t.id == "US-005"]
    assert periods == [("2020-02-13", "2022-01-04", "not_excepted_2020"), ("2022-01-05", None, "not_excepted")]


def test_every_trigger_of_the_default_pack_says_how_far_it_was_checked():
    pack, _ = read_pack(ROOT / "rules", use_cache=False)  # with the keys each trigger was written with
    assert pack is not None
    for regime in pack.regimes:
        for t in regime.rules:
            assert "verified" in t.keys, f"{t.id} has no verified status"
            assert t.verified == "unverified" or t.verified_by, f"{t.id} names no source for its status"
            assert t.legal_basis and all(str(ref).split(" ", 1)[1:] for ref in t.legal_basis), f"{t.id}: no pinpoint"


# ------------------------------------------------------------------------------------- earlier law


@pytest.mark.parametrize(
    ("country", "regime", "day", "outcome"),
    [
        ("JP", "JP", dt.date(2016, 5, 1), "undetermined"),  # FEFTA applied before the pack's October 2017
        ("DE", "DE", dt.date(2008, 5, 1), "undetermined"),  # the sector-specific review of 2004
        ("IT", "IT", dt.date(2010, 5, 1), "undetermined"),  # the golden share of 1994
        ("BE", "BE", dt.date(2022, 5, 1), "not_in_force"),  # no screening law before July 2023
        ("NL", "NLTC", dt.date(2019, 5, 1), "not_in_force"),  # the telecom test began in October 2020
    ],
)
def test_a_day_before_the_pack_encodes_a_law_that_already_applied_is_undetermined(pack, country, regime, day, outcome):
    values = fragment_values(
        {
            "target": {"country": country, "sectors": ["defence"]},
            "transaction": {"kind": "acquisition", "votes_before_pct": 0, "votes_after_pct": 60},
            "investor": {"country": "CN"},
        }
    )
    for explain in (True, False):
        found = matrix(values, pack.regimes, day, explain=explain)
        decision = next(d for d in found.decisions if d.regime.id == regime)
        assert decision.outcome == outcome
        if explain and outcome == "undetermined":
            (why,) = decision.why
            assert "does not encode" in why and pack_regime(pack, regime).earlier_law in why
            assert "not checked against its text" in why
            assert decision.questions and decision.questions[0].could_be == "mandatory"


def pack_regime(pack, regime_id):
    return next(r for r in pack.regimes if r.id == regime_id)


# ------------------------------------------------------------------- risk no filing is known to catch


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "json"])
def test_a_high_risk_whose_filing_is_not_determinable_is_told_apart_and_names_the_question(capsys, fmt):
    (result,) = screen_files([CASES / "state-grid-50hertz.yaml"])
    assert result.level in ("high", "critical") and not result.uncaught_risk
    (regime, question), *_ = result.uncaught_open
    de = decisions(result)["DE"]
    assert regime == "DE" and de.outcome == "undetermined" and question == de.questions[0].question
    code, out, _ = run(capsys, "screen", str(CASES / "state-grid-50hertz.yaml"), "--format", fmt)
    assert code == 0
    if fmt == "json":
        doc = json.loads(out)["filings"]
        assert doc["uncaught_open"][0] == {"regime": "DE", "question": question} and not doc["uncaught_risk"]
    else:
        flat = " ".join(out.split())
        assert "that no filing obligation is known to catch" in flat and "not determinable in DE" in flat
        assert "that no filing obligation catches" not in flat


def test_a_risk_no_filing_catches_is_not_called_undeterminable():
    (result,) = screen_files([CASES / "pif-heathrow.yaml"])
    assert result.uncaught_risk and result.uncaught_open == ()


# --------------------------------------------------------------------------------------------- reach of the texts


def _decision(pack, regime: str, facts: dict, day: dt.date):  # type: ignore[no-untyped-def]
    values = fragment_values(facts)
    return next(d for d in matrix(values, pack.regimes, day).decisions if d.regime.id == regime)


@pytest.mark.parametrize("votes", [5, 9.9, 10, 20, 49])
def test_the_eu_frame_never_reads_a_direct_investment_from_a_percentage(pack, votes):
    """Reg. 2019/452 Art. 2(1) sets no percentage: a stake without control, a board seat or a veto is asked about."""
    tx = {"kind": "minority_stake", "votes_before_pct": 0, "votes_after_pct": votes}
    tx |= {"board_seats": 0, "veto_rights": []}
    facts = {"target": {"country": "NL", "sectors": ["transport"]}, "investor": {"country": "CN"}, "transaction": tx}
    eu = _decision(pack, "EU", facts, dt.date(2024, 1, 1))
    assert eu.outcome == "undetermined"
    assert [q.facts for q in eu.questions] == [("transaction.effective_participation",)]
    assert "portfolio investment" in eu.questions[0].question
    said = {**facts, "transaction": {**tx, "effective_participation": True}}
    assert _decision(pack, "EU", said, dt.date(2024, 1, 1)).outcome == "call_in"
    portfolio = {**facts, "transaction": {**tx, "effective_participation": False}}
    assert _decision(pack, "EU", portfolio, dt.date(2024, 1, 1)).outcome == "out_of_scope"


def test_a_french_business_of_a_foreign_target_before_2024_asks_who_carries_it_on(pack):
    """R.153-1 2° (2012-2020): a branch of activity of a company with its registered office in France."""
    part = {"name": "Elancourt", "kind": "business", "country": "FR", "sectors": ["defence"]}
    facts = {
        "target": {"country": "DE", "sectors": ["defence"], "parts": [part]},
        "investor": {"country": "US"},
        "transaction": {"kind": "acquisition", "control_acquired": True, "votes_before_pct": 0, "votes_after_pct": 100},
    }
    fr = _decision(pack, "FR", facts, dt.date(2016, 6, 1))
    assert fr.outcome == "undetermined"
    assert "target.local_entity" in {f for q in fr.questions for f in q.facts}
    french = {**facts, "target": {**facts["target"], "parts": [{**part, "local_entity": True}]}}
    fr = _decision(pack, "FR", french, dt.date(2016, 6, 1))
    assert (fr.outcome, fr.rule.id) == ("mandatory", "FR-001")
    branch = {**facts, "target": {**facts["target"], "parts": [{**part, "local_entity": False}]}}
    assert _decision(pack, "FR", branch, dt.date(2016, 6, 1)).outcome == "out_of_scope"
    assert _decision(pack, "FR", branch, dt.date(2024, 1, 1)).rule.id == "FR-006"


def test_a_french_business_of_a_foreign_target_before_2024_is_asked_whether_a_french_company_carries_it(
    tmp_path: Path,
) -> None:
    """Hensoldt (2016-17): the French defence-electronics business of a German target. Before 2024 R.151-2 reaches
    a French entity, not a business: the answer waits on whether a French company carries it on, and is mandatory
    (FR-001) once the case says so."""
    source = Path("backtest/cases/hensoldt-kkr.yaml")
    (result,) = screen_files([source])
    (fr,) = [d for d in result.filings.decisions if d.regime.id == "FR"]
    assert fr.outcome == "undetermined"
    assert [q.facts for q in fr.questions][0] == ("target.local_entity",)  # of the part, in its territory
    told = tmp_path / "hensoldt.yaml"
    sector = "      sectors: [defence]"
    told.write_text(source.read_text("utf-8").replace(sector, f"{sector}\n      local_entity: true"), "utf-8")
    (result,) = screen_files([told])
    (fr,) = [d for d in result.filings.decisions if d.regime.id == "FR"]
    assert (fr.outcome, fr.rule.id if fr.rule else None) == ("mandatory", "FR-001")


def test_a_question_on_the_day_names_no_trigger_and_ends_its_part_of_the_uncaught_sentence(tmp_path: Path) -> None:
    """A bid dated only by its year, 2018, across the day Germany's threshold fell (29 December 2018): the
    question of the day is decided by no one trigger, so it names none (not "could make it undetermined: "), and
    the sentence on a risk no filing is known to catch does not end one part with ". ;"."""
    from screening.report import Options, render

    text = (CASES / "state-grid-50hertz.yaml").read_text("utf-8")
    dated = tmp_path / "state-grid-2018.yaml"
    kind = "  kind: minority_stake\n"
    dated.write_text(text.replace(kind, f"{kind}  announcement_date: 2018\n"), "utf-8")
    (result,) = screen_files([dated])
    de = decisions(result)["DE"]
    assert de.outcome == "undetermined" and de.questions[0].rules == ()
    assert "2018-12-29" in de.questions[0].question
    for fmt in ("text", "markdown", "html"):
        flat = " ".join(render(fmt, [result], Options(width=200)).split())
        assert "(could make it undetermined)" in flat, fmt
        assert "could make it undetermined: )" not in flat and ".;" not in flat, fmt
        assert "The answer changes on 2018-12-29; EU:" in flat, fmt
