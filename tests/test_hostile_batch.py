"""Hostile batches: inputs built to break a run (lone surrogates, JSON laxer than YAML). Each runs through the
CLI and ends in its exact outcome: the bad row fails alone, located, and the batch goes on.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from screening.batch.synthetic import cases as synthetic_cases
from screening.cli import main
from screening.errors import CODES
from tests.conftest import ROOT

CASE = ROOT / "cases" / "alibaba-liege.yaml"
DEALS, MAPPING = ROOT / "examples" / "deals.csv", ROOT / "examples" / "deals-mapping.yaml"


def batch(capsys, *args: object) -> tuple[int, str]:
    code = main(["batch", "--no-progress", *map(str, args)])
    return code, capsys.readouterr().err


def lines_of(*docs: object) -> str:
    return "".join((d if isinstance(d, str) else json.dumps(d)) + "\n" for d in docs)


def jsonl_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def csv_cells(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def good(n: int = 3) -> list[dict]:
    return list(synthetic_cases(n, seed=11))


# --- 8. lone surrogates ---------------------------------------------------------------------------------------


def test_an_id_with_a_lone_surrogate_fails_its_row_and_resume_goes_on(tmp_path, capsys):
    text = json.dumps({**good(1)[0], "id": "x-SURROGATE"}).replace("x-SURROGATE", "x\\ud800y")
    source = tmp_path / "in.jsonl"
    source.write_text(lines_of(text, good(2)[1]), "utf-8")
    column = text.index('"x\\ud800y"') + 1
    message = (f"{source}:1:{column}: error: invalid JSON: \\ud800 is a lone surrogate, not a Unicode character "
               "[E100 yaml-syntax]")
    for suffix in (".jsonl", ".csv", ".parquet"):
        out = tmp_path / f"r{suffix}"
        code, err = batch(capsys, source, "-o", out)
        assert code == 0 and f"  {message}\n" in err, err
        if suffix == ".jsonl":
            first, second = jsonl_rows(out)
            assert (first["id"], first["error"], second["error"]) == ("x\\ud800y", message, "")
        if suffix != ".parquet":  # a finished Parquet file is not resumed
            code, err = batch(capsys, source, "-o", out, "--resume")
            assert code == 0 and "2 already in the results" in err, err


def test_a_flat_row_with_a_lone_surrogate_fails_alone(tmp_path, capsys):
    source = tmp_path / "flat.jsonl"
    line = '{"deal_id": "D-1", "acquirer": "A\\udc00"}'
    source.write_text(f'{line}\n{{"deal_id": "D-2", "acquirer": "B", "target": "T"}}\n', "utf-8")
    out = tmp_path / "r.jsonl"
    assert batch(capsys, source, "-m", MAPPING, "-o", out)[0] == 0
    first, second = jsonl_rows(out)
    column = line.index('"A\\') + 1
    assert first["error"] == (f"{source}:1:{column}: error: invalid JSON: \\udc00 is a lone surrogate, not a "
                              "Unicode character [E100 yaml-syntax]")
    assert first["id"] == "D-1" and second["error"] == ""


# --- 22. JSON refuses what YAML refuses -----------------------------------------------------------------------


def _faulty(fault: str) -> str:
    """A good case document as one JSON line, with one fault; JSON is YAML too, so it is also a YAML file."""
    text = json.dumps(good(1)[0])
    return {
        "duplicate-key": text.replace('"title": ', '"title": "x", "title": ', 1),
        "infinite-number": text.replace('"target": {', '"target": {"turnover_eur": 1e400, ', 1),
        "long-integer": text.replace('"target": {', '"target": {"employees": ' + "9" * 4001 + ", ", 1),
        "lone-surrogate": text.replace('"title": "', '"title": "\\ud800', 1),
    }[fault]


SAME_FAULT = {"duplicate-key": "E101", "infinite-number": "E106", "long-integer": "E111", "lone-surrogate": "E100"}


@pytest.mark.parametrize("fault", SAME_FAULT)
def test_json_lines_refuse_what_yaml_refuses_with_the_same_code(tmp_path, capsys, fault):
    (tmp_path / "case.yaml").write_text(_faulty(fault) + "\n", "utf-8")
    (tmp_path / "case.jsonl").write_text(_faulty(fault) + "\n", "utf-8")
    out = tmp_path / "r.jsonl"
    assert batch(capsys, tmp_path / "case.yaml", tmp_path / "case.jsonl", "-o", out)[0] == 0
    from_yaml, from_json = (r["error"] for r in jsonl_rows(out))
    code = SAME_FAULT[fault]
    assert from_yaml.count("error: ") == from_json.count("error: ") == 1, (from_yaml, from_json)
    assert from_yaml.endswith(f"[{code} {CODES[code]}]") and from_json.endswith(f"[{code} {CODES[code]}]")


JSON_FAULTS = [
    ('{"id": "a", "title": "x", "id": "b"}', ":1:27: error: duplicate key 'id' (first defined on line 1, column 2) "
     "[E101 duplicate-key]"),
    ('{"id": "a", "target": {"name": "T", "turnover_eur": 1e400}}', ":1:53: error: '1e400' is not a finite number "
     "[E106 bad-value]"),
    ('{"id": "a", "n": [1, 2, NaN]}', ":1:25: error: 'NaN' is not a finite number [E106 bad-value]"),
    ('{"id": "a", "n": ' + "1" * 4001 + "}", ":1:18: error: a number of 4,001 digits is too long [E111 too-large]"),
]


@pytest.mark.parametrize("line, expected", JSON_FAULTS, ids=["duplicate", "1e400", "nan", "digits"])
def test_json_faults_are_located_at_their_token(tmp_path, capsys, line, expected):
    source = tmp_path / "in.jsonl"
    source.write_text(lines_of(line, good(1)[0]), "utf-8")
    out = tmp_path / "r.jsonl"
    assert batch(capsys, source, "-o", out)[0] == 0
    assert [r["error"] for r in jsonl_rows(out)] == [f"{source}{expected}", ""]


def test_a_flat_row_with_a_duplicate_column_fails_alone(tmp_path, capsys):
    source = tmp_path / "flat.jsonl"
    line = '{"deal_id": "D-1", "stake_pct": 5, "stake_pct": 60}'
    source.write_text(f'{line}\n{{"deal_id": "D-2", "acquirer": "B", "target": "T"}}\n', "utf-8")
    out = tmp_path / "r.jsonl"
    assert batch(capsys, source, "-m", MAPPING, "-o", out)[0] == 0
    first, second = line.index('"stake_pct"') + 1, line.rindex('"stake_pct"') + 1
    assert [r["error"] for r in jsonl_rows(out)] == [
        f"{source}:1:{second}: error: duplicate key 'stake_pct' (first defined on line 1, column {first}) "
        "[E101 duplicate-key]", ""]


def test_a_scale_that_overflows_fails_the_row(tmp_path, capsys):
    mapping = tmp_path / "m.yaml"
    mapping.write_text("format: 1\nid: deal_id\nfields:\n  investor.name: a\n  target.name: b\n  target.turnover_eur: "
                       "{column: t, type: number, scale: 1.0e+300}\n", "utf-8")
    source = tmp_path / "deals.csv"
    source.write_text("deal_id,a,b,t\nD-1,A,B,1e10\nD-2,A,B,3\n", "utf-8")
    out = tmp_path / "r.jsonl"
    assert batch(capsys, source, "-m", mapping, "-o", out)[0] == 0
    first, second = jsonl_rows(out)
    assert first["error"] == (f"{source}:2:4: error: target.turnover_eur (column 't'): '1e10' times the scale 1e+300 "
                              "is not a finite number [E106 bad-value]")
    assert second["error"] == ""


def test_a_watchlist_in_json_lines_refuses_duplicate_keys(tmp_path, capsys):
    listing = tmp_path / "list.ftm.json"
    line = '{"id": "e1", "schema": "Company", "schema": "Person", "properties": {"name": ["X"]}}'
    listing.write_text(line + "\n", "utf-8")
    code = main(["screen", str(CASE), "--watchlist", str(listing), "-f", "json"])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    first, second = line.index('"schema"') + 1, line.rindex('"schema"') + 1
    assert err == (f"{listing}:1:{second}: error: duplicate key 'schema' (first defined on line 1, column {first}) "
                   "[E101 duplicate-key]\n")
