"""Resource limits on input files: refused quickly, with a located message naming the setting."""

from __future__ import annotations

import pytest

from screening.cli import main
from screening.infra.errors import ScreeningError
from screening.infra.yamlio import Limits, limits, load, loads
from tests.conftest import ROOT

ALIBABA = ROOT / "cases" / "alibaba-liege.yaml"


def test_defaults():
    assert limits() == Limits(max_bytes=10_000_000, max_values=200_000, max_depth=64, max_text=100_000)


@pytest.mark.parametrize(
    "var, value, text, fragment",
    [
        ("SCREENING_MAX_VALUES", "10", "a: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]\n", "more than 10 values"),
        ("SCREENING_MAX_DEPTH", "3", "a: {b: {c: {d: 1}}}\n", "deeper than 3 levels"),
        ("SCREENING_MAX_TEXT", "5", "a: abcdefgh\n", "longer than the limit of 5"),
        ("SCREENING_MAX_TEXT", "5", "abcdefgh: 1\n", "a key of 8 characters"),
    ],
)
def test_each_limit_can_be_lowered(monkeypatch, var, value, text, fragment):
    monkeypatch.setenv(var, value)
    with pytest.raises(ScreeningError) as err:
        loads(text, "t.yaml")
    problem = err.value.problems[0]
    assert problem.code == "E111" and fragment in problem.message and var in problem.message
    assert problem.line == 1


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"# " + b"x" * 2_000 + b"\n")
    monkeypatch.setenv("SCREENING_MAX_BYTES", "1000")
    with pytest.raises(ScreeningError) as err:
        load(big)
    assert err.value.problems[0].code == "E111" and "2,003 bytes" in err.value.problems[0].message


def test_a_huge_file_is_refused_at_the_default_limit(tmp_path, capsys):
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.truncate(10_000_001)  # sparse: nothing is read
    assert main(["screen", str(big)]) == 2
    assert "larger than the limit of 10,000,000" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["0", "-5", "ten", "1e6"])
def test_a_bad_limit_setting_is_a_clear_error(monkeypatch, capsys, value):
    monkeypatch.setenv("SCREENING_MAX_VALUES", value)
    assert main(["screen", str(ALIBABA)]) == 2
    err = capsys.readouterr().err
    assert "SCREENING_MAX_VALUES must be a positive whole number" in err and "Traceback" not in err


def test_raised_limits_let_a_large_document_through(monkeypatch):
    text = "a: [" + ", ".join(["1"] * 300) + "]\n"
    monkeypatch.setenv("SCREENING_MAX_VALUES", "100")
    with pytest.raises(ScreeningError):
        loads(text, "t.yaml")
    monkeypatch.setenv("SCREENING_MAX_VALUES", "1000")
    assert len(loads(text, "t.yaml")[0]["a"]) == 300
