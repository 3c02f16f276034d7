"""Facts as reported: bounds, words, partial dates, long forms with confidence, dated records; and the one
three-valued comparison over what they admit."""

from __future__ import annotations

import json
import math
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.case.facts import build_facts
from screening.case.load import load_case
from screening.case.values import INF, AtLeast, DayRange, Interval, day_range, describe, ends, jsonable, number
from screening.conditions.operators import compare
from screening.infra.yamlio import load
from screening.tooling import schemas

HERE = Path(__file__).parent
REPORTED = HERE / "data" / "reported.yaml"


def test_bounds_and_words_are_read_as_intervals():
    assert number({"at_least": 25}) == Interval(25, INF)
    assert number({"more_than": 50}, 0, 100) == Interval(50, 100, low_open=True)
    assert number({"less_than": 10}, 0) == Interval(0, 10, high_open=True)
    assert number({"between": [4000000, 6000000]}) == Interval(4000000, 6000000)
    assert number("majority") == Interval(50, 100, low_open=True)
    assert number("minority") == Interval(0, 50, high_open=True)
    assert number("blocking_minority") == Interval(25, 100, low_open=True)
    assert number("all") == 100 and number("none") == 0 and number(12.5) == 12.5


def test_a_bound_is_shown_as_written():
    assert describe(number({"at_least": 25}, 0, 100), "%") == "at least 25%"
    assert describe(number("majority")) == "a majority (more than 50%)"
    assert describe(Interval(4000000, 6000000)) == "between 4000000 and 6000000"
    assert describe(Interval(3, 10, low_open=True)) == "more than 3 and at most 10"
    assert number({"at_least": 25}, 0, 100).written() == {"at_least": 25}
    assert json.dumps({"v": number("majority")}, default=jsonable) == '{"v": "majority"}'


def test_partial_dates_are_the_days_they_cover():
    assert day_range(2018) == DayRange("2018-01-01", "2018-12-31")
    assert day_range("2016-02") == DayRange("2016-02-01", "2016-02-29")
    assert day_range({"between": ["2017-11", "2018-02-22"]}) == DayRange("2017-11-01", "2018-02-22")
    assert day_range({"between": [2018, "2019-04"]}) == DayRange("2018-01-01", "2019-04-30")
    assert day_range("2018-07-27") == "2018-07-27"  # a day stays a day
    assert str(day_range(2018)) == "2018" and str(day_range("2018-07")) == "2018-07"


def test_the_issue_s_examples():
    """`gte 25` on {at_least: 25} is true; `gte 30` is unknown; `lt 10` is false."""
    bound = number({"at_least": 25}, 0, 100)
    assert compare("gte", bound, 25) is True
    assert compare("gte", bound, 30) is None
    assert compare("lt", bound, 10) is False
    majority = number("majority")
    assert compare("gt", majority, 50) is True and compare("lte", majority, 50) is False
    assert compare("gte", majority, 51) is None


def test_dates_compare_as_intervals_of_days():
    year = day_range(2018)
    assert compare("gte", year, "2018-01-01") is True
    assert compare("lt", year, "2019-01-01") is True
    assert compare("gte", year, "2018-12-29") is None
    assert compare("lt", year, "2018-01-01") is False
    assert compare("between", year, ("2017-01-01", "2019-12-31")) is True
    assert compare("between", year, ("2019-01-01", "2019-12-31")) is False
    assert compare("equals", year, "2018-06-01") is None  # an equality on days stays unknown on a range


# ---------------------------------------------------------------------------------------- soundness


FINITE = st.integers(-20, 120).map(float)


@st.composite
def intervals(draw):
    low = draw(st.one_of(st.just(-INF), FINITE))
    high = draw(st.one_of(st.just(INF), FINITE))
    if low > high:
        low, high = high, low
    low_open = draw(st.booleans()) and low != high
    high_open = draw(st.booleans()) and low != high
    return Interval(low, high, low_open, high_open)


def _points(span: Interval) -> list[float]:
    """Points the interval admits, around every threshold the properties use (integers and halves)."""
    lo = -40.0 if span.low == -INF else span.low
    hi = 140.0 if span.high == INF else span.high
    candidates = {lo, hi} | {x / 2 for x in range(int(2 * lo) - 1, int(2 * hi) + 2)}
    admitted = []
    for x in sorted(candidates):
        e = ends(span)
        above = e.low is None or x > e.low or (x == e.low and not e.low_open)
        below = e.high is None or x < e.high or (x == e.high and not e.high_open)
        if above and below:
            admitted.append(x)
    return admitted


ARGS = st.one_of(
    st.tuples(st.sampled_from(["gt", "gte", "lt", "lte", "equals"]), st.integers(-20, 120).map(float)),
    st.tuples(st.just("between"), st.tuples(FINITE, FINITE).map(lambda p: tuple(sorted(p)))),
    st.tuples(st.sampled_from(["in", "not_in"]), st.frozensets(FINITE, min_size=1, max_size=3)),
)


@settings(max_examples=400, deadline=None)
@given(span=intervals(), test=ARGS)
def test_a_bound_never_gives_a_wrong_answer(span, test):
    """Sound: true means every value the bound admits gives true; false, every value gives false."""
    name, arg = test
    answer = compare(name, span, arg)
    points = _points(span)
    if answer is True:
        assert all(compare(name, x, arg) is True for x in points), (span, test)
    elif answer is False:
        assert all(compare(name, x, arg) is False for x in points), (span, test)


