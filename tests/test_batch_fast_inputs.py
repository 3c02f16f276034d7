"""The quick path beyond case lines: rows built through a mapping (CSV, Parquet, JSON rows) and YAML case files
take it when their documents fit its types, with the rows of the full path byte for byte; the others take the
full path, with their errors located as before."""

from __future__ import annotations

import csv
import json
import random
import shutil
from pathlib import Path

import pytest
import yaml

from screening.batch.inputs import items
from screening.batch.run import Job, Plan, plan, run_batch
from screening.batch.synthetic import cases
from screening.batch.work import read
from screening.case.lines import read_document
from screening.infra.errors import ScreeningError
from screening.infra.yamlio import load
from tests.conftest import CASES, ROOT

EXAMPLES = ROOT / "examples"
BACKTEST = sorted((ROOT / "backtest" / "cases").glob("*.yaml"))
FORMATS = [".jsonl", ".csv", ".parquet"]

MAPPING = """\
format: 1
id: Deal
keep: [Deal, Status]
rates: rates.csv
fields:
  investor.name: Buyer
  investor.country: {column: Buyer Nation, type: country}
  investor.kind:
    column: Buyer Type
    values: {State: soe, Fund: fund, Private: private_company, Listed: listed_company}
    default: null
  investor.state_ownership_pct: {column: State %, type: number}
  target.name: Target
  target.country: {column: Target Nation, type: country}
  target.sectors:
    column: Industry
    split: ";"
    values: {Chips: semiconductors, Power: energy, Ports: transport, Software: software}
    default: null
  target.employees: {column: Staff, type: integer, thousands: ","}
  target.turnover_eur: {column: Turnover (m), type: number, scale: 1000000}
  target.listed: {column: Listed, type: boolean}
  transaction.kind: {column: Type, values: {Acquisition: acquisition, Stake: minority_stake}}
  transaction.stake_after_pct: {column: Stake, type: bound}
  transaction.signing_date: {column: Announced, type: date, format: "%m/%d/%Y"}
  transaction.value_eur:
    {column: Value (USD m), type: number, thousands: ",", scale: 1000000, currency: USD,
     date: transaction.signing_date}
"""
COLUMNS = [
    "Deal",
    "Status",
    "Buyer",
    "Buyer Nation",
    "Buyer Type",
    "State %",
    "Target",
    "Target Nation",
    "Industry",
    "Staff",
    "Turnover (m)",
    "Listed",
    "Type",
    "Stake",
    "Announced",
    "Value (USD m)",
]
_DAYS = ["09/22/2021", "07/05/2021", "07/27/2018", "01/11/2016", "03/15/2022"]  # days of the rates table


def _table(n: int, seed: int) -> list[dict[str, str]]:
    """Deal rows as an export writes them: names for countries, blanks, words a values table maps (and some it
    does not), days written MM/DD/YYYY, amounts in millions with thousands separators, and a few bad cells."""
    rng = random.Random(seed)
    nations = ["China", "Germany", "United States", "France", "Japan", "Netherlands", "CN", "", "Atlantis"]
    rows = []
    for i in range(n):
        row = {
            "Deal": f"{i:05d}",
            "Status": rng.choice(["Completed", "Pending", ""]),
            "Buyer": rng.choice(["Acme Holdings", "State Grid", "Nordic Fund"] * 6 + [""]),
            "Buyer Nation": rng.choice(nations[:-1]),
            "Buyer Type": rng.choice(["State", "Fund", "Private", "Listed", "Other", ""]),
            "State %": rng.choice(["", "0", "51", "100", "12.5"]),
            "Target": rng.choice(["Port Co", "Chip Fab GmbH", "Grid SA"] * 6 + [""]),
            "Target Nation": rng.choice(nations[:-1]),
            "Industry": rng.choice(["Chips", "Power;Ports", "Software", "Chips;Unknown", "Other", ""]),
            "Staff": rng.choice(["", "12", "1,250", "40,000"]),
            "Turnover (m)": rng.choice(["", "0.5", "12", "3400"]),
            "Listed": rng.choice(["", "yes", "no"]),
            "Type": rng.choice(["Acquisition", "Stake", ""]),
            "Stake": rng.choice(["", "24.9", "100", ">=25", "majority", "20-30"]),
            "Announced": rng.choice([*_DAYS, *_DAYS, ""]),
            "Value (USD m)": rng.choice(["", "76.4", "1,200", "93"]),
        }
        if i % 17 == 5:  # a bad cell: each fails its row, on both paths alike
            row[rng.choice(["Buyer Nation", "Staff", "Announced", "State %", "Type"])] = rng.choice(
                ["Atlantis", "many", "2021-13-40", "250", "Takeover"]
            )
        rows.append(row)
    rows[1]["Deal"] = ""  # no id
    return rows


