"""screening batch: every input type, mappings, result formats, resuming, workers, Dask, summary, exit codes."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.batch import outputs
from screening.batch.mapping import load_mapping
from screening.batch.run import Job, plan, run_batch
from screening.batch.synthetic import cases as synthetic_cases
from screening.cli import main
from screening.infra.errors import ScreeningError
from screening.infra.text import number
from screening.infra.yamlio import load
from tests.conftest import CASES, ROOT

EXAMPLES = ROOT / "examples"
DEALS, MAPPING = EXAMPLES / "deals.csv", EXAMPLES / "deals-mapping.yaml"
BAD_ROW = f"{DEALS}:10"


def batch(*args: object) -> int:
    return main(["batch", "--no-progress", *map(str, args)])


def rows(path: Path) -> list[dict]:
    """Results read back from any format, as JSONL rows (categories as a mapping)."""
    if path.suffix == ".jsonl":
        return [
            {k: v for k, v in json.loads(line).items() if k != "kept"} for line in path.read_text("utf-8").splitlines()
        ]
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as handle:
            found = list(csv.DictReader(handle))
        return [
            {
                "id": r["id"],
                "source": r["source"],
                "score": float(r["score"]) if r["score"] else None,
                "level": r["level"] or None,
                "categories": {k[4:]: float(v) for k, v in r.items() if k.startswith("cat.") and v != ""},
                "fired": r["fired"].split(),
                "gaps": r["gaps"].split(),
                "filings": {k[7:]: v for k, v in r.items() if k.startswith("filing.") and v},
                "title": r["title"],
                "investor_country": r["investor_country"],
                "hits": r["hits"].split("; ") if r["hits"] else [],
                "level_rank": int(r["level_rank"]) if r["level_rank"] else None,
                "notes": r["notes"].split("; ") if r["notes"] else [],
                "error": r["error"],
            }
            for r in found
        ]
    import pyarrow.parquet as pq

    return [
        {
            "id": r["id"],
            "source": r["source"],
            "score": r["score"],
            "level": r["level"],
            "categories": {k[4:]: v for k, v in r.items() if k.startswith("cat.") and v is not None},
            "fired": r["fired"],
            "gaps": r["gaps"],
            "filings": {k[7:]: v for k, v in r.items() if k.startswith("filing.") and v is not None},
            "title": r["title"],
            "investor_country": r["investor_country"],
            "hits": r["hits"],
            "level_rank": r["level_rank"],
            "notes": r["notes"],
            "error": r["error"],
        }
        for r in pq.read_table(path).to_pylist()
    ]


def essentials(found: list[dict]) -> list[tuple]:
    return [(r["id"], r["score"], r["level"], tuple(r["fired"])) for r in found]


def write_jsonl(path: Path, docs) -> Path:  # type: ignore[no-untyped-def]
    with path.open("w", encoding="utf-8") as handle:
        for doc in docs:
            handle.write(json.dumps(doc) + "\n")
    return path


def deal_rows() -> list[dict[str, str]]:
    with DEALS.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --- inputs -------------------------------------------------------------------------------------------------


def test_yaml_directory_and_files_give_the_screen_results(tmp_path, pack):
    from screening.api import screen_files

    out = tmp_path / "r.jsonl"
    assert batch(ROOT / "cases", CASES[0], "-o", out) == 0
    found = rows(out)
    expected = screen_files(CASES)
    expected = [*expected, expected[0]]  # batch takes a case twice (screen refuses a repeated id)
    assert [r["source"] for r in found] == [str(p) for p in CASES + [CASES[0]]]
    assert [(r["id"], r["score"], r["level"]) for r in found] == [(r.case.id, r.score, r.level) for r in expected]
    assert [r["fired"] for r in found] == [[f.rule.id for f in (*r.findings, *r.mitigations)] for r in expected]
    assert found[0]["categories"] == {c.id: c.score + 0.0 for c in expected[0].categories}


def test_jsonl_case_documents_equal_their_yaml(tmp_path):
    docs = [load(p)[0] for p in CASES if "ref:" not in p.read_text("utf-8")]
    jsonl = write_jsonl(tmp_path / "cases.jsonl", docs)
    assert batch(jsonl, "-o", tmp_path / "a.jsonl") == 0
    yaml_files = [p for p in CASES if "ref:" not in p.read_text("utf-8")]
    assert batch(*yaml_files, "-o", tmp_path / "b.jsonl") == 0
    a, b = rows(tmp_path / "a.jsonl"), rows(tmp_path / "b.jsonl")
    assert essentials(a) == essentials(b) and len(a) == len(docs) > 5
    assert [r["source"] for r in a] == [f"{jsonl}:{i}" for i in range(1, len(docs) + 1)]


def test_csv_parquet_and_flat_jsonl_rows_give_the_same_results(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = deal_rows()
    flat = write_jsonl(tmp_path / "deals.jsonl", [{k: v for k, v in r.items() if v != ""} for r in table])
    parquet = tmp_path / "deals.parquet"
    pq.write_table(pa.Table.from_pylist(table), parquet, row_group_size=3)
    results = {}
    for source in (DEALS, flat, parquet):
        out = tmp_path / f"{source.suffix[1:]}.jsonl"
        assert batch(source, "-m", MAPPING, "-o", out) == 1
        results[source.suffix] = rows(out)
    assert essentials(results[".csv"]) == essentials(results[".jsonl"]) == essentials(results[".parquet"])
    assert [r["source"] for r in results[".parquet"]] == [f"{parquet}:{i}" for i in range(1, 11)]
    assert [r["source"] for r in results[".csv"]] == [f"{DEALS}:{i}" for i in range(2, 12)]


def test_the_example_deals_are_mapped_and_screened(tmp_path):
    out = tmp_path / "r.jsonl"
    assert batch(DEALS, "--mapping", MAPPING, "-o", out) == 1
    found = {r["id"]: r for r in rows(out)}
    assert len(found) == 10
    tollerort = found["D-2022-001"]
    assert tollerort["level"] == "high" and "CI-001" in tollerort["fired"]  # a port operator's terminal
    bakery = found["D-2024-005"]
    assert bakery["level"] == "low" and bakery["fired"] == []
    family = found["D-2026-010"]  # most facts left empty: unknown, so they show as gaps, not as "none"
    assert "target.critical_infrastructure" in family["gaps"] and "transaction.control" in family["gaps"]
    assert found["D-2026-009"]["level"] is None


def test_a_bad_cell_fails_its_row_only_located_at_the_cell(tmp_path, capsys):
    out = tmp_path / "r.csv"
    assert batch(DEALS, "-m", MAPPING, "-o", out) == 1
    found = rows(out)
    bad = [r for r in found if r["error"]]
    assert len(bad) == 1 and bad[0]["id"] == "D-2026-009" and bad[0]["source"] == BAD_ROW
    assert bad[0]["error"] == (
        f"{DEALS}:10:13: error: target.turnover_eur (column 'turnover_meur'): expected a "
        "number, found 'abc' [E106 bad-value]"
    )
    assert sum(1 for r in found if r["level"]) == 9
    assert "1 error" in capsys.readouterr().err


@pytest.mark.parametrize(
    "line, expected",
    [
        (
            '{"id": "x", "title": "T", "investor": "a", "entities": [{"id": "a", "name": "A", "country": "XX"}], '
            '"target": {"name": "T"}}',
            ":1:82: error: entities.0.country: unknown country code 'XX'",
        ),
        ('{"id": "x", ', ":1:13: error: invalid JSON: Expecting property name enclosed in double quotes"),
        ("[1, 2]", ":1:1: error: expected a mapping, found a list"),
        (
            '{"id": "y", "title": "T", "investor": "a", "entities": [], "target": {"name": NaN}}',
            ":1:79: error: 'NaN' is not a finite number",
        ),
    ],
)
def test_broken_json_cases_are_reported_in_their_row(tmp_path, line, expected):
    good = json.dumps(next(synthetic_cases(1)))
    source = tmp_path / "in.jsonl"
    source.write_text(f"{good}\n{line}\n{good.replace('syn-000000', 'syn-2')}\n", "utf-8")
    out = tmp_path / "r.jsonl"
    assert batch(source, "-o", out) == 1
    found = rows(out)
    assert [bool(r["error"]) for r in found] == [False, True, False]
    assert found[1]["error"].startswith(f"{source}:2") and expected[2:] in found[1]["error"]
    assert found[1]["error"].startswith(f"{source}{expected.replace(':1:', ':2:', 1)}")


@pytest.mark.parametrize(
    "env, line, expected",
    [
        (
            {"SCREENING_MAX_BYTES": "2000"},
            '{"id": "big", "title": "' + "x" * 5000 + '"}',
            ":2:1: error: line of 5,027 bytes is longer than the limit of 2,000 (SCREENING_MAX_BYTES)",
        ),
        (
            {"SCREENING_MAX_DEPTH": "8"},
            '{"id": "deep", "x": ' + "[" * 9 + "]" * 9 + "}",
            ":2:1: error: nesting deeper than 8 levels (SCREENING_MAX_DEPTH)",
        ),
        (
            {"SCREENING_MAX_TEXT": "100"},
            '{"id": "long", "title": "' + "y" * 101 + '"}',
            ":2:1: error: a text longer than 100 characters (SCREENING_MAX_TEXT)",
        ),
        (
            {"SCREENING_MAX_VALUES": "300"},
            '{"id": "many", "x": [' + ", ".join(["1"] * 300) + "]}",
            ":2:1: error: document has more than 300 values (SCREENING_MAX_VALUES)",
        ),
    ],
)
def test_json_lines_have_the_limits_of_case_files(tmp_path, monkeypatch, env, line, expected):
    """A line beyond a limit fails its row only, and an over-long line is skipped without being held whole."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    good = json.dumps(next(synthetic_cases(1)))
    assert len(good) < 2000 and good.count("[") + good.count("{") < 40
    source = tmp_path / "in.jsonl"
    source.write_text(f"{good}\n{line}\n{good.replace('syn-000000', 'syn-2')}\n", "utf-8")
    out = tmp_path / "r.jsonl"
    assert batch(source, "-o", out) == 1
    found = rows(out)
    assert [r["error"] for r in found] == ["", f"{source}{expected} [E111 too-large]", ""]
    assert [r["id"] for r in found] == ["syn-000000", found[1]["id"], "syn-2"]
    assert [r["source"] for r in found] == [f"{source}:1", f"{source}:2", f"{source}:3"]


