"""What a newcomer writes for a stake or a kind of entity is refused, located, with the value meant."""

from __future__ import annotations

import pytest

from screening.cli import main

CASE = """\
id: x
title: t
investor: buyer
entities:
  - {{id: buyer, name: Buyer, country: HK, kind: private_company}}
  - {{id: parent, name: Parent, country: CN, kind: {kind}}}
ownership:
  - {{owner: parent, owned: buyer, equity_pct: 100}}
target: {{name: T, country: DE}}
transaction:
  kind: minority_stake
  stake_after_pct: {stake}
"""


def check(capsys, tmp_path, kind="soe", stake="30"):
    case = tmp_path / "case.yaml"
    case.write_text(CASE.format(kind=kind, stake=stake), encoding="utf-8")
    code = main(["check", str(case)])
    return code, capsys.readouterr().out


@pytest.mark.parametrize(
    "kind, meant",
    [
        ("state_owned", "soe"),  # its nearest spelling, state_body, is a state's own body: not what it means
        ("State-Owned", "soe"),
        ("sovereign_wealth_fund", "sovereign_fund"),
        ("swf", "sovereign_fund"),
        ("person", "individual"),
        ("public_company", "listed_company"),
        ("private_compny", "private_company"),  # a misspelling still gets the nearest value
    ],
)
def test_an_entity_kind_in_a_newcomers_words_names_the_kind_meant(capsys, tmp_path, kind, meant):
    code, out = check(capsys, tmp_path, kind=kind)
    assert code == 1
    assert "case.yaml:6:45: error: " in out  # the line and column of the value
    assert f"entities.1.kind: unknown value '{kind}'; did you mean '{meant}'? [E106 bad-value]" in out


def test_a_stake_with_a_percent_sign_names_the_number(capsys, tmp_path):
    code, out = check(capsys, tmp_path, stake="30%")
    assert code == 1
    assert "transaction.stake_after_pct: expected a number, found text '30%'; did you mean 30? (a percentage is" in out


def test_an_estimated_stake_is_not_turned_into_a_number(capsys, tmp_path):
    # "about 30%" is not 30: the hint keeps the source's words in a note, and invents no range.
    code, out = check(capsys, tmp_path, stake='"about 30%"')
    assert code == 1
    assert "an estimate is no number: write the figure with the source's words in a note" in out
    assert '({value: 30, note: "about 30%"})' in out and "did you mean 30?" not in out
    code, out = check(capsys, tmp_path, stake='{value: 30, note: "about 30%"}')
    assert code == 0, out


def test_one_run_names_a_missing_source_beside_the_other_problems(capsys, tmp_path):
    # The sources were checked only once the case had the right shape: a newcomer fixed `sector` and country
    # names, and only then learnt that a source was missing.
    case = tmp_path / "case.yaml"
    case.write_text(
        CASE.format(kind="soe", stake="30")
        + "  sources: [press-2021]\n"
        + "sources:\n  - {id: registry, title: Register}\n",
        encoding="utf-8",
    )
    text = case.read_text().replace("target: {name: T, country: DE}", "target: {name: T, country: Germany}")
    case.write_text(text, encoding="utf-8")
    code = main(["check", str(case)])
    out = capsys.readouterr().out
    assert code == 1
    assert "target.country: unknown country code 'Germany'; did you mean DE (Germany)? [E107" in out
    assert "case.yaml:13:13: error: transaction.sources.0: unknown source 'press-2021' [E108 unknown-reference]" in out
    assert out.splitlines()[-1] == "2 errors in 1 file"
