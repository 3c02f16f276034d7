"""A date written as a newcomer writes it ('March 2021', '28.11.2026') is refused, located, with the forms a case
takes and the one it most likely means."""

from __future__ import annotations

import pytest

from screening.cli import main
from screening.infra.datehint import date_hint

CASE = """\
id: x
title: t
as_of: {as_of}
investor: buyer
entities:
  - {{id: buyer, name: Buyer, country: CN, kind: private_company}}
target: {{name: T, country: DE}}
transaction:
  kind: acquisition
  signing_date: {signing}
"""


@pytest.mark.parametrize(
    "text, meant",
    [
        ("March 2021", "2021-03"),
        ("Sept. 2019", "2019-09"),
        ("15 March 2021", "2021-03-15"),
        ("March 15, 2021", "2021-03-15"),
        ("1st May 2020", "2020-05-01"),
        ("28.11.2026", "2026-11-28"),
        ("28/11/2026", "2026-11-28"),
        ("2021-3", "2021-03"),
        ("2021/03/15", "2021-03-15"),
        ("2021-01-01T10:00:00Z", "2021-01-01"),
        ("Q1 2021", "{between: [2021-01, 2021-03]}"),
        ("03/04/2021", None),  # the third of April or the fourth of March: no guess
        ("11/28/2026", None),  # month first is not read
        ("31 February 2020", None),
        ("2021-13-01", None),
        ("soon", None),
        ("about 2020", None),
    ],
)
def test_hint(text, meant):
    assert date_hint(text) == meant


def run(capsys, tmp_path, signing, as_of="2026-10-01"):
    case = tmp_path / "case.yaml"
    case.write_text(CASE.format(as_of=as_of, signing=signing), encoding="utf-8")
    code = main(["screen", str(case)])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_date_in_words_is_located_with_every_form_and_the_one_meant(capsys, tmp_path):
    code, out, err = run(capsys, tmp_path, '"March 2021"')
    assert code == 2 and not out
    (line,) = err.splitlines()
    assert line.endswith(
        "case.yaml:10:3: error: transaction.signing_date: expected a date: YYYY-MM-DD, YYYY-MM, a year YYYY or "
        "{between: [date, date]}, found text 'March 2021'; did you mean 2021-03? [E106 bad-value]"
    )


def test_the_hint_is_a_value_the_case_takes(capsys, tmp_path):
    code, _, err = run(capsys, tmp_path, "Q1 2021", as_of='"1 October 2026"')
    assert code == 2
    assert "as_of: expected a date: YYYY-MM-DD, YYYY-MM" in err and "did you mean 2026-10-01?" in err
    assert "did you mean {between: [2021-01, 2021-03]}?" in err
    code, _, err = run(capsys, tmp_path, "{between: [2021-01, 2021-03]}", as_of="2026-10-01")
    assert code == 0, err


def test_text_no_date_form_reads_gets_the_forms_and_no_guess(capsys, tmp_path):
    code, _, err = run(capsys, tmp_path, "soon")
    assert code == 2
    forms = "expected a date: YYYY-MM-DD, YYYY-MM, a year YYYY or {between: [date, date]}"
    assert f"{forms}, found text 'soon' [E106" in err
    code, _, err = run(capsys, tmp_path, "2021-13-01")  # of the form of a day, no day: the day's form is named
    assert "expected a date written YYYY-MM-DD, found '2021-13-01' [E106 bad-value]" in err


@pytest.mark.parametrize(
    "command, given, said",
    [
        ("filings", "March 2021", "got 'March 2021'; did you mean 2021-03?"),
        ("filings", "Q1 2021", "got 'Q1 2021'"),  # a range is no --as-of: no such guess
        ("check", "1 March 2021", "expected a date as YYYY-MM-DD, got '1 March 2021'; did you mean 2021-03-01?"),
        ("check", "March 2021", "expected a date as YYYY-MM-DD, got 'March 2021'"),  # check judges one day
    ],
)
def test_as_of_in_words_names_the_date_meant(capsys, tmp_path, command, given, said):
    case = tmp_path / "case.yaml"
    case.write_text(CASE.format(as_of="2026-10-01", signing="2021-03"), encoding="utf-8")
    code = main([command, str(case), "--as-of", given])
    err = " ".join(capsys.readouterr().err.split())
    assert code == 2 and said in err
    assert "did you mean {" not in err and (said.endswith("?") or "did you mean" not in err)