def test_parquet_is_read_a_batch_at_a_time(tmp_path, monkeypatch):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from screening.batch import inputs

    parquet = tmp_path / "deals.parquet"
    pq.write_table(pa.Table.from_pylist(deal_rows()), parquet, row_group_size=2)
    monkeypatch.setattr(pq.ParquetFile, "read", lambda *a, **k: pytest.fail("the whole table was read"))
    monkeypatch.setattr(pq, "read_table", lambda *a, **k: pytest.fail("the whole table was read"))
    found = list(inputs.items([inputs.Input(parquet, "parquet")], load_mapping(MAPPING)))
    assert [i.line for i in found] == list(range(1, 11))
    assert set(found[0].payload[1]) == set(load_mapping(MAPPING).columns)  # only the mapped columns


def test_csv_locators_are_the_lines_rows_start_on(tmp_path):
    source = tmp_path / "d.csv"
    header = DEALS.read_text("utf-8").splitlines()[0]
    source.write_text(
        f"{header}\n"
        'X1,Acme,DE,private_company,,,Widgets,FR,manufacturing,,,,,,acquisition,10,,,"two\nlines"\n'
        "\n"
        "X2,Acme,DE,private_company,,,Widgets,FR,manufacturing,,,,,,acquisition,10,,,\n",
        "utf-8",
    )
    out = tmp_path / "r.jsonl"
    assert batch(source, "-m", MAPPING, "-o", out) == 0
    assert [(r["id"], r["source"], r["error"]) for r in rows(out)] == [
        ("X1", f"{source}:2", ""),
        ("X2", f"{source}:5", ""),
    ]


