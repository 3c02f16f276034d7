"""Hostile batches: inputs and results built to break a run (lone surrogates, file names that are not UTF-8, a
line that is not UTF-8, JSON laxer than YAML, a damaged Parquet page, two runs on one results file, a full
disk, formula cells, hand-edited results, a worker killed by the system). Each runs through the CLI and ends
in its exact outcome: the bad row fails alone, located, and the batch goes on; or the run stops at once with
one located line and exit 2, nothing touched.
"""

from __future__ import annotations

import csv
import errno
import fcntl
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from screening.batch.synthetic import cases as synthetic_cases
from screening.cli import main
from screening.infra.errors import CODES
from tests.conftest import ROOT

CASE = ROOT / "cases" / "alibaba-liege.yaml"
DEALS, MAPPING = ROOT / "examples" / "deals.csv", ROOT / "examples" / "deals-mapping.yaml"


def batch(capsys, *args: object) -> tuple[int, str]:
    """Exit code and stderr of a batch; rows that fail are the point of these tests, so they do not count
    (--max-errors), unless every row fails (exit 2)."""
    code = main(["batch", "--no-progress", "--max-errors", "1000000", *map(str, args)])
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


# --- 8. lone surrogates and file names that are not UTF-8 ----------------------------------------------------


def test_an_id_with_a_lone_surrogate_fails_its_row_and_resume_goes_on(tmp_path, capsys):
    text = json.dumps({**good(1)[0], "id": "x-SURROGATE"}).replace("x-SURROGATE", "x\\ud800y")
    source = tmp_path / "in.jsonl"
    source.write_text(lines_of(text, good(2)[1]), "utf-8")
    column = text.index('"x\\ud800y"') + 1
    message = (
        f"{source}:1:{column}: error: invalid JSON: \\ud800 is a lone surrogate, not a Unicode character "
        "[E100 yaml-syntax]"
    )
    for suffix in (".jsonl", ".csv", ".parquet"):
        out = tmp_path / f"r{suffix}"
        code, err = batch(capsys, source, "-o", out)
        assert code == 0 and f"e.g. {message}\n" in err, err
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
    assert first["error"] == (
        f"{source}:1:{column}: error: invalid JSON: \\udc00 is a lone surrogate, not a "
        "Unicode character [E100 yaml-syntax]"
    )
    assert first["id"] == "D-1" and second["error"] == ""


def test_a_file_name_that_is_not_utf8_fails_its_row_and_resume_goes_on(tmp_path, capsys):
    cases = tmp_path / "cases"
    cases.mkdir()
    (cases / "a.yaml").write_bytes(CASE.read_bytes())
    (cases / os.fsdecode(b"caf\xe9.yaml")).write_bytes(CASE.read_bytes())
    for suffix in (".jsonl", ".csv"):
        out = tmp_path / f"r{suffix}"
        code, err = batch(capsys, cases, "-o", out)
        assert code == 0, err
        shown = f"{cases}/caf\\xe9.yaml"
        message = (
            f"{shown}: error: the file name is not valid UTF-8, so the results could not name it; rename "
            "the file [E002 bad-encoding]"
        )
        assert f"e.g. {message}\n" in err
        found = (
            jsonl_rows(out) if suffix == ".jsonl" else [{"source": r[1], "error": r[-1]} for r in csv_cells(out)[1:]]
        )
        assert [(r["source"], r["error"]) for r in found] == [(f"{cases}/a.yaml", ""), (shown, message)]
        code, err = batch(capsys, cases, "-o", out, "--resume")
        assert code == 0 and "2 already in the results" in err


def test_a_file_name_that_is_not_utf8_on_the_command_line_is_an_input_error(tmp_path, capsys):
    name = tmp_path / os.fsdecode(b"d\xe9als.jsonl")
    name.write_text(lines_of(*good(1)), "utf-8")
    code, err = batch(capsys, name, "-o", tmp_path / "r.jsonl")
    assert code == 2 and not (tmp_path / "r.jsonl").exists()
    assert err == (
        f"{tmp_path}/d\\xe9als.jsonl: error: the file name is not valid UTF-8, so the results could not "
        "name it; rename the file [E002 bad-encoding]\n"
    )


