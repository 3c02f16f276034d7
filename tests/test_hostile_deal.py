"""Hostile deal facts: dates that contradict each other, and the Australian and Canadian fields given values of
the wrong kind. Each is refused with a located problem, in a YAML file and in a JSON Lines batch row alike."""

from __future__ import annotations

import json

import pytest

from screening.batch.run import Job, plan, run_batch
from screening.batch.synthetic import cases as synthetic_cases
from screening.case.load import load_case
from screening.cli import main
from screening.infra.errors import ScreeningError

CASE = """format: 2
id: x
title: t
investor: buyer
entities:
  - id: buyer
    name: Buyer
    country: CN
    kind: private_company
target: {name: T, country: CA}
transaction:
  kind: acquisition
  signing_date: SIGNED
  completion_date: DONE
"""


@pytest.mark.parametrize(
    "signed, done",
    [
        ("2019-05-01", "2018-01-01"),
        ("2019-05-01", "2019-04-30"),
        ("2019", "2018-12"),
        ("2019-05", "2018"),
        ("{between: [2019-01, 2019-06]}", "2018-12-31"),
        ("2019-05-01", "{between: [2018-01, 2019-04]}"),
    ],
)
def test_a_deal_completed_before_it_was_signed_is_refused(tmp_path, signed, done):
    path = tmp_path / "c.yaml"
    path.write_text(CASE.replace("SIGNED", signed).replace("DONE", done), "utf-8")
    with pytest.raises(ScreeningError) as caught:
        load_case(path)
    [problem] = caught.value.problems
    assert (problem.code, problem.line, problem.column) == ("E113", 14, 3), problem
    assert "completes before it is signed" in problem.message and "transaction.completion_date" in problem.message


@pytest.mark.parametrize(
    "signed, done",
    [
        ("2019-05-01", "2019-05-01"),
        ("2019-05-01", "2019-05"),  # may be the same month: not certainly before
        ("2019", "2019-01-01"),
        ("2018-06-01", "{between: [2018, 2019]}"),
    ],
)
def test_completion_on_or_possibly_after_signing_is_accepted(tmp_path, signed, done):
    path = tmp_path / "c.yaml"
    path.write_text(CASE.replace("SIGNED", signed).replace("DONE", done), "utf-8")
    assert load_case(path).id == "x"


def test_a_json_lines_row_completed_before_it_was_signed_fails_alone(tmp_path, capsys):
    rows = list(synthetic_cases(2, seed=11))
    rows[0] = {**rows[0], "transaction": {**rows[0]["transaction"], "signing_date": "2019-05-01"}}
    rows[0]["transaction"]["completion_date"] = "2018-01-01"
    source, out = tmp_path / "in.jsonl", tmp_path / "r.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    code = main(["batch", "--no-progress", "--max-errors", "100", str(source), "-o", str(out)])
    err = capsys.readouterr().err
    first, second = (json.loads(line) for line in out.read_text("utf-8").splitlines())
    assert code == 0, err
    assert "E113" in first["error"] and "completes before it is signed" in first["error"], first
    assert f"{source}:1:" in first["error"] and second["error"] == ""


@pytest.mark.parametrize(
    "done",
    ["1899-12-31", "2101-01-01", "0001-01-01", "9999-12-31", "'1899-12'", "'2101-01'", "{between: [1899-12-31, 2019]}"],
)
def test_a_deal_day_or_month_outside_the_years_a_case_may_hold_is_refused(tmp_path, capsys, done):
    """A year was held to 1900-2100 and --as-of is; a day or a month was not: completion_date 2101-01-01 was judged
    by the law of 2101. It is refused at the date, as a year outside those years is, in a file and in a batch."""
    path = tmp_path / "c.yaml"
    path.write_text(CASE.replace("SIGNED", "1900-01-01").replace("DONE", done), "utf-8")
    with pytest.raises(ScreeningError) as caught:
        load_case(path)
    [problem] = caught.value.problems
    assert (problem.code, problem.line) == ("E106", 14), problem
    assert "transaction.completion_date" in problem.message
    assert main(["filings", str(path)]) == 2 and "c.yaml:14:" in capsys.readouterr().err
    rows = list(synthetic_cases(2, seed=11))
    rows[0]["transaction"] = {"kind": "acquisition", "completion_date": "2101-01-01"}
    source, out = tmp_path / "in.jsonl", tmp_path / "r.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    assert main(["batch", "--no-progress", "--max-errors", "100", str(source), "-o", str(out)]) == 0
    first, second = (json.loads(line) for line in out.read_text("utf-8").splitlines())
    assert "E106" in first["error"] and f"{source}:1:" in first["error"] and "completion_date" in first["error"]
    assert second["error"] == ""


DAY_SAID = "expected a day from 1900-01-01 to 2100-12-31, got "
MONTH_SAID = "expected a month YYYY-MM from 1900-01 to 2100-12, got "
YEAR_SAID = "expected a year from 1900 to 2100, got "