def test_a_csv_row_the_csv_module_cannot_read_fails_alone(tmp_path):
    """A cell over the csv module's field limit fails its row (E100 at its line); the rows around it are screened."""
    source = tmp_path / "d.csv"
    header = DEALS.read_text("utf-8").splitlines()[0]
    row = "X{},Acme,DE,private_company,,,Widgets,FR,manufacturing,,,,,,acquisition,10,,,{}\n"
    source.write_text(header + "\n" + row.format(1, "") + row.format(2, "n" * 200_000) + row.format(3, ""), "utf-8")
    out = tmp_path / "r.jsonl"
    assert batch(source, "-m", MAPPING, "-o", out) == 1
    found = [(r["id"], r["source"], r["error"]) for r in rows(out)]
    assert found == [
        ("X1", f"{source}:2", ""),
        (
            "",
            f"{source}:3",
            f"{source}:3:1: error: invalid CSV: field larger than field limit (131072) [E100 yaml-syntax]",
        ),
        ("X3", f"{source}:4", ""),
    ]


def test_row_problems_name_the_field_and_column(tmp_path):
    source = tmp_path / "d.csv"
    source.write_text(
        "deal_id,acquirer,acquirer_country,target,stake_pct,signed\n"
        "A1,Acme,ZZ,Widgets,50,2024-01-01\n"
        ",Acme,DE,Widgets,50,2024-13-01\n"
        "A3,,DE,Widgets,150,\n",
        "utf-8",
    )
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "format: 1\nid: deal_id\nfields:\n  investor.name: acquirer\n"
        "  investor.country: acquirer_country\n  target.name: target\n"
        "  transaction.stake_after_pct: {column: stake_pct, type: number}\n"
        "  transaction.signing_date: {column: signed, type: date}\n",
        "utf-8",
    )
    out = tmp_path / "r.jsonl"
    assert batch(source, "-m", mapping, "-o", out) == 2
    errors = [r["error"] for r in rows(out)]
    assert errors[0] == (
        f"{source}:2:3: error: investor.country (column 'acquirer_country'): unknown country "
        "code 'ZZ' [E107 unknown-country]"
    )
    assert f"{source}:3:1: error: no case id: column 'deal_id' is empty" in errors[1]
    assert f"{source}:3:6: error: transaction.signing_date (column 'signed'): expected a date" in errors[1]
    assert f"{source}:4:1: error: investor: missing required field 'name'" in errors[2]
    assert f"{source}:4:5: error: transaction.stake_after_pct (column 'stake_pct'): 150 is above" in errors[2]
    assert [r["id"] for r in rows(out)] == ["A1", "", "A3"]