# --- 20. a line or a row that is not UTF-8 fails alone -------------------------------------------------------


def test_a_jsonl_line_that_is_not_utf8_fails_alone_at_its_byte(tmp_path, capsys):
    one, two, three = (json.dumps(d) for d in good(3))
    bad = two.replace('"title": "', '"title": "Li\u00e8ge ', 1)
    column = bad.index("\u00e8") + 1
    source = tmp_path / "in.jsonl"
    source.write_bytes(f"{one}\n".encode() + bad.encode("latin-1") + f"\n{three}\n".encode())
    out = tmp_path / "r.jsonl"
    assert batch(capsys, source, "-o", out)[0] == 0
    found = jsonl_rows(out)
    assert [r["error"] for r in found] == [
        "",
        f"{source}:2:{column}: error: not valid UTF-8 (byte 0xe8); save the file as UTF-8 [E002 bad-encoding]",
        "",
    ]
    assert [r["source"] for r in found] == [f"{source}:{i}" for i in (1, 2, 3)]


def test_a_csv_row_that_is_not_utf8_fails_alone_at_its_byte(tmp_path, capsys):
    lines = DEALS.read_bytes().split(b"\n")
    assert lines[3].startswith(b"D-2018-003,State Grid ")
    lines[3] = lines[3].replace(b"Grid", b"Gr\xfcd", 1)  # Latin-1, in a cell no quoted cell comes before
    source = tmp_path / "deals.csv"
    source.write_bytes(b"\n".join(lines))
    out = tmp_path / "r.jsonl"
    assert batch(capsys, source, "-m", MAPPING, "-o", out)[0] == 0
    found = jsonl_rows(out)
    assert len(found) == 10
    column = lines[3].index(b"\xfc") + 1
    assert found[2]["error"] == (
        f"{source}:4:{column}: error: not valid UTF-8 (byte 0xfc); save the file as UTF-8, or name its encoding in"
        " the mapping (encoding: cp1252, say) [E002 bad-encoding]"
    )
    assert [r["error"] == "" for r in found].count(True) == 8  # the other rows (one bad cell is in the example)


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
    assert batch(capsys, tmp_path / "case.yaml", tmp_path / "case.jsonl", "-o", out)[0] == 2  # every row failed
    from_yaml, from_json = (r["error"] for r in jsonl_rows(out))
    code = SAME_FAULT[fault]
    assert from_yaml.count("error: ") == from_json.count("error: ") == 1, (from_yaml, from_json)
    assert from_yaml.endswith(f"[{code} {CODES[code]}]") and from_json.endswith(f"[{code} {CODES[code]}]")


JSON_FAULTS = [
    (
        '{"id": "a", "title": "x", "id": "b"}',
        ":1:27: error: duplicate key 'id' (first defined on line 1, column 2) [E101 duplicate-key]",
    ),
    (
        '{"id": "a", "target": {"name": "T", "turnover_eur": 1e400}}',
        ":1:53: error: '1e400' is not a finite number [E106 bad-value]",
    ),
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
        "[E101 duplicate-key]",
        "",
    ]


def test_a_scale_that_overflows_fails_the_row(tmp_path, capsys):
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "format: 1\nid: deal_id\nfields:\n  investor.name: a\n  target.name: b\n  target.turnover_eur: "
        "{column: t, type: number, scale: 1.0e+300}\n",
        "utf-8",
    )
    source = tmp_path / "deals.csv"
    source.write_text("deal_id,a,b,t\nD-1,A,B,1e10\nD-2,A,B,3\n", "utf-8")
    out = tmp_path / "r.jsonl"
    assert batch(capsys, source, "-m", mapping, "-o", out)[0] == 0
    first, second = jsonl_rows(out)
    assert first["error"] == (
        f"{source}:2:4: error: target.turnover_eur (column 't'): '1e10' times the scale 1e+300 "
        "is not a finite number [E106 bad-value]"
    )
    assert second["error"] == ""


