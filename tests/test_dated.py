"""Dated records: mitigations counted only on the days they held, dates that end before they start refused, and
the day a record's partial date leaves open."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.case.dated import in_force, on_day
from screening.case.facts import build_facts
from screening.case.load import load_case
from screening.case.values import DayRange, PartialList, day_range
from screening.infra.errors import ScreeningError

HERE = Path(__file__).parent
CASES = HERE.parent / "cases"

CASE = """format: 2
id: dated-mitigation
title: A mitigation agreed after signing
investor: buyer
entities:
  - id: buyer
    name: Buyer Co
    country: CN
    kind: private_company
    owners_complete: true
target: {name: Datenhaus GmbH, country: DE, sectors: [software], data: [{category: health, subjects: 2000000}]}
transaction: {kind: acquisition, stake_before_pct: 0, stake_after_pct: 60, signing_date: SIGNED}
mitigations:
  - {kind: data_localisation, binding: true, DATES}
"""


def _write(tmp_path: Path, signed: str, dates: str) -> Path:
    path = tmp_path / "c.yaml"
    path.write_text(CASE.replace("SIGNED", signed).replace("DATES", dates), "utf-8")
    return path


def _mi001(tmp_path: Path, signed: str, dates: str) -> bool | None:
    from screening.api import screen_files

    [result] = screen_files([_write(tmp_path, signed, dates)])
    if "MI-001" in {f.rule.id for f in result.mitigations}:
        return True
    return None if "MI-001" in result.undecided else False


@pytest.mark.parametrize(
    "signed, dates, counts",
    [
        ("2016-01-12", "agreed: 2019-05", False),  # agreed three years after signing
        ("2019-06-01", "agreed: 2019-05", True),
        ("2019-05-15", "agreed: 2019-05", None),  # possibly agreed by then: unknown, never true
        ("2019-06-01", "agreed: 2019", None),
        ("2019-06-01", "since: 2018, agreed: 2019-12-01", True),  # since wins over agreed
        ("2021-01-01", "agreed: 2019-05, until: 2020-06-30", False),  # no longer held
        ("2020-06-30", "agreed: 2019-05, until: 2020-06-30", True),
        ("2016", "agreed: 2019-05", False),  # every day of 2016 is before it
        ("2019", "agreed: 2019-05", None),
        ("2016-01-12", "description: undated", True),  # an undated mitigation counts on every day
    ],
)
def test_a_mitigation_counts_only_on_the_days_it_held(tmp_path, signed, dates, counts):
    assert _mi001(tmp_path, signed, dates) is counts


def test_a_mitigation_possibly_in_force_leaves_the_list_partial_and_keeps_its_sources(tmp_path):
    path = _write(tmp_path, "2019-06-01", "agreed: 2019-05")
    text = path.read_text("utf-8").replace(
        "  - {kind: data_localisation",
        "  - {kind: ring_fencing, binding: true, agreed: 2019}\n  - {kind: data_localisation",
    )
    path.write_text(text, "utf-8")
    case = load_case(path)
    values = build_facts(on_day(case, "2019-06-01", "2019-06-01")).values
    mitigations = values["mitigations"]
    assert isinstance(mitigations, PartialList)
    assert [m["kind"] for m in mitigations] == ["data_localisation"]
    assert mitigations[0]["@doc"] == ("mitigations", "1")  # its place in the file, for its sources


def test_kunlun_s_2019_commitments_do_not_count_on_its_2016_signing_day():
    from screening.api import screen_files

    [signed] = screen_files([CASES / "kunlun-grindr.yaml"])
    [agreed] = screen_files([CASES / "kunlun-grindr.yaml"], on=dt.date(2019, 6, 1))
    assert signed.day.first == "2016-01-12"
    assert not signed.mitigations and signed.level == "medium"
    assert {f.rule.id for f in agreed.mitigations} == {"MI-001", "MI-009", "MI-010", "MI-011"}
    assert agreed.score < signed.score


@pytest.mark.parametrize(
    "record, where",
    [
        ("{kind: data_localisation, binding: true, agreed: 2020, until: 2019-05-01}", "mitigations.0.until"),
        ("{kind: data_localisation, binding: true, since: 2019-06, until: 2019-05}", "mitigations.0.until"),
        ("{kind: data_localisation, binding: true, since: 2019-06-02, until: 2019-06-01}", "mitigations.0.until"),
    ],
)
def test_a_record_that_ends_before_it_starts_is_refused(tmp_path, record, where):
    path = tmp_path / "c.yaml"
    text = CASE.replace("SIGNED", "2019-06-01").replace("  - {kind: data_localisation, binding: true, DATES}", "")
    path.write_text(text + f"  - {record}\n", "utf-8")
    with pytest.raises(ScreeningError) as caught:
        load_case(path)
    [problem] = caught.value.problems
    assert problem.code == "E113" and where in problem.message and "ends before it starts" in problem.message


@pytest.mark.parametrize(
    "edit",
    [
        "      - {kind: golden_share, state: CN, since: 2023, until: 2021}",
        "      - {kind: golden_share, state: CN, since: {between: [2020, 2022]}, until: 2019-12-31}",
    ],
)
def test_a_state_link_that_ends_before_it_starts_is_refused(tmp_path, edit):
    path = tmp_path / "c.yaml"
    text = CASE.replace("SIGNED", "2019-06-01").replace("DATES", "agreed: 2019-05")
    text = text.replace("    owners_complete: true\n", f"    owners_complete: true\n    state_links:\n{edit}\n")
    path.write_text(text, "utf-8")
    with pytest.raises(ScreeningError) as caught:
        load_case(path)
    assert [p.code for p in caught.value.problems] == ["E113"]


@pytest.mark.parametrize(
    "dates",
    ["agreed: 2019-13", "agreed: soon", "agreed: 2019-02-30", "since: [2019]", "until: {between: [2020, 2019]}"],
)
def test_a_bad_mitigation_date_is_a_located_problem(tmp_path, dates):
    with pytest.raises(ScreeningError) as caught:
        load_case(_write(tmp_path, "2019-06-01", dates))
    assert all(p.line == 14 for p in caught.value.problems), caught.value.problems


# ---------------------------------------------------------------------------------------- in force, soundly

YEARS = st.integers(2015, 2020)


@st.composite
def dates(draw):  # type: ignore[no-untyped-def]
    """A date as a case writes it: a day, a month or a year."""
    year = draw(YEARS)
    form = draw(st.sampled_from(["day", "month", "year"]))
    if form == "year":
        return day_range(year)
    month = draw(st.integers(1, 12))
    if form == "month":
        return day_range(f"{year}-{month:02d}")
    return f"{year}-{month:02d}-{draw(st.integers(1, 28)):02d}"


def _ends(value):  # type: ignore[no-untyped-def]
    return (value.first, value.last) if isinstance(value, DayRange) else (value, value)


def _pick(draw, value):  # type: ignore[no-untyped-def]
    """One day the date ``value`` may be."""
    first, last = (dt.date.fromisoformat(d) for d in _ends(value))
    return first + dt.timedelta(days=draw(st.integers(0, (last - first).days)))


@settings(max_examples=400, deadline=None)
@given(data=st.data(), start=st.one_of(st.none(), dates()), until=st.one_of(st.none(), dates()), judged=dates())
def test_in_force_is_never_wrong_for_any_day_the_dates_admit(data, start, until, judged):
    key = data.draw(st.sampled_from(["since", "agreed", "date"]))
    record = {k: v for k, v in ((key, start), ("until", until)) if v is not None}
    first, last = _ends(judged)
    held = in_force(record, first, last)
    d = _pick(data.draw, judged)
    s = _pick(data.draw, start) if start is not None else None
    u = _pick(data.draw, until) if until is not None else None
    if s is not None and u is not None and s > u:
        return  # dates that end before they start are refused on loading (E113)
    really = (s is None or s <= d) and (u is None or d <= u)
    if held is True:
        assert really
    elif held is False:
        assert not really


# ---------------------------------------------------------------------------------------- a record's partial date

SPLIT = """format: 2
id: split
title: A state stake of which only the year is known
investor: buyer
entities:
  - {id: buyer, name: Buyer Co, country: CN, kind: private_company, owners_complete: true}
  - {id: sasac, name: SASAC, country: CN, kind: state_body, owners_complete: true}