def test_screening_without_evidence_changes_nothing_else(pack):
    from screening.api import load_cases
    from screening.case.load import build_case
    from screening.decision.engine import screen

    synthetic = [build_case(doc, {}, "synthetic", None) for doc in synthetic_cases(150, seed=11)]
    for case in [*load_cases(CASES), *synthetic]:
        full, lean = screen(case, pack), screen(case, pack, evidence=False)
        assert all(f.evidence == () for f in (*lean.findings, *lean.mitigations))
        strip = lambda r: r._replace(  # noqa: E731
            facts=None,
            findings=[f._replace(evidence=()) for f in r.findings],
            mitigations=[f._replace(evidence=()) for f in r.mitigations],
            filings=[
                (d.regime.id, d.outcome, d.rule and d.rule.id, d.today and d.today.outcome) for d in r.filings.decisions
            ],
            uncaught_open=[regime for regime, _ in r.uncaught_open],
        )  # without evidence, filings are not explained either (nor asked about)
        assert strip(lean) == strip(full)
        assert any(f.evidence for f in full.findings) or not full.findings


def test_library_entry_point(tmp_path):
    from screening.api import screen_batch

    summary = screen_batch([DEALS], tmp_path / "r.csv", mapping=MAPPING)
    assert (summary.cases, summary.errors, summary.levels["high"]) == (10, 1, 3)
    assert len(rows(tmp_path / "r.csv")) == 10


def test_a_defect_on_one_case_is_reported_in_its_row(tmp_path, monkeypatch):
    from screening.batch import work

    real = work.assess

    def flaky(case, pack, context=None):  # type: ignore[no-untyped-def]
        if case.id == "D-2021-002":
            raise ZeroDivisionError("division by zero")
        return real(case, pack, context)

    real_brief = work.briefed

    def flaky_brief(case, config, pack):  # type: ignore[no-untyped-def]  # the quick path's
        if case.id == "D-2021-002":
            raise ZeroDivisionError("division by zero")
        return real_brief(case, config, pack)

    monkeypatch.setattr(work, "assess", flaky)
    monkeypatch.setattr(work, "briefed", flaky_brief)
    out = tmp_path / "r.jsonl"
    assert batch(DEALS, "-m", MAPPING, "-o", out) == 1
    found = rows(out)
    assert found[1]["id"] == "D-2021-002"
    assert found[1]["error"] == (
        f"{DEALS}:3: error: internal error (ZeroDivisionError: division by zero); please report it"
    )
    assert sum(1 for r in found if r["level"]) == 8


# --- mappings -----------------------------------------------------------------------------------------------

BAD_MAPPINGS = [
    ("id: deal_id\nfields: {target.name: t}\n", "m.yaml:1:1: error: missing required field 'format'"),
    (
        "format: 1\nid: deal_id\nfields:\n  target.nmae: target\n",
        "m.yaml:4:3: error: fields.target.nmae: unknown case field 'target.nmae'; did you mean 'target.name'?",
    ),
    (
        "format: 1\nid: deal_id\nfields:\n  target.name: {column: t, type: numbr}\n",
        "m.yaml:4:28: error: fields.target.name.type: unknown value 'numbr'; did you mean 'number'?",
    ),
    (
        "format: 1\nid: deal_id\nfields:\n  target.name: {column: t, value: x}\n",
        "m.yaml:4:3: error: fields.target.name: give either a column or a constant value, not both",
    ),
    (
        "format: 1\nid: deal_id\nfields:\n  target.name: {column: t, scale: 10}\n",
        "m.yaml:4:28: error: fields.target.name.scale: scale applies to a number column",
    ),
    (
        "format: 1\nid: deal_id\nfields:\n  target.sectors: {column: s, each: kind}\n",
        "m.yaml:4:31: error: fields.target.sectors.each: each applies to a column split into a list",
    ),
    (
        "format: 1\nid: deal_id\nfields:\n  target.name: [t]\n",
        "m.yaml:4:3: error: fields.target.name: expected a column name or a mapping",
    ),
    (
        "format: 1\nid: deal_id\nfields:\n  transaction.kind: {value: buyout, type: text}\n",
        "m.yaml:4:37: error: fields.transaction.kind.type: 'type' applies to a column, not to a constant value",
    ),
    (
        "format: 1\nid: deal_id\nfields:\n  target.name: t\n  target.name: u\n",
        "m.yaml:5:3: error: duplicate key 'target.name'",
    ),
    (
        "format: 1\nid: deal_id\nfields: {target.name: t}\nextra: 1\n",
        "m.yaml:4:1: error: extra: unknown field 'extra'; expected one of: format, id, keep, rates, delimiter,"
        " encoding, decimal, blanks, fields",
    ),
]