@pytest.fixture(scope="module")
def deals(tmp_path_factory) -> Path:
    """The generated deal table as CSV, Parquet and JSON rows, beside its mapping and the rates it names."""
    home = tmp_path_factory.mktemp("rows")
    shutil.copy(EXAMPLES / "eur-rates.csv", home / "rates.csv")
    (home / "mapping.yaml").write_text(MAPPING, "utf-8")
    rows = _table(160, seed=3)
    with (home / "deals.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    (home / "deals.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        pass
    else:
        pq.write_table(pa.Table.from_pylist(rows), home / "deals.parquet")
    return home


def _plan(sources: list[Path], out: Path, mapping: Path | None, fast: bool) -> Plan:
    return plan(Job(sources, out, mapping=mapping, force=True, fast=fast, timeout=None))


def _same_rows(sources: list[Path], mapping: Path | None, tmp_path: Path) -> None:
    for suffix in FORMATS:
        if suffix == ".parquet":
            pytest.importorskip("pyarrow")
        found = []
        for fast in (False, True):
            out = tmp_path / f"{fast}{suffix}"
            run_batch(_plan(sources, out, mapping, fast))
            found.append(out.read_bytes())
        assert found[0] == found[1], suffix


def _taken(sources: list[Path], mapping: Path | None, tmp_path: Path) -> list[bool | None]:
    """For each case: whether it takes the quick path (None: it fails its row, on the full path)."""
    planned = _plan(sources, tmp_path / "taken.jsonl", mapping, True)
    out: list[bool | None] = []
    for item in items(planned.inputs, planned.config.mapping):
        try:
            out.append(read(item, planned.config, {}, quick=True)[1])
        except ScreeningError:
            out.append(None)
    return out


@pytest.mark.parametrize(
    ("table", "mapping"),
    [
        ("deal-export.csv", "deal-export-mapping.yaml"),
        ("deal-export-eu.csv", "deal-export-eu-mapping.yaml"),
        ("deals.csv", "deals-mapping.yaml"),
    ],
)
def test_the_examples_mapped_rows_are_the_same_on_the_quick_path(tmp_path, table, mapping):
    sources, named = [EXAMPLES / table], EXAMPLES / mapping
    _same_rows(sources, named, tmp_path)
    taken = _taken(sources, named, tmp_path)
    assert taken.count(True) >= len(taken) - 1  # every row but the one with a bad cell (deals.csv)


@pytest.mark.parametrize("source", ["deals.csv", "deals.parquet", "deals.jsonl"])
def test_a_deal_export_with_blanks_tables_dates_scales_and_currency_gives_the_same_rows(deals, tmp_path, source):
    if source.endswith(".parquet"):
        pytest.importorskip("pyarrow")
    _same_rows([deals / source], deals / "mapping.yaml", tmp_path)
    taken = _taken([deals / source], deals / "mapping.yaml", tmp_path)
    assert taken.count(None) >= 10  # the bad cells and the row with no id fail, on the full path
    assert taken.count(True) > len(taken) // 3
    assert taken.count(False) == 0  # bounds and words for the stake too: every row read is read quickly


def test_rows_on_the_quick_path_keep_their_columns_and_notes(deals, tmp_path):
    out = tmp_path / "r.jsonl"
    run_batch(_plan([deals / "deals.csv"], out, deals / "mapping.yaml", True))
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert any("USD" in " ".join(r["notes"]) for r in rows)  # the rate used
    assert any("W345" in " ".join(r["notes"]) for r in rows)  # a default taken
    assert rows[0]["kept"]["Deal"] == "00000"  # ids stay text


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """A directory of YAML cases: synthetic ones written as YAML, every example and backtest case, and faults."""
    home = tmp_path_factory.mktemp("yaml")
    for doc in cases(60, seed=5):
        (home / f"0-{doc['id']}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), "utf-8")
    for path in (*CASES, *BACKTEST):
        shutil.copy(path, home / f"{path.parent.name}-{path.name}")
    base = (home / "0-syn-000001.yaml").read_text("utf-8")
    faults = {
        "twice": base.replace("title: ", "title: x\ntitle: ", 1),  # a key twice (the quick path never sees it)
        "country": base.replace("country: ", "country: XX", 1),
        "tab": base.replace("\n  ", "\n\t", 1),
        "month": base.replace("target:", "as_of: 2024-03\ntarget:", 1),  # a month: read on either path
        "words": base.replace("format: 1", "format: 1\nsummary: 5", 1),
        "day": base.replace("target:", "as_of: 2024-02-30\ntarget:", 1),
        "norway": base.replace("country: ", "country: NO #", 1),
    }
    for name, text in faults.items():
        (home / f"zz-{name}.yaml").write_text(text, "utf-8")
    return home


def test_a_directory_of_yaml_cases_gives_the_same_rows_on_the_quick_path(folder, tmp_path):
    _same_rows([folder], None, tmp_path)
    taken = _taken([folder], None, tmp_path)
    assert all(taken[:60])  # the synthetic cases (named first)
    assert taken.count(None) >= 4  # the faults fail their rows, located by the full path


def test_a_yaml_document_taken_quickly_is_the_case_read_in_full(folder):
    from screening.case.load import build_case

    for path in sorted(folder.glob("*.yaml")):
        try:
            data, marks = load(path)
        except ScreeningError:
            continue
        quick = read_document(data, str(path))
        if quick is not None:
            assert quick == build_case(data, marks, str(path))


@pytest.mark.parametrize(
    ("where", "key", "value"),
    [
        ("target", "employees", True),
        ("target", "employees", "12"),
        ("target", "turnover_eur", "5"),
        ("target", "turnover_eur", {"at_least": "5"}),
        ("transaction", "signing_date", "2021"),
        ("transaction", "signing_date", "2021-3"),
        ("transaction", "signing_date", 1850),
        ("transaction", "stake_after_pct", "most"),
        ("transaction", "stake_after_pct", {"at_least": True}),
    ],
)
def test_bools_and_texts_are_not_taken_for_numbers_words_or_dates(where, key, value):
    doc = next(iter(cases(1)))
    assert read_document(doc, "c") is not None
    changed = json.loads(json.dumps(doc))
    changed[where][key] = value
    assert read_document(changed, "c") is None, (key, value)
    assert read_document([doc], "c") is None


@pytest.mark.parametrize(
    ("where", "key", "value"),
    [
        ("transaction", "signing_date", 2021),
        ("transaction", "signing_date", "2021-03"),
        ("transaction", "signing_date", {"between": [2020, "2021-03-04"]}),
        ("transaction", "stake_after_pct", {"at_least": 25}),
        ("transaction", "stake_after_pct", "majority"),
        ("target", "employees", {"value": 12, "confidence": "reported"}),
    ],
)
def test_a_year_a_month_a_range_a_bound_a_word_and_a_long_form_are_read_as_in_full(where, key, value):
    from screening.batch.work import LineMarks
    from screening.case.load import build_case

    changed = json.loads(json.dumps(next(iter(cases(1)))))
    changed[where][key] = value
    quick = read_document(changed, "c")
    assert quick is not None
    text = json.dumps(changed)
    assert quick == build_case(json.loads(text), LineMarks(text, 1), "c")