ownership:
  - {owner: sasac, owned: buyer, equity_pct: 60, voting_pct: 60, DATES}
target:
  name: Chipco Inc.
  country: US
  sectors: [semiconductors]
  critical_technologies: [{kind: semiconductors, export_controlled: true}]
transaction: {kind: minority_stake, stake_before_pct: 0, stake_after_pct: 30, signing_date: SIGNED}
"""


def _us(tmp_path: Path, signed: str, dates: str):  # type: ignore[no-untyped-def]
    from screening.api import screen_files

    path = tmp_path / "s.yaml"
    path.write_text(SPLIT.replace("SIGNED", signed).replace("DATES", dates), "utf-8")
    [result] = screen_files([path])
    return next(d for d in result.filings.decisions if d.regime.id == "US")


def test_a_stake_known_only_by_its_year_splits_the_year_where_it_is_unknown(tmp_path):
    us = _us(tmp_path, "2021", "since: 2021")
    assert us.outcome == "undetermined"
    assert us.why == (
        "The day decides: 2021-01-01 to 2021-12-30: undetermined (possibly in force then: the stake of SASAC in "
        "Buyer Co (since 2021)); 2021-12-31: mandatory (US-001).",
    )
    assert us.questions[0].question == (
        "On which day was the deal signed, and on which day did the stake of SASAC in Buyer Co (since 2021) start "
        "or stop holding? The answer changes on 2021-12-31."
    )


@pytest.mark.parametrize(
    "signed, dates, outcome, why",
    [
        ("2021", "since: 2020", "mandatory", "The same throughout every day of 2021."),
        ("2021", "since: 2022", "undetermined", "The same throughout every day of 2021."),  # open for other facts
        (
            "2021",
            "since: 2020, until: 2021-06",
            "undetermined",
            "2021-01-01 to 2021-06-01: mandatory (US-001); 2021-06-02 to 2021-12-31: undetermined (possibly in",
        ),
        ("2021", "since: 2021-03", "undetermined", "; 2021-03-31 to 2021-12-31: mandatory (US-001)."),
        ("2021-06-15", "since: 2021", "undetermined", ""),  # one day, possibly in force: no split to make
    ],
)
def test_a_partial_date_of_a_record_splits_the_days_judged(tmp_path, signed, dates, outcome, why):
    us = _us(tmp_path, signed, dates)
    assert us.outcome == outcome
    assert why in " ".join(us.why)


def test_a_record_s_partial_date_makes_the_days_it_may_change_on():
    from screening.case.dated import change_days

    case = load_case(CASES / "kunlun-grindr.yaml")
    assert change_days(case, "2019-01-01", "2019-12-31") == ["2019-03-27", "2019-05-01", "2019-05-31"]
    assert change_days(case, "2016-01-12", "2016-01-12") == []


# ---------------------------------------------------------------------------------------- equality on days


@pytest.mark.parametrize(
    "value, day, expected",
    [
        (day_range(2018), "2018-06-01", None),  # some day of 2018 may be it
        (day_range(2018), "2019-06-01", False),  # no day of 2018 is
        (day_range("2018-07"), "2018-06-30", False),
        (DayRange("2018-07-27", "2018-07-27"), "2018-07-27", True),  # a range of one day is that day
        (day_range(2018), "CN", None),  # text that is no day: nothing follows
    ],
)
def test_equals_on_a_range_of_days_is_three_valued_in_closures_and_compiled_code(value, day, expected):
    from screening.conditions.compiled import evaluator as compiled
    from screening.conditions.operators import compare
    from tests.test_compiled import assert_same, rules_of

    assert compare("equals", value, day) is expected
    assert compare("in", value, [day, "2030-01-01"]) is expected
    if day == "CN":
        return
    rules = rules_of(
        [
            {"field": "transaction.signing_date", "equals": day},
            {"field": "group.conduct", "contains": {"date": day}},
            {"field": "group.conduct", "contains": {"date": day, "kind": "sanctions_violation"}},
            {"field": "group.conduct", "contains": {"date": {"in": [day, "2030-01-01"]}}},
        ]
    )
    evaluator = compiled.compile_pack(rules)
    for values in (
        {"transaction.signing_date": value},
        {"group.conduct": [{"kind": "sanctions_violation", "date": value}]},
        {
            "group.conduct": [
                {"kind": "sanctions_violation", "date": value},
                {"kind": "sanctions_violation", "date": day},
            ]
        },
        {"group.conduct": PartialList([{"kind": "sanctions_violation", "date": value}])},
    ):
        assert_same(evaluator, rules, values)
    found = evaluator({"group.conduct": [{"kind": "sanctions_violation", "date": value}]})
    assert (True if 1 in found.fired else None if 1 in found.undecided else False) is expected


@settings(max_examples=300, deadline=None)
@given(data=st.data(), value=dates(), arg=dates())
def test_equals_on_a_range_of_days_is_never_wrong_for_a_day_it_admits(data, value, arg):
    from screening.conditions.operators import compare

    day = _ends(arg)[0]
    found = compare("equals", value, day) if isinstance(value, DayRange) else value == day
    picked = _pick(data.draw, value).isoformat()
    if found is True:
        assert picked == day
    elif found is False:
        assert picked != day


# ---------------------------------------------------------------------------------------- dated contracts

CONTRACT = """format: 2
id: contract
title: A defence contract with dates
investor: buyer
entities:
  - {id: buyer, name: Buyer Co, country: CN, kind: private_company, owners_complete: true}