@pytest.mark.parametrize("text, expected", BAD_MAPPINGS, ids=[m[1].split("error: ")[1][:40] for m in BAD_MAPPINGS])
def test_bad_mappings_are_located(tmp_path, monkeypatch, capsys, text, expected):
    monkeypatch.chdir(tmp_path)
    Path("m.yaml").write_text(text, "utf-8")
    with pytest.raises(ScreeningError) as caught:
        load_mapping(Path("m.yaml"))
    assert expected in str(caught.value)
    assert batch(DEALS, "-m", "m.yaml", "-o", "r.jsonl") == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err
    assert not Path("r.jsonl").exists()


def test_the_example_mapping_is_valid_and_reads_every_column_it_names():
    mapping = load_mapping(MAPPING)
    header = next(csv.reader(DEALS.open(encoding="utf-8")))
    assert set(mapping.columns) <= set(header)
    assert mapping.id == "deal_id" and len(mapping.fields) == 19


def test_csv_columns_missing_from_the_header_are_an_input_error(tmp_path, capsys):
    source = tmp_path / "d.csv"
    source.write_text("deal_id,acquirer\nA,B\n", "utf-8")
    assert batch(source, "-m", MAPPING, "-o", tmp_path / "r.jsonl") == 2
    assert (
        f"{source}:1:1: error: column 'acquirer_country' named by {MAPPING} is not in the header"
        in capsys.readouterr().err
    )


def test_mapping_schema_is_exported():
    from screening.tooling.schemas import export

    document = export("mapping")
    assert document["required"] == ["format", "id", "fields"]
    assert "field" in document["definitions"]


# --- results ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet"])
def test_results_round_trip_in_every_format(tmp_path, suffix):
    reference = tmp_path / "ref.jsonl"
    assert batch(DEALS, ROOT / "cases", "-m", MAPPING, "-o", reference) == 1
    out = tmp_path / f"r{suffix}"
    assert batch(DEALS, ROOT / "cases", "-m", MAPPING, "-o", out) == 1
    assert rows(out) == rows(reference)
    assert not outputs.journal_of(out).exists()


def test_csv_and_parquet_columns_follow_the_pack(tmp_path, pack):
    out = tmp_path / "r.csv"
    assert batch(CASES[0], "-o", out) == 0
    header = out.read_text("utf-8").splitlines()[0].split(",")
    cats = [f"cat.{c.id}" for c in pack.scoring.categories]
    filings = [f"filing.{g.id}" for g in pack.regimes]
    assert header == [
        "id",
        "source",
        "title",
        "investor_country",
        "score",
        "level",
        "level_rank",
        *cats,
        "fired",
        "gaps",
        *filings,
        "hits",
        "notes",
        "error",
    ]
    import pyarrow.parquet as pq

    assert batch(CASES[0], "-o", tmp_path / "r.parquet") == 0
    assert pq.read_schema(tmp_path / "r.parquet").names == header


def test_existing_results_are_refused_without_force_or_resume(tmp_path, capsys):
    out = tmp_path / "r.jsonl"
    out.write_text("keep\n", "utf-8")
    assert batch(CASES[0], "-o", out) == 2
    assert "results already exist; add --resume to continue them or --force" in capsys.readouterr().err
    assert out.read_text("utf-8") == "keep\n"
    assert batch(CASES[0], "-o", out, "--force") == 0
    assert len(rows(out)) == 1