def test_a_watchlist_in_json_lines_refuses_duplicate_keys(tmp_path, capsys):
    listing = tmp_path / "list.ftm.json"
    line = '{"id": "e1", "schema": "Company", "schema": "Person", "properties": {"name": ["X"]}}'
    listing.write_text(line + "\n", "utf-8")
    code = main(["screen", str(CASE), "--watchlist", str(listing), "-f", "json"])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    first, second = line.index('"schema"') + 1, line.rindex('"schema"') + 1
    assert err == (
        f"{listing}:1:{second}: error: duplicate key 'schema' (first defined on line 1, column {first}) "
        "[E101 duplicate-key]\n"
    )


def test_a_json_case_with_registry_references_screens_as_its_yaml(tmp_path, capsys):
    from screening.infra.yamlio import load

    source = tmp_path / "cases.jsonl"
    source.write_text(lines_of(load(CASE)[0]), "utf-8")  # its entities are {ref: ...} into the registry
    out = tmp_path / "r.jsonl"
    assert batch(capsys, CASE, source, "-o", out)[0] == 0
    from_yaml, from_json = jsonl_rows(out)
    assert from_json["error"] == "" and {**from_json, "source": ""} == {**from_yaml, "source": ""}


# --- 12. a damaged Parquet page ------------------------------------------------------------------------------


def _parquet(path: Path) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    with DEALS.open(encoding="utf-8", newline="") as handle:
        deals = list(csv.DictReader(handle))
    table = [dict(deals[i % len(deals)], deal_id=f"D-{i:03d}") for i in range(120)]
    pq.write_table(pa.Table.from_pylist(table), path, row_group_size=40)
    return path


def test_a_damaged_page_fails_the_rows_of_its_row_group_and_the_rest_is_screened(tmp_path, capsys):
    import pyarrow.parquet as pq

    source = _parquet(tmp_path / "deals.parquet")
    chunk = pq.ParquetFile(source).metadata.row_group(1).column(0)
    start = chunk.dictionary_page_offset or chunk.data_page_offset
    data = bytearray(source.read_bytes())
    data[start + 10 : start + chunk.total_compressed_size - 2] = b"\xff" * (chunk.total_compressed_size - 12)
    source.write_bytes(data)
    out = tmp_path / "r.jsonl"
    code, err = batch(capsys, source, "-m", MAPPING, "-o", out)
    assert code == 0, err
    found = jsonl_rows(out)
    assert [r["source"] for r in found] == [f"{source}:{i}" for i in range(1, 121)]
    damaged = [r for r in found if "invalid Parquet" in r["error"]]
    assert [r["source"] for r in damaged] == [f"{source}:{i}" for i in range(41, 81)]
    prefix = f"{source}:41:1: error: invalid Parquet: rows 41 to 80 (row group 2) cannot be read: "
    assert damaged[0]["error"].startswith(prefix) and damaged[0]["error"].endswith(" [E100 yaml-syntax]")
    assert sum(1 for r in found if r["level"]) == 72  # the other row groups: 80 rows, 8 with the example's bad cell


def test_random_damage_never_stops_a_batch(tmp_path, capsys):
    """24 random damages to the pages of a file: each run ends in results for every row, or in exit 2 naming the
    file; never in a traceback or an internal error."""
    source = _parquet(tmp_path / "clean.parquet")
    data = source.read_bytes()
    footer = len(data) - 8 - int.from_bytes(data[-8:-4], "little")
    outcomes = set()
    for seed in range(24):
        rng, damaged = random.Random(seed), bytearray(data)
        for _ in range(8):
            damaged[rng.randrange(4, footer)] = rng.randrange(256)
        bad = tmp_path / f"bad{seed}.parquet"
        bad.write_bytes(damaged)
        out = tmp_path / f"r{seed}.jsonl"
        code, err = batch(capsys, bad, "-m", MAPPING, "-o", out)
        assert "internal error" not in err and "Traceback" not in err
        assert code in (0, 2), err
        if code == 0 or err.startswith("120 cases: "):  # rows read, some failed (all of them: exit 2)
            found = jsonl_rows(out)
            assert [r["source"] for r in found] == [f"{bad}:{i}" for i in range(1, 121)]
            assert "internal error" not in out.read_text("utf-8")
            outcomes.add("rows failed" if any("invalid Parquet" in r["error"] for r in found) else "read")
        else:
            assert err.startswith(f"{bad}: error: ") and err.count("\n") == 1
            outcomes.add("refused")
    assert "rows failed" in outcomes


