"""Dated records: mitigations counted only on the days they held, dates that end before they start refused, and
the day a record's partial date leaves open."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

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