target:
  name: Optik GmbH
  country: DE
  sectors: [manufacturing]
  government_contracts:
    - {customer: defence, country: DE, DATES, sources: [bmvg]}
transaction: {kind: acquisition, stake_before_pct: 0, stake_after_pct: 60, signing_date: SIGNED}
sources:
  - {id: bmvg, title: Contract notice, publisher: BAAINBw, url: "https://example.com/notice"}
"""


def _contract_view(tmp_path: Path, signed: str, dates: str) -> Any:
    path = tmp_path / "k.yaml"
    path.write_text(CONTRACT.replace("SIGNED", signed).replace("DATES", dates), "utf-8")
    case = load_case(path)
    day = day_range(signed) if len(signed) < 10 else DayRange(signed, signed)
    return build_facts(on_day(case, day.first, day.last)).values["target.government_contracts"]


@pytest.mark.parametrize(
    "signed, dates, found",
    [
        ("2018-06-01", "until: 2015", "none"),  # ended before the deal
        ("2018-06-01", "since: 2019-01-01", "none"),  # awarded after it
        ("2018-06-01", "since: 2016, until: 2020", "held"),
        ("2018-06-01", "until: 2018", "partial"),  # it may have ended by June 2018
        ("2018", "since: 2018-03-01", "partial"),  # a range of days the contract starts within
        ("2018-06-01", "note: undated", "held"),
    ],
)
def test_a_government_contract_counts_only_while_it_ran(tmp_path, signed, dates, found):
    contracts = _contract_view(tmp_path, signed, dates)
    kind = "partial" if isinstance(contracts, PartialList) and not contracts else "held" if contracts else "none"
    assert kind == found
    if found == "held":
        assert contracts[0]["@doc"] == ("target", "government_contracts", "0")  # its sources stay its own


def test_a_contract_that_ended_leaves_the_defence_rules_quiet(tmp_path):
    from screening.api import screen_files

    def fired(dates: str) -> set[str]:
        path = tmp_path / "k.yaml"
        path.write_text(CONTRACT.replace("SIGNED", "2018-06-01").replace("DATES", dates), "utf-8")
        [result] = screen_files([path])
        return {f.rule.id for f in result.findings}

    assert "CT-008" in fired("since: 2016") and "CT-008" not in fired("until: 2015")


def test_a_contract_of_a_part_abroad_is_dated_too(tmp_path):
    path = tmp_path / "k.yaml"
    text = CONTRACT.replace("SIGNED", "2018-06-01").replace("DATES", "until: 2015")
    text = text.replace(
        "  sectors: [manufacturing]\n",
        "  sectors: [manufacturing]\n  parts:\n    - name: Optik Inc.\n      country: US\n"
        "      government_contracts: [{customer: defence, country: US, since: 2019}]\n",
    )
    path.write_text(text, "utf-8")
    case = load_case(path)
    values = build_facts(on_day(case, "2018-06-01", "2018-06-01")).values
    assert values["target.government_contracts"] == []
    assert values["target.parts"][0]["government_contracts"] == []


def test_a_contract_that_ends_before_it_starts_is_refused(tmp_path):
    path = tmp_path / "k.yaml"
    path.write_text(CONTRACT.replace("SIGNED", "2018-06-01").replace("DATES", "since: 2019, until: 2018"), "utf-8")
    with pytest.raises(ScreeningError) as caught:
        load_case(path)
    assert [p.code for p in caught.value.problems] == ["E113"]


@settings(max_examples=25, deadline=None)
@given(data=st.data(), signed=st.sampled_from(["2021", "2021-03", "2020"]), since=dates(), until=st.none() | dates())
def test_an_answer_over_a_range_of_days_holds_on_each_of_its_days(tmp_path_factory, data, signed, since, until):
    """Whatever the partial dates of the state's stake: when the answer over the days judged is one answer, the
    answer on any single day of them is that answer too (the split points miss no change)."""
    from screening.api import screen_files

    s, u = _ends(since), _ends(until) if until is not None else None
    if u is not None and s[0] > u[1]:
        return  # refused on loading (E113)
    written = lambda d: str(d) if isinstance(d, DayRange) else d  # noqa: E731
    dates_ = f"since: {written(since)}" + (f", until: {written(until)}" if until is not None else "")
    path = tmp_path_factory.mktemp("range") / "s.yaml"
    path.write_text(SPLIT.replace("SIGNED", signed).replace("DATES", dates_), "utf-8")
    [whole] = screen_files([path])
    us = next(d for d in whole.filings.decisions if d.regime.id == "US")
    if us.outcome == "undetermined":
        return
    day = _pick(data.draw, day_range(signed))
    [one] = screen_files([path], on=day)
    assert next(d for d in one.filings.decisions if d.regime.id == "US").outcome == us.outcome, (dates_, day)


@pytest.mark.parametrize(
    "value, written, words",
    [
        (day_range(2018), "2018", "2018"),
        (day_range("2018-07"), "2018-07", "2018-07"),
        (day_range({"between": ["2021-05-10", "2021-05-17"]}), {"between": ["2021-05-10", "2021-05-17"]}, None),
        (day_range({"between": ["2018-03", 2019]}), {"between": ["2018-03-01", "2019-12-31"]}, None),
    ],
)
def test_a_range_of_days_is_written_as_a_case_reads_it(value, written, words):
    from screening.case.values import shown

    assert value.written() == written
    assert day_range(written) == value  # read back, the same days
    assert shown(written) == (words or f"between {value.first} and {value.last}")