# --- 6. (batch) and 7. the results file: one run at a time ----------------------------------------------------


GATE = """
import os, time
import screening.batch.work as work
_process = work.process
def process(item, config):
    if item.line == 2:  # hold the run here, with the results open and locked, until the test says go
        open(os.environ["GATE"] + ".waiting", "w").close()
        deadline = time.monotonic() + 60
        while not os.path.exists(os.environ["GATE"]) and time.monotonic() < deadline:
            time.sleep(0.01)
    return _process(item, config)
work.process = process
"""


def _process(args: list[object], **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "screening", "batch", "--no-progress", *map(str, args)],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@pytest.mark.parametrize("second", ["--resume", "--force"])
def test_a_second_run_on_locked_results_fails_at_once_and_the_first_keeps_its_rows(tmp_path, second):
    source = tmp_path / "in.jsonl"
    source.write_text(lines_of(*good(300)), "utf-8")
    out, gate = tmp_path / "r.jsonl", tmp_path / "gate"
    (tmp_path / "hook").mkdir()
    (tmp_path / "hook" / "sitecustomize.py").write_text(GATE, "utf-8")
    first = _process([source, "-o", out], GATE=str(gate), PYTHONPATH=f"{tmp_path / 'hook'}{os.pathsep}{ROOT}")
    try:
        deadline = time.monotonic() + 60
        while not Path(f"{gate}.waiting").exists() and time.monotonic() < deadline and first.poll() is None:
            time.sleep(0.01)
        assert Path(f"{gate}.waiting").exists(), first.communicate()[1]
        lock = tmp_path / ".r.jsonl.lock"
        assert lock.exists()
        started = time.monotonic()
        other = _process([source, "-o", out, second], PYTHONPATH=str(ROOT))
        _, err = other.communicate(timeout=60)
        assert time.monotonic() - started < 30, "the second run must fail at once, not wait"
        assert other.returncode == 2
        assert err.decode() == (
            f"{out}: error: another run is writing these results (it holds the lock {lock}); "
            "wait for it to end, or write to another file [E403 results-locked]\n"
        )
    finally:
        gate.write_text("go", "utf-8")
        _, err = first.communicate(timeout=120)
    assert first.returncode == 0, err.decode()
    found = jsonl_rows(out)
    assert [r["source"] for r in found] == [f"{source}:{i}" for i in range(1, 301)]  # each row once, in order
    assert not lock.exists()