@pytest.mark.parametrize(
    "done, where, said",
    [
        ("1899-12-31", "", DAY_SAID + "'1899-12-31'"),
        ("2101-01-01", "", DAY_SAID + "'2101-01-01'"),
        ("1899-05", "", MONTH_SAID + "'1899-05'"),
        ("2101-01", "", MONTH_SAID + "'2101-01'"),
        ("0001-01", "", MONTH_SAID + "'0001-01'"),
        ("1900-13", "", MONTH_SAID + "'1900-13'"),
        (1899, "", YEAR_SAID + "'1899'"),
        (2101, "", YEAR_SAID + "'2101'"),
        ({"between": ["1899-05", 2019]}, ".between.0", MONTH_SAID + "'1899-05'"),
        ({"between": [2019, "2101-02"]}, ".between.1", MONTH_SAID + "'2101-02'"),
        ({"between": [1899, 2019]}, ".between.0", YEAR_SAID + "'1899'"),
        ({"between": ["1899-12-31", 2019]}, ".between.0", DAY_SAID + "'1899-12-31'"),
    ],
)
def test_a_date_outside_the_years_is_told_in_the_words_of_its_own_form(tmp_path, done, where, said):
    """A month before 1900 was told "expected a date written YYYY-MM-DD" (the day's message), a year before 1900
    "expected a date ..., found number 1899" (E103, as if a number were no date): each form is told its own
    bounds, in a case file and in a JSON Lines row (either path of the batch) alike."""
    path = tmp_path / "c.yaml"
    path.write_text(CASE.replace("SIGNED", "1900-01-01").replace("DONE", json.dumps(done)), "utf-8")
    with pytest.raises(ScreeningError) as caught:
        load_case(path)
    [problem] = caught.value.problems
    assert (problem.code, problem.line) == ("E106", 14), problem
    assert problem.message == f"transaction.completion_date{where}: {said}"
    source, errors = _batch_errors(tmp_path, done)
    for first, second in errors:
        assert f"{source}:1:" in first and f"completion_date{where}: {said} [E106" in first
        assert second == ""


@pytest.mark.parametrize(
    "done",
    ["1900-01-01", "2100-12-31", "'1900-01'", "'2100-12'", "2100", "1900", "{between: [1900-01, 2100]}", "'1950-12'"],
)
def test_the_first_and_last_days_a_case_may_hold_are_accepted(tmp_path, done):
    path = tmp_path / "c.yaml"
    path.write_text(CASE.replace("SIGNED", "1900-01-01").replace("DONE", done), "utf-8")
    assert load_case(path).id == "x"


@pytest.mark.parametrize(
    "done", ["1900-01-01", "2100-12-31", "1900-01", "2100-12", 1900, 2100, {"between": ["1900-01", 2100]}]
)
def test_the_first_and_last_days_a_case_may_hold_are_accepted_in_a_json_lines_row(tmp_path, done):
    assert _batch_errors(tmp_path, done)[1] == [["", ""], ["", ""]]


def _batch_errors(tmp_path, done):  # type: ignore[no-untyped-def]
    """A JSON Lines file of two cases, the first completed on ``done``, and the errors of its rows on the quick
    path and on the full one."""
    rows = list(synthetic_cases(2, seed=11))
    rows[0]["transaction"] = {"kind": "acquisition", "completion_date": done}
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    errors = []
    for fast in (True, False):
        out = tmp_path / f"r{fast}.jsonl"
        run_batch(plan(Job([source], out, force=True, fast=fast, timeout=None)))
        errors.append([json.loads(line)["error"] for line in out.read_text("utf-8").splitlines()])
    return source, errors


AU_CASE = """format: 2
id: x
title: t
investor: buyer
entities:
  - id: buyer
    name: Buyer
    country: CN
    kind: private_company
    au_associates: ASSOCIATES
  - {id: fund, name: Fund, country: CN, kind: fund}
target: {name: T, country: AU}
"""


@pytest.mark.parametrize(
    "associates, line, says",
    [
        ("[buyer]", 10, "'buyer' is named as its own associate"),
        ("[fund, fund]", 10, "associate 'fund' is named twice"),
        ("[fund, buyer]", 10, "'buyer' is named as its own associate"),
        ("\n      - fund\n      - fund", 12, "associate 'fund' is named twice"),
    ],
)
def test_an_associate_that_is_the_entity_itself_or_named_twice_is_refused(tmp_path, associates, line, says):
    path = tmp_path / "c.yaml"
    path.write_text(AU_CASE.replace("ASSOCIATES", associates), "utf-8")
    with pytest.raises(ScreeningError) as caught:
        load_case(path)
    [problem] = caught.value.problems
    assert (problem.code, problem.line) == ("E106", line) and says in problem.message, problem


def test_distinct_associates_are_accepted(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(AU_CASE.replace("ASSOCIATES", "[fund]"), "utf-8")
    assert load_case(path).id == "x"