@settings(max_examples=300, deadline=None)
@given(x=FINITE, test=ARGS)
def test_a_bound_of_one_point_gives_the_exact_answer(x, test):
    """Complete: an interval of one point decides as the point does."""
    name, arg = test
    assert compare(name, Interval(x, x), arg) is compare(name, x, arg)


@settings(max_examples=300, deadline=None)
@given(span=intervals(), wider=intervals(), test=ARGS)
def test_widening_a_bound_never_turns_an_answer_into_another(span, wider, test):
    """A wider bound (the hull of two) can lose an answer to unknown, never change true into false."""
    name, arg = test
    hull = Interval(
        min(span.low, wider.low),
        max(span.high, wider.high),
        span.low_open
        if span.low < wider.low
        else (wider.low_open if wider.low < span.low else span.low_open and wider.low_open),
        span.high_open
        if span.high > wider.high
        else (wider.high_open if wider.high > span.high else span.high_open and wider.high_open),
    )
    answer = compare(name, hull, arg)
    if answer is not None:
        assert compare(name, span, arg) is answer


def test_at_least_is_an_interval_without_an_upper_end():
    assert ends(AtLeast(30)) == (30.0, None, False, False)
    assert compare("lt", AtLeast(30), 25) is False and compare("gte", AtLeast(30), 40) is None


# ---------------------------------------------------------------------------------------- a case


def test_a_case_written_as_reported_loads_with_its_forms():
    case = load_case(REPORTED)
    facts = build_facts(case, hits=[]).values
    assert facts["transaction.stake_after_pct"] == Interval(25, 100)
    assert str(facts["transaction.stake_after_pct"]) == "at least 25"
    assert facts["transaction.stake_before_pct"] == 0
    assert facts["transaction.signing_date"] == DayRange("2018-01-01", "2018-12-31")
    assert facts["transaction.completion_date"] == DayRange("2018-11-01", "2019-02-15")
    assert facts["transaction.value_eur"] == Interval(40000000, 60000000)
    assert facts["target.turnover_eur"] == Interval(100000000, INF, low_open=True)
    assert facts["target.employees"] == Interval(400, 500)
    assert facts["target.data_subjects"] == Interval(100000, INF)
    assert case.fact_meta[("transaction", "stake_after_pct")] == {"confidence": "reported"}
    assert case.sources_at(("transaction", "stake_after_pct")) == ("ft",)
    parent = case.data["entities"][1]
    assert parent["state_links"][0]["confidence"] == "disputed" and parent["state_links"][0]["disputed_by"] == [
        "company"
    ]
    assert parent["listings"][0]["since"] == DayRange("2020-01-01", "2020-12-31")
    assert parent["conduct"][0]["date"] == DayRange("2018-07-01", "2018-07-31")


def test_a_majority_stake_is_control_and_a_bound_that_may_not_be_is_unknown():
    facts = build_facts(load_case(REPORTED), hits=[]).values
    assert facts["ownership.controlled"] is True  # the parent holds a majority of the investor
    assert facts["ownership.state_controls"] is True  # the state holds 63 to 64% of the parent
    assert facts["transaction.control"] is None  # at least 25% may or may not be a majority


def test_a_percentage_given_as_a_word_feeds_control(tmp_path):
    text = REPORTED.read_text("utf-8").replace(
        "stake_after_pct: {at_least: 25, sources: [ft], confidence: reported}", "stake_after_pct: majority"
    )
    path = tmp_path / "c.yaml"
    path.write_text(text, "utf-8")
    facts = build_facts(load_case(path), hits=[]).values
    assert facts["transaction.control"] is True and facts["transaction.control_acquired"] is True


def test_the_exported_json_schema_takes_every_form():
    """A real draft-07 validator agrees: the case written as reported, with every form, is valid."""
    validator = jsonschema.Draft7Validator(
        schemas.export("case"), format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )
    data, _ = load(REPORTED)
    assert list(validator.iter_errors(data)) == []
    data["transaction"]["stake_after_pct"] = {"at_least": 25, "confidence": "rumoured"}
    assert list(validator.iter_errors(data))


@pytest.mark.parametrize("path", sorted((HERE.parent / "backtest" / "cases").glob("*.yaml")), ids=lambda p: p.stem)
def test_the_corpus_values_dates_and_confidence_are_valid_forms(path):
    """Every bound, word, partial date and confidence the corpus writes is a form the draft-07 schema takes (the
    fields and list values of its other extensions aside: those are not checked here)."""
    schema = schemas.export("case")
    _relax(schema)
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    data, _ = load(path)
    assert [e.message for e in validator.iter_errors(data)] == []


def _relax(node):
    """Open every mapping and drop every list of text values but the forms' own (words, confidence)."""
    if isinstance(node, dict):
        if node.get("additionalProperties") is False:
            node["additionalProperties"] = True
        words = node.get("enum")
        if words and all(isinstance(w, str) for w in words) and not {"majority", "confirmed"} & set(words):
            del node["enum"]
        for value in node.values():
            _relax(value)
    elif isinstance(node, list):
        for value in node:
            _relax(value)


def test_infinite_ends_stay_out_of_reports():
    assert math.isinf(Interval(3).high) and Interval(3).written() == {"at_least": 3}