def test_a_held_lock_is_named_and_a_stale_one_is_taken(tmp_path, capsys):
    out, lock = tmp_path / "r.csv", tmp_path / ".r.csv.lock"
    with open(lock, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        code, err = batch(capsys, CASE, "-o", out)
    assert (code, out.exists()) == (2, False)
    assert err == (
        f"{out}: error: another run is writing these results (it holds the lock {lock}); wait for it to "
        "end, or write to another file [E403 results-locked]\n"
    )
    assert lock.exists()  # left by a run that died: no one holds it
    assert batch(capsys, CASE, "-o", out)[0] == 0
    assert not lock.exists() and len(csv_cells(out)) == 2


def test_a_link_planted_as_the_lock_is_not_followed(tmp_path, capsys):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep\n", "utf-8")
    (tmp_path / ".r.jsonl.lock").symlink_to(victim)
    code, err = batch(capsys, CASE, "-o", tmp_path / "r.jsonl")
    assert code == 2 and victim.read_text("utf-8") == "keep\n" and not (tmp_path / "r.jsonl").exists()
    out, lock = tmp_path / "r.jsonl", tmp_path / ".r.jsonl.lock"
    assert err == (
        f"{out}: error: cannot lock the results: cannot create {lock}: Too many levels of symbolic links "
        "[E401 cannot-write]\n"
    )


def test_a_full_disk_stops_the_batch_with_whole_rows_and_resume_goes_on(tmp_path, capsys, monkeypatch):
    from screening.batch import outputs

    source = tmp_path / "in.jsonl"
    source.write_text(lines_of(*good(300)), "utf-8")
    out = tmp_path / "r.jsonl"

    class Full:
        """The results file on a disk that fills up after three rows."""

        def __init__(self, handle) -> None:  # type: ignore[no-untyped-def]
            self.handle, self.left = handle, 3

        def write(self, data):  # type: ignore[no-untyped-def]
            if not self.left:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            self.left -= 1
            return self.handle.write(data)

        def __getattr__(self, name):  # type: ignore[no-untyped-def]
            return getattr(self.handle, name)

    monkeypatch.setattr(outputs, "open", lambda *a, **k: Full(open(*a, **k)), raising=False)
    code, err = batch(capsys, source, "-o", out)
    assert code == 2
    assert err == f"{out}: error: cannot write results: No space left on device [E401 cannot-write]\n"
    assert len(jsonl_rows(out)) == 3 and not (tmp_path / ".r.jsonl.lock").exists()
    monkeypatch.undo()
    code, err = batch(capsys, source, "-o", out, "--resume")
    assert code == 0 and "3 already in the results" in err
    assert [r["source"] for r in jsonl_rows(out)] == [f"{source}:{i}" for i in range(1, 301)]


# --- 5. CSV formula injection -------------------------------------------------------------------------------


FORMULAS = ['=HYPERLINK("http://evil","x")', "+1+1", "-1+2", "@SUM(A1)", "\t=1+1", "\r=1+1", " =1+1", "'=1"]


def test_csv_text_cells_cannot_start_a_formula(tmp_path, capsys, monkeypatch):
    """Failed rows' ids and a file name each start a cell with a formula; every such cell gets a quote in front."""
    monkeypatch.chdir(tmp_path)
    attack = "=cmd|'-c calc'!A0.yaml"
    Path(attack).write_text("id: x\n", "utf-8")
    Path("in.jsonl").write_text(lines_of(*({"id": f} for f in FORMULAS), good(1)[0]), "utf-8")
    code, err = batch(capsys, attack, "in.jsonl", "-o", "r.csv")
    assert code == 0, err
    header, *found = csv_cells(Path("r.csv"))
    cell = {name: found[0][i] for i, name in enumerate(header)}
    assert (cell["id"], cell["source"]) == ("x", "'" + attack)
    assert cell["error"].startswith("'" + attack + ":")
    assert [row[0] for row in found[1:-1]] == [
        '\'=HYPERLINK("http://evil","x")',
        "'+1+1",
        "'-1+2",
        "'@SUM(A1)",
        "'\t=1+1",
        "' =1+1",  # the carriage return is a line break: made a space, to keep the row on one line
        "' =1+1",
        "''=1",
    ]
    risky = ("=", "+", "-", "@", "\t", "\r")
    assert not [
        c
        for row in found
        for name, c in zip(header, row, strict=True)
        if c.startswith(risky) and name != "score" and not name.startswith("cat.")
    ]
    last = dict(zip(header, found[-1], strict=True))
    assert last["error"] == "" and float(last["score"]) > 0  # a good row is as it was


def test_negative_numbers_stay_numbers(tmp_path, capsys):
    source = tmp_path / "in.jsonl"
    source.write_text(lines_of(*good(40)), "utf-8")
    out = tmp_path / "r.csv"
    assert batch(capsys, source, "-o", out)[0] == 0
    header, *found = csv_cells(out)
    credits = [row[header.index("cat.mitigations")] for row in found]
    assert any(c.startswith("-") for c in credits) and all(float(c) <= 0 for c in credits)


def test_neutralised_cells_resume_and_count_as_written(tmp_path, capsys):
    source = tmp_path / "in.jsonl"
    source.write_text(lines_of({"id": "=a"}, {"id": "=a"}, {"id": "'b"}), "utf-8")
    out = tmp_path / "r.csv"
    assert batch(capsys, source, "-o", out)[0] == 2  # no row is a whole case: every one fails
    before = out.read_bytes()
    code, err = batch(capsys, source, "-o", out, "--resume")
    assert code == 2 and out.read_bytes() == before
    assert "3 already in the results" in err and "  =a: " in err  # read back as written: '=a is the id =a


# --- 23. resuming checks the rows already written -------------------------------------------------------------


RESUME_EDITS = {  # the second row, edited by hand: the field, its new value, what is said of it
    "score nan": ("score", "nan", "score 'nan' is not a number"),
    "level pwned": ("level", "pwned", "level 'pwned' is not one of the pack's (low, medium, high, critical)"),
    "score 150": ("score", "150.0", "score 150.0 is not a number from 0 to 100"),
    "level without score": ("score", "", "a level without a score"),
}


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
@pytest.mark.parametrize("edit", RESUME_EDITS)
def test_resume_refuses_rows_this_tool_would_not_write(tmp_path, capsys, suffix, edit):
    field, value, said = RESUME_EDITS[edit]
    source = tmp_path / "in.jsonl"
    source.write_text(lines_of(*good(4)), "utf-8")
    out = tmp_path / f"r{suffix}"
    assert batch(capsys, source, "-o", out)[0] == 0
    lines = out.read_text("utf-8").splitlines(keepends=True)
    at = 2 if suffix == ".csv" else 1  # the second row (after the CSV header)
    if suffix == ".jsonl":
        row = json.loads(lines[at])
        row[field] = None if value == "" else "NAN" if value == "nan" else float(value) if field == "score" else value
        text = json.dumps(row, separators=(",", ":")).replace('"NAN"', "NaN")
        key = "level" if value == "" else field
        column = text.index("NaN" if value == "nan" else f'"{key}"') + 1
    else:
        cells = next(csv.reader([lines[at]]))
        header = next(csv.reader([lines[0]]))
        score, level = header.index("score"), header.index("level")
        index = level if field == "level" or value == "" else score
        cells[score if field == "score" else level] = value
        text = ",".join(cells)  # no cell here needs quoting
        column = len(",".join(cells[:index])) + 2
    lines[at] = text + "\n"
    out.write_text("".join(lines), "utf-8")
    before = out.read_bytes()
    code, err = batch(capsys, source, "-o", out, "--resume")
    assert code == 2
    if suffix == ".jsonl" and value == "nan":  # not even JSON as this tool reads it
        expected = "cannot resume: this line is not a result row: 'NaN' is not a finite number"
    else:
        expected = (
            f"cannot resume: result row 2 is not one this tool writes: {said}; correct or delete it and the "
            "rows after it, or start again with --force"
        )
    assert err == f"{out}:{at + 1}:{column}: error: {expected} [E106 bad-value]\n"
    assert out.read_bytes() == before, "nothing touched"
    assert not (tmp_path / f".r{suffix}.lock").exists()


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_resume_refuses_a_row_that_is_not_utf8(tmp_path, capsys, suffix):
    source = tmp_path / "in.jsonl"
    source.write_text(lines_of(*good(3)), "utf-8")
    out = tmp_path / f"r{suffix}"
    assert batch(capsys, source, "-o", out)[0] == 0
    lines = out.read_bytes().split(b"\n")
    at = 2 if suffix == ".csv" else 1  # the second row
    lines[at] = lines[at].replace(b"syn-", b"syn\xff", 1)  # a hand edit saved as Latin-1
    out.write_bytes(b"\n".join(lines))
    before = out.read_bytes()
    code, err = batch(capsys, source, "-o", out, "--resume")
    assert code == 2 and out.read_bytes() == before
    column = lines[at].index(b"\xff") + 1
    assert err == (
        f"{out}:{at + 1}:{column}: error: cannot resume: this line is not UTF-8 (byte 0xff) [E002 bad-encoding]\n"
    )


# --- 13. a worker killed by the system -----------------------------------------------------------------------


KILLER = """
import os, signal
import screening.batch.work as work
_process = work.process
def process(item, config):
    if item.line in (5, 300):  # as the OOM killer would: SIGKILL, nothing said
        os.kill(os.getpid(), signal.SIGKILL)
    return _process(item, config)
work.process = process
"""


def test_a_worker_killed_fails_only_its_case_and_the_batch_goes_on(tmp_path, capsys, monkeypatch):
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(KILLER, "utf-8")
    monkeypatch.setenv("PYTHONPATH", f"{hook}{os.pathsep}{ROOT}")  # the workers, spawned, read it; not this process
    source = tmp_path / "in.jsonl"
    source.write_text(lines_of(*synthetic_cases(600, seed=2)), "utf-8")
    out = tmp_path / "r.jsonl"
    code, err = batch(capsys, source, "-o", out, "--workers", "2")
    assert code == 0, err
    found = jsonl_rows(out)
    assert [r["source"] for r in found] == [f"{source}:{i}" for i in range(1, 601)]
    failed = {r["source"]: r["error"] for r in found if r["error"]}
    message = (
        "error: the process screening this case on its own ended abruptly (killed, perhaps by the system "
        "for want of memory); the case is not screened [E404 worker-lost]"
    )
    assert failed == {f"{source}:{n}": f"{source}:{n}:1: {message}" for n in (5, 300)}
    assert [r["id"] for r in found if r["error"]] == ["syn-000004", "syn-000299"]
    assert "600 cases:" in err and "2 errors" in err
    monkeypatch.delenv("PYTHONPATH")
    reference = tmp_path / "ref.jsonl"
    assert batch(capsys, source, "-o", reference)[0] == 0
    assert [r for r in found if not r["error"]] == [r for r in jsonl_rows(reference) if r["source"] not in failed]


@pytest.mark.slow  # reason: a Dask cluster of worker processes, two of them killed and started again (10 to 20 s)
def test_a_dask_worker_killed_fails_only_its_case(tmp_path, capsys, monkeypatch):
    dask = pytest.importorskip("dask")
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(KILLER, "utf-8")
    monkeypatch.setenv("PYTHONPATH", f"{hook}{os.pathsep}{ROOT}")  # the workers, spawned, read it; not this process
    source = tmp_path / "in.jsonl"
    source.write_text(lines_of(*synthetic_cases(400, seed=2)), "utf-8")
    out = tmp_path / "r.jsonl"
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):  # give up on a task at its first kill
        code, err = batch(capsys, source, "-o", out, "--engine", "dask", "--workers", "2")
    assert code == 0, err
    found = jsonl_rows(out)
    assert [r["source"] for r in found] == [f"{source}:{i}" for i in range(1, 401)]
    assert [(r["source"], "[E404 worker-lost]" in r["error"]) for r in found if r["error"]] == [
        (f"{source}:5", True),
        (f"{source}:300", True),
    ]