def test_no_half_written_parquet_when_writing_fails(tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    out = tmp_path / "r.parquet"
    assert batch(CASES[0], "-o", out) == 0
    before = out.read_bytes()
    real = pq.ParquetWriter.write_batch

    def fail_after_first(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        real(self, *args, **kwargs)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pq.ParquetWriter, "write_batch", fail_after_first)
    assert batch(ROOT / "cases", "-o", out, "--force") == 2
    assert not out.exists() or out.read_bytes() == before  # --force removed it; never a part of the new one
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.parquet.journal.jsonl"]
    monkeypatch.undo()
    assert batch(ROOT / "cases", "-o", out, "--resume") == 0  # the journal is kept: nothing is screened again
    assert len(rows(out)) == len(CASES) and not outputs.journal_of(out).exists()


def test_a_finished_parquet_cannot_be_resumed(tmp_path, capsys):
    out = tmp_path / "r.parquet"
    assert batch(CASES[0], "-o", out) == 0
    assert batch(CASES[0], "-o", out, "--resume") == 2
    assert "this Parquet file is complete" in capsys.readouterr().err


def test_unknown_output_and_input_types_are_usage_errors(tmp_path, capsys):
    assert batch(CASES[0], "-o", tmp_path / "r.xlsx") == 2
    assert "unknown results format '.xlsx'" in capsys.readouterr().err
    other = tmp_path / "x.txt"
    other.write_text("x", "utf-8")
    assert batch(other, "-o", tmp_path / "r.jsonl") == 2
    assert "unknown input type '.txt'" in capsys.readouterr().err
    assert batch(DEALS, "-o", tmp_path / "r.jsonl") == 2
    assert "a CSV input needs --mapping" in capsys.readouterr().err
    assert batch(DEALS, "-m", tmp_path / "missing.yaml", "-o", tmp_path / "r.jsonl") == 2
    assert "missing.yaml: error: file not found" in capsys.readouterr().err


# --- resume -------------------------------------------------------------------------------------------------


def test_resume_drops_a_partial_line_and_skips_rows_written(tmp_path):
    out, reference = tmp_path / "r.csv", tmp_path / "ref.csv"
    assert batch(ROOT / "cases", "-o", reference) == 0
    lines = reference.read_text("utf-8").splitlines(keepends=True)
    out.write_text("".join(lines[:4]) + lines[4][:17], "utf-8")  # header, three rows and a part of a row
    assert batch(ROOT / "cases", "-o", out, "--resume") == 0
    assert out.read_text("utf-8") == reference.read_text("utf-8")


def test_resume_refuses_results_of_other_inputs(tmp_path, capsys):
    out = tmp_path / "r.jsonl"
    assert batch(CASES[0], "-o", out) == 0
    assert batch(CASES[1], "-o", out, "--resume") == 2
    assert "cannot resume: result row 1 is for" in capsys.readouterr().err


def test_resumed_rows_count_in_the_summary_and_fail_on(tmp_path, capsys):
    out = tmp_path / "r.jsonl"
    assert batch(DEALS, "-m", MAPPING, "-o", out) == 1
    capsys.readouterr()
    assert batch(DEALS, "-m", MAPPING, "-o", out, "--resume", "--fail-on", "critical") == 1  # the bad row
    err = capsys.readouterr().err
    assert "10 already in the results from an earlier run" in err and "0 screened" in err
    assert "10 cases: 0 critical, 3 high, 4 medium, 2 low, 1 error" in err


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet"])
def test_ids_given_to_more_than_one_row_are_named(tmp_path, capsys, suffix):
    """An id repeated within an input or across inputs is named with every row that has it; the rows stay."""
    if suffix == ".parquet":
        pytest.importorskip("pyarrow")
    docs = list(synthetic_cases(6, seed=2))
    docs[4]["id"] = docs[1]["id"]
    first, second = write_jsonl(tmp_path / "a.jsonl", docs), write_jsonl(tmp_path / "b.jsonl", docs[:1])
    out = tmp_path / f"r{suffix}"
    assert batch(first, second, "-o", out) == 0
    err = capsys.readouterr().err
    assert len(rows(out)) == 7
    assert (
        f"case ids given to more than one row (2; first 2):\n"
        f"  {docs[0]['id']}: {first}:1, {second}:1\n"
        f"  {docs[1]['id']}: {first}:2, {first}:5\n"
    ) in err


@pytest.mark.parametrize("suffix, shown", [(".csv", "a b"), (".jsonl", "a\nb")])
def test_a_repeated_id_with_a_line_break_is_found_in_csv_results_too(tmp_path, suffix, shown):
    """CSV results hold an id on one line; the repeat is found all the same."""
    docs = list(synthetic_cases(3, seed=2))
    docs[0]["id"] = docs[2]["id"] = "a\nb"
    source = write_jsonl(tmp_path / "in.jsonl", docs)
    summary = run_batch(plan(Job([source], tmp_path / f"r{suffix}")))
    assert summary.first_duplicates == ((shown, (f"{source}:1", f"{source}:3")),)


def test_duplicates_count_rows_resumed_and_ids_that_share_a_hash_are_not_confused(tmp_path, monkeypatch):
    from screening.batch.summary import Tally

    tally = Tally()
    for id, source in [("a", "x:1"), ("b", "x:2"), ("c", "x:3"), ("a", "x:4"), ("", "x:5"), ("", "x:6")]:
        tally.add(id, source, 1.0, "low", "", resumed=source == "x:1")
    assert tally.repeated() == {hash("a")}
    monkeypatch.setattr("builtins.hash", lambda value: 7)  # every id collides
    rows = [("a", "x:1"), ("b", "x:2"), ("c", "x:3"), ("a", "x:4"), ("", "x:5"), ("", "x:6")]
    tally = Tally()
    for id, source in rows:
        tally.add(id, source, 1.0, "low", "")
    assert tally.repeated() == {7}
    tally.find_duplicates(rows)
    summary = tally.summary(1.0)
    assert summary.duplicates == 1 and summary.first_duplicates == (("a", ("x:1", "x:4")),)


@pytest.mark.parametrize("run", [7, 1000, 1 << 15])
def test_hashes_seen_twice_are_found_across_sorted_runs_written_to_disk(run):
    from screening.batch.summary import Hashes

    found = Hashes(run=run, blocks=256)
    values = [*range(0, 30_000, 3), 5, -3, 2**63 - 1, -(2**63), 9_999, -3, 2**63 - 1, -(2**63), 12]
    for value in reversed(values):
        found.append(value)
    assert len(found) == len(values)
    assert bool(found.runs) == (run < len(values))  # a small run: the hashes are sorted in runs on disk
    assert len(found.run) < run
    assert found.repeated() == {-3, 2**63 - 1, -(2**63), 9_999, 12}
    found.close()
    assert Hashes(run=4).repeated() == set()


def test_progress_counts_resumed_rows_then_new_ones(tmp_path):
    out = tmp_path / "r.jsonl"
    assert batch(CASES[0], CASES[1], "-o", out) == 0
    seen: list[int] = []
    summary = run_batch(plan(Job([*CASES[:2], ROOT / "cases"], out, resume=True)), seen.append)
    assert seen[0] == 2 and sum(seen) == 2 + len(CASES) == summary.cases and summary.resumed == 2


@pytest.mark.slow  # reason: screens about 4,000 cases in subprocesses (6 to 15 s, with the load)
def test_resume_after_sigkill_loses_and_repeats_nothing(tmp_path):
    source = write_jsonl(tmp_path / "many.jsonl", synthetic_cases(2000, seed=7))
    out, reference = tmp_path / "r.jsonl", tmp_path / "ref.jsonl"
    cmd = [sys.executable, "-m", "screening", "batch", str(source), "--no-progress", "-o"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([*cmd, str(out)], cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while (not out.exists() or out.stat().st_size < 100_000) and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done = out.read_text("utf-8").count("\n")
    assert 0 < done < 2000, done
    subprocess.run([*cmd, str(out), "--resume"], cwd=ROOT, env=env, check=True, stderr=subprocess.DEVNULL)
    subprocess.run([*cmd, str(reference)], cwd=ROOT, env=env, check=True, stderr=subprocess.DEVNULL)
    resumed = rows(out)
    ids = [r["id"] for r in resumed]
    assert len(ids) == len(set(ids)) == 2000
    assert essentials(resumed) == essentials(rows(reference))


# --- engines ------------------------------------------------------------------------------------------------


def test_workers_give_the_same_rows_in_the_same_order(tmp_path):
    source = write_jsonl(tmp_path / "many.jsonl", synthetic_cases(300, seed=3))
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert batch(source, ROOT / "cases", "-o", one) == 0
    assert batch(source, ROOT / "cases", "-o", two, "--workers", "2") == 0
    assert one.read_text("utf-8") == two.read_text("utf-8")


def test_dask_on_a_local_cluster_gives_the_local_rows(tmp_path):
    distributed = pytest.importorskip("distributed")
    source = write_jsonl(tmp_path / "many.jsonl", synthetic_cases(120, seed=5))
    local, remote = tmp_path / "local.jsonl", tmp_path / "dask.jsonl"
    run_batch(plan(Job([source, ROOT / "cases"], local, chunk=16)))
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster:
        summary = run_batch(
            plan(Job([source, ROOT / "cases"], remote, engine="dask", scheduler=cluster.scheduler_address, chunk=16))
        )
    assert summary.cases == 120 + len(CASES)
    assert remote.read_text("utf-8") == local.read_text("utf-8")


def test_remote_workers_need_none_of_the_clients_files(tmp_path):
    """What a Dask task carries is enough: the pack and registry as a bundle of files, YAML cases with their
    text. Screened after the client's copies are gone, the rows are those of a local run."""
    import shutil

    from screening.batch import work
    from screening.batch.inputs import inline, items, scan
    from screening.case.registry import default_registry_path
    from screening.pack.load import default_pack_path

    pack, registry, cases = tmp_path / "pack", tmp_path / "registry", tmp_path / "cases"
    shutil.copytree(default_pack_path(), pack)
    shutil.copytree(default_registry_path(), registry)
    shutil.copytree(ROOT / "cases", cases)
    (cases / "latin1.yaml").write_bytes("id: x\ntitle: Caf\xe9\n".encode("latin-1"))  # fails its row, alike
    local = tmp_path / "local.jsonl"
    run_batch(plan(Job([cases], local, pack=pack, registry=registry)))
    config = plan(Job([cases], tmp_path / "unused.jsonl", pack=pack, registry=registry)).config
    sent = work.bundle(config)
    chunk = [inline(item) for item in items(scan([cases], None), None)]
    for copy in (pack, registry, cases):
        shutil.rmtree(copy)
    work._UNBUNDLED.clear()
    rows_sent = work.process_bundled(chunk, sent)
    assert [json.loads(line) for line in local.read_text("utf-8").splitlines()] == [
        json.loads(json.dumps(row)) for row in rows_sent
    ]
    (bad,) = [row for row in rows_sent if row["source"].endswith("latin1.yaml")]
    assert bad["error"].startswith(f"{cases / 'latin1.yaml'}:2:") and "not valid UTF-8" in bad["error"]
    assert sum(not row["error"] for row in rows_sent) == len(CASES)
    assert Path(work.unbundle(sent).pack).is_dir() and Path(work.unbundle(sent).registry).is_dir()


def test_dask_without_a_scheduler_starts_a_local_cluster(tmp_path):
    pytest.importorskip("distributed")
    local, remote = tmp_path / "local.csv", tmp_path / "dask.csv"
    assert batch(DEALS, "-m", MAPPING, "-o", local) == 1
    assert batch(DEALS, "-m", MAPPING, "-o", remote, "--engine", "dask") == 1
    assert remote.read_text("utf-8") == local.read_text("utf-8")


def test_a_scheduler_needs_the_dask_engine(tmp_path, capsys):
    assert batch(DEALS, "-m", MAPPING, "-o", tmp_path / "r.csv", "--scheduler", "tcp://localhost:8786") == 2
    assert "--scheduler needs --engine dask" in capsys.readouterr().err


# --- summary and exit codes ---------------------------------------------------------------------------------


def test_summary_text(tmp_path, capsys):
    assert batch(DEALS, "-m", MAPPING, "-o", tmp_path / "r.jsonl") == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "10 cases: 0 critical, 3 high, 4 medium, 2 low, 1 error"
    assert err[1] == "top 9 by score:"
    assert err[2] == f"     62  high      D-2022-001  {DEALS}:2"
    assert err[3] == f"     59  high      D-2018-003  {DEALS}:4"  # signed in 2018: before SI-012's list existed
    assert err[9] == f"      0  low       D-2024-005  {DEALS}:6"
    assert err[10] == f"      0  low       D-2026-010  {DEALS}:11"  # a tie keeps input order
    assert err[11] == "errors (1), by problem and column:"
    assert err[12].startswith(
        f"  1 row: E106 bad-value in 'turnover_meur', e.g. {DEALS}:10:13: error: target.turnover_eur"
    )
    assert err[13].startswith("10 screened in ") and err[13].endswith(" cases/s)")


@pytest.mark.parametrize("fail_on, code", [("critical", 1), ("high", 1), ("low", 1)])
def test_fail_on_counts_levels_and_errors(tmp_path, fail_on, code):
    assert batch(DEALS, "-m", MAPPING, "-o", tmp_path / "r.jsonl", "--fail-on", fail_on) == code


def test_fail_on_a_level_no_case_reaches(tmp_path):
    assert batch(CASES[0], "-o", tmp_path / "a.jsonl", "--fail-on", "critical") == 0
    assert batch(CASES[0], "-o", tmp_path / "b.jsonl", "--fail-on", "high") == 1
    assert batch(CASES[0], "-o", tmp_path / "c.jsonl") == 0


def test_progress_bar_is_drawn_on_request(tmp_path, capsys):
    assert main(["batch", str(ROOT / "cases"), "-o", str(tmp_path / "r.jsonl"), "--progress"]) == 0
    assert "cases/s" in capsys.readouterr().err


def test_the_cli_does_not_import_the_batch_machinery():
    code = (
        "import sys, screening.cli; heavy = [m for m in ('pyarrow', 'dask', 'distributed', 'rich.progress', "
        "'screening.batch.run') if m in sys.modules]; print(heavy)"
    )
    found = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[]"


def test_rows_carry_the_filing_answer_of_each_regime_that_reaches_the_case(tmp_path):
    out = tmp_path / "r.jsonl"
    assert batch(ROOT / "cases" / "cosco-hamburg-tollerort.yaml", ROOT / "cases" / "alibaba-liege.yaml", "-o", out) == 0
    found = {r["id"]: r["filings"] for r in rows(out)}
    assert found == {
        # 24.99% with no board seat or veto given: whether it is a direct investment (Reg. 2019/452 Art. 2(1)) is asked
        "cosco-hamburg-tollerort": {"DE": "mandatory", "EU": "undetermined"},
        "alibaba-liege": {"BE": "not_in_force", "EU": "not_in_force"},
    }
    assert batch(ROOT / "cases" / "cosco-hamburg-tollerort.yaml", "-o", tmp_path / "r.csv") == 0
    (row,) = rows(tmp_path / "r.csv")
    assert row["filings"] == {"DE": "mandatory", "EU": "undetermined"}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    title=st.text(st.characters(exclude_categories=["Cs"])),
    score=st.floats(min_value=0, max_value=100).map(number) | st.none(),  # as rows hold numbers
    names=st.lists(st.text(st.characters(exclude_categories=["Cs"]), max_size=8), max_size=4),
)
def test_a_row_written_as_json_reads_back_as_it_was(tmp_path, title, score, names):
    """Rows are written by one encoder in C; any text (quotes, backslashes, control characters, any script) and
    any score read back as they were, one line per row, as json.dumps would have written them."""
    out = tmp_path / "r.jsonl"
    writer = outputs.Writer(out, ["c"], False, True, ["eu"], ["low", "high"], (), False)
    row = {"id": title, "source": "in.jsonl:1", "title": title, "score": score, "gaps": names, "hits": names}
    try:
        writer.write(row)
    finally:
        writer.close(True)
    line = out.read_bytes()
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert json.loads(line) == row
    assert line == json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
