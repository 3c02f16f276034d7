"""What-if (--set) and the margins to the rules' numeric thresholds."""

from __future__ import annotations

import json

import pytest

from screening.api import screen_files
from screening.cli import main
from screening.decision.whatif import apply, margins, parse
from screening.infra.errors import ScreeningError
from tests.conftest import ROOT

COSCO = str(ROOT / "cases" / "cosco-hamburg-tollerort.yaml")
ALIBABA = str(ROOT / "cases" / "alibaba-liege.yaml")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "expr, path, append, value",
    [
        ("transaction.stake_after_pct=9.9", ("transaction", "stake_after_pct"), False, 9.9),
        ("entities.0.country = NO", ("entities", "0", "country"), False, "NO"),  # YAML 1.2: Norway, not false
        ("mitigations+=data_localisation", ("mitigations",), True, "data_localisation"),
        (
            "mitigations+={kind: ring_fencing, binding: true}",
            ("mitigations",),
            True,
            {"kind": "ring_fencing", "binding": True},
        ),
    ],
)
def test_parse(expr, path, append, value):
    change = parse(expr)
    assert (change.path, change.append, change.value) == (path, append, value)


@pytest.mark.parametrize("expr", ["no-equals-sign", "=5", "a..b=1", "a=[unclosed"])
def test_malformed_set_is_an_input_error(capsys, expr):
    code, _, err = run(capsys, "screen", ALIBABA, "--set", expr)
    assert code == 2 and "--set" in err and "Traceback" not in err


def test_apply_replaces_creates_and_appends():
    doc = {"transaction": {"kind": "acquisition"}, "mitigations": []}
    out = apply(
        doc,
        [
            parse("transaction.stake_after_pct=24.9"),
            parse("mitigations+=data_localisation"),
            parse("target.country=BE"),
        ],
    )
    assert out["transaction"] == {"kind": "acquisition", "stake_after_pct": 24.9}
    assert out["mitigations"] == [{"kind": "data_localisation"}]  # a bare word in a list of records is its kind
    assert out["target"] == {"country": "BE"} and doc["mitigations"] == []  # the original is untouched
    with pytest.raises(ScreeningError):
        apply(doc, [parse("transaction.kind+=x")])  # not a list


def test_what_if_prints_the_difference(capsys):
    code, out, _ = run(
        capsys,
        "screen",
        COSCO,
        "--set",
        "transaction.stake_after_pct=51",
        "--set",
        "transaction.voting_after_pct=51",
        "-f",
        "json",
    )
    doc = json.loads(out)
    assert code == 0 and doc["case"] == "cosco-hamburg-tollerort"
    assert "CA-004" in [f["rule"] for f in doc["fires_now"]]  # a majority of the votes: sole control
    assert doc["score"][1] >= doc["score"][0]
    code, text, _ = run(capsys, "screen", COSCO, "--set", "transaction.voting_after_pct=51")
    assert "fires now: CA-004" in text and "score" in text
    code, md, _ = run(capsys, "screen", COSCO, "--set", "transaction.voting_after_pct=51", "-f", "markdown")
    assert "| score |" in md and "`CA-004`" in md


def test_a_change_that_breaks_the_case_is_located(capsys):
    code, _, err = run(capsys, "screen", ALIBABA, "--set", "transaction.stake_after_pct=150")
    assert code == 2 and "(with --set)" in err and "above the maximum" in err


def test_html_is_not_a_what_if_format(capsys):
    code, _, err = run(capsys, "screen", ALIBABA, "--set", "transaction.stake_after_pct=5", "-f", "html")
    assert code == 2


def test_margins_show_how_close_a_deal_is_to_a_threshold():
    result = screen_files([ROOT / "cases" / "cosco-hamburg-tollerort.yaml"])[0]
    near = {(m.fact, m.rule): m for m in margins(result)}
    m = near[("transaction.votes_after_pct", "CA-006")]
    assert m.threshold == 25 and m.distance == pytest.approx(-0.01) and m.holds is False


def test_thresholds_are_in_the_json_report(capsys):
    code, out, _ = run(capsys, "screen", COSCO, "-f", "json")
    texts = [t["text"] for t in json.loads(out)["thresholds"]]
    assert any("0.01 pt under the 25 of CA-006" in t for t in texts)