def test_a_dask_cluster_left_without_workers_ends_the_batch_with_rows_saying_so(monkeypatch):
    """A nanny that cannot start a worker again leaves the cluster empty; a task then waits for ever. The batch
    waits a bounded time for a worker, then gives each case not screened a row saying why (E404), instead of
    never ending."""
    pytest.importorskip("distributed")
    from screening.batch import cluster
    from screening.batch.inputs import Item
    from screening.batch.work import Config
    from screening.pack.load import default_pack_path

    waited: list[float | None] = []

    class Pending:
        def result(self, timeout: float | None = None) -> Any:
            raise TimeoutError  # a task of a cluster with no worker: never done

    class Empty:
        def nthreads(self) -> dict[str, int]:
            return {}

        def scatter(self, data: Any, broadcast: bool = False) -> list[Any]:
            return list(data)

        def submit(self, *args: Any, **kwargs: Any) -> Pending:
            return Pending()

        def wait_for_workers(self, n: int, timeout: float | None = None) -> None:
            waited.append(timeout)
            raise TimeoutError

    config = Config(str(default_pack_path()))
    doc = {"id": "one", "title": "t", "investor": "a", "entities": [{"id": "a", "name": "A"}], "target": {"name": "T"}}
    items = [Item("json", "in.jsonl", n, json.dumps({**doc, "id": f"c{n}"})) for n in (1, 2)]
    (rows,) = list(cluster.gather_in_order(Empty(), iter([items]), config))
    assert [r["id"] for r in rows] == ["c1", "c2"]
    assert all("left without a worker" in r["error"] and "[E404 worker-lost]" in r["error"] for r in rows)
    assert waited == [cluster.WORKERS_SECONDS], "one bounded wait for a worker, then no more"
