"""Mappings of real deal tables: value tables, country names, date formats, thousands, currency conversion,
whole records left out, did-you-mean over the header, `screening check` on mapping files, the shipped export."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from screening.batch.mapping import check_mapping, load_mapping
from screening.batch.rates import read_rates
from screening.batch.rows import case_from_row
from screening.batch.types import TYPES, country_code
from screening.cli import main
from screening.infra.errors import CODES, ScreeningError
from tests.conftest import ROOT

EXAMPLES = ROOT / "examples"
EXPORT, EXPORT_MAPPING = EXAMPLES / "deal-export.csv", EXAMPLES / "deal-export-mapping.yaml"
RATES = "Date,USD,JPY,\n2020-09-04,1.1823,125.6,\n2020-09-03,1.1809,N/A,\n"


def batch(*args: object) -> int:
    return main(["batch", "--no-progress", *map(str, args)])


def mapping_file(tmp_path: Path, fields: str, extra: str = "") -> Path:
    path = tmp_path / "m.yaml"
    path.write_text(f"format: 1\nid: id\n{extra}fields:\n{fields}", "utf-8")
    return path


def build(tmp_path: Path, fields: str, row: dict[str, str], extra: str = "") -> tuple[dict, list[str]]:
    """The case document a row makes (as data), and the row's notes."""
    names = "  investor.name: investor\n" + ("" if "target.name" in fields else "  target.name: target\n")
    mapping = load_mapping(mapping_file(tmp_path, names + fields, extra))
    notes: list[str] = []
    full = {"id": "x", **row, "investor": "I", "target": "T"}
    positions = {c: i + 1 for i, c in enumerate(full)}
    case = case_from_row(mapping, full, "d.csv", 2, positions, None, notes)
    return case.data, notes


def test_the_schema_knows_every_type_of_the_registry():
    from screening.batch.mapping import schema

    assert schema()["$defs"]["field"]["properties"]["type"]["enum"] == list(TYPES)


# --- value tables -------------------------------------------------------------------------------------------


KIND = "  investor.kind: {column: k, values: {State-owned: soe, Listed: listed_company}%s}\n"


def test_a_value_table_maps_cells_exactly_then_without_case(tmp_path):
    for cell, kind in (("State-owned", "soe"), ("state-OWNED", "soe"), (" Listed ", "listed_company")):
        data, notes = build(tmp_path, KIND % "", {"k": cell})
        assert data["entities"][0]["kind"] == kind and notes == []


def test_a_value_no_table_names_fails_its_row_with_a_hint(tmp_path):
    with pytest.raises(ScreeningError) as caught:
        build(tmp_path, KIND % "", {"k": "State owned"})
    assert str(caught.value) == (
        "d.csv:2:2: error: investor.kind (column 'k'): 'State owned' is not in the field's values table; "
        "did you mean 'State-owned'? [E410 unmapped-value]"
    )


def test_a_default_is_taken_and_reported(tmp_path):
    data, notes = build(tmp_path, KIND % ", default: private_company", {"k": "Family office"})
    assert data["entities"][0]["kind"] == "private_company"
    assert notes == [
        "investor.kind: 'Family office' not in the values table, taken as 'private_company' [W345 value-defaulted]"
    ]
    data, notes = build(tmp_path, KIND % ", default: null", {"k": "Family office"})
    assert "kind" not in data["entities"][0]  # null: not given, so an information gap, never a guess
    assert notes == [
        "investor.kind: 'Family office' not in the values table, taken as not given [W345 value-defaulted]"
    ]
    assert CODES["W345"] == "value-defaulted"


def test_a_table_value_may_be_a_list(tmp_path):
    fields = "  target.sectors: {column: s, values: {Ports & Logistics: [transport, logistics]}, default: null}\n"
    data, _ = build(tmp_path, fields, {"s": "Ports & Logistics"})
    assert data["target"]["sectors"] == ["transport", "logistics"]
    data, _ = build(tmp_path, fields, {"s": "Holding"})
    assert "sectors" not in data["target"]


def test_split_items_go_through_the_table_and_all_unknown_is_not_an_empty_list(tmp_path):
    fields = (
        "  target.sectors: {column: s, split: ';', values: {Chips: semiconductors, Cloud: software}, default: null}\n"
    )
    data, notes = build(tmp_path, fields, {"s": "Chips;Toys"})
    assert data["target"]["sectors"] == ["semiconductors"] and len(notes) == 1
    data, _ = build(tmp_path, fields, {"s": "Toys;Games"})
    assert "sectors" not in data["target"]


# --- countries ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, code",
    [
        ("China", "CN"),
        ("United States of America", "US"),
        ("USA", "US"),
        ("United Kingdom", "GB"),
        ("UK", "GB"),
        ("Russia", "RU"),
        ("South Korea", "KR"),
        ("Korea, Republic of", "KR"),
        ("The Netherlands", "NL"),
        ("Türkiye", "TR"),
        ("Cayman Islands", "KY"),
        ("Kosovo", "XK"),
        ("DE", "DE"),
        ("DEU", "DE"),
        ("Germany", "DE"),
        # the spellings FollowTheMoney knows (rigour's strong names), as deal databases write them
        ("Turkey", "TR"),
        ("Ivory Coast", "CI"),
        ("Burma", "MM"),
        ("U.S.", "US"),
        ("Czech Republic", "CZ"),
        ("Swaziland", "SZ"),
        ("East Timor", "TL"),
        ("St. Kitts & Nevis", "KN"),
        ("Trinidad & Tobago", "TT"),
        ("Bosnia & Herzegovina", "BA"),
        ("england", "GB"),  # a part of a country no other state claims: that country
        ("Canary Islands", "ES"),
        ("Hong Kong SAR", "HK"),  # its own ISO 3166-1 code: never China's, whose ISO 3166-2 region it is
        ("Macau", "MO"),
        ("Taiwan", "TW"),
        ("CÔTE D’IVOIRE", "CI"),
        # the World Bank's forms, and names turned round
        ("Korea, Rep.", "KR"),
        ("Korea, Dem. People's Rep.", "KP"),
        ("Egypt, Arab Rep.", "EG"),
        ("Congo, Dem. Rep.", "CD"),
        ("Congo, Rep.", "CG"),
        ("Hong Kong SAR, China", "HK"),
        ("Gambia, The", "GM"),
        ("Korea, South", "KR"),
        ("Korea (North)", "KP"),
        ("Virgin Islands (British)", "VG"),  # never the US Virgin Islands
        ("Virgin Islands (U.S.)", "VI"),
        ("U.A.E.", "AE"),
        ("U.K.", "GB"),
        ("Mainland China", "CN"),
        ("PRC", "CN"),
        ("Hong Kong, China", "HK"),
        ("Taiwan (China)", "TW"),
        ("Macedonia", "MK"),
        # no guess: a name of two countries, a contested territory, a slip, a region of the world
        ("Korea", None),
        ("Crimea", None),
        ("Northern Cyprus", None),
        ("Untied States", None),
        ("Multinational", None),
        ("Virgin Islands", None),
        ("Serbia & Montenegro", None),  # a former state: no ISO 3166-1 code today
        ("Soviet Union", None),
    ],
)
def test_country_names_and_variants_give_iso_codes(name, code):
    assert country_code(name) == code


@pytest.mark.parametrize(
    "name, meant",
    [
        ("Untied States", "United States (US)"),
        ("Germny", "Germany (DE)"),
        ("Trinidad & Tobgo", "Trinidad and Tobago (TT)"),
    ],
)
def test_a_slip_in_a_country_name_gets_a_did_you_mean(tmp_path, name, meant):
    with pytest.raises(ScreeningError) as caught:
        build(tmp_path, "  investor.country: {column: c, type: country}\n", {"c": name})
    assert f"'{name}' is not a country name or code this tool knows; did you mean {meant}? Or add it to" in str(
        caught.value
    )


def test_an_unknown_country_name_fails_its_row_and_a_table_fills_the_gap(tmp_path):
    with pytest.raises(ScreeningError) as caught:
        build(tmp_path, "  investor.country: {column: c, type: country}\n", {"c": "Atlantis"})
    assert "'Atlantis' is not a country name or code this tool knows; add it to the field's values table" in str(
        caught.value
    )
    fields = (
        "  investor.country: {column: c, type: country, values: {Channel Islands: JE, 'Serbia & Montenegro': RS}}\n"
    )
    assert build(tmp_path, fields, {"c": "Serbia & Montenegro"})[0]["entities"][0]["country"] == "RS"
    assert build(tmp_path, fields, {"c": "China"})[0]["entities"][0]["country"] == "CN"  # the type reads the rest


def test_the_country_library_is_not_imported_by_the_cli():
    import subprocess
    import sys

    code = "import sys, screening.cli, screening.batch.mapping; print('pycountry' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"


# --- dates, numbers, currencies -----------------------------------------------------------------------------


def test_a_date_format_reads_the_export_and_says_what_it_expected(tmp_path):
    fields = '  transaction.signing_date: {column: d, type: date, format: "%m/%d/%Y"}\n'
    assert build(tmp_path, fields, {"d": "09/04/2020"})[0]["transaction"]["signing_date"] == "2020-09-04"
    with pytest.raises(ScreeningError) as caught:
        build(tmp_path, fields, {"d": "13/04/2020"})
    assert "expected a date written MM/DD/YYYY (%m/%d/%Y), found '13/04/2020' [E106 bad-value]" in str(caught.value)


@pytest.mark.parametrize(
    "pattern, says",
    [
        ("%Q", "'%Q' is not a date directive strptime knows"),
        ("%s", "'%s' is not a date directive strptime knows"),
        ("%", "a stray '%'"),
        ("%m/%d/%", "a stray '%'"),
        ("%Y%Y", "a directive is given twice"),  # strptime failed inside on every row: an internal error
        ("%d", "does not give the year"),
        ("%m/%d", "does not give the year"),  # every date read in 1900
        ("%Y", "does not give the year"),  # every date read as 1 January
        ("%Y-%m", "does not give the year"),
        ("%H:%M", "does not give the year"),
    ],
)
def test_a_date_format_that_cannot_read_a_date_is_refused_on_the_mapping(tmp_path, capsys, pattern, says):
    fields = f'  transaction.signing_date: {{column: d, type: date, format: "{pattern}"}}\n'
    mapping = mapping_file(tmp_path, "  investor.name: i\n  target.name: t\n" + fields)
    deals, out = tmp_path / "d.csv", tmp_path / "r.csv"
    deals.write_text("id,i,t,d\n1,I,T,09/04/2020\n", "utf-8")
    with pytest.raises(ScreeningError) as caught:
        load_mapping(mapping)
    [problem] = caught.value.problems
    assert (problem.code, problem.line, problem.column) == ("E106", 6, 53), problem
    assert "expected a strptime date format" in problem.message and says in problem.message, problem.message
    assert batch(deals, "-m", mapping, "-o", out) == 2 and not out.exists()
    assert f"{mapping}:6:53: error: fields.transaction.signing_date.format" in capsys.readouterr().err


@pytest.mark.parametrize("pattern", ["%m/%d/%Y", "%d.%m.%y", "%Y%j", "%d %B %Y", "%b %d, %Y", "%Y-%m-%d %%"])
def test_a_date_format_with_a_year_month_and_day_is_accepted(tmp_path, pattern):
    fields = f'  transaction.signing_date: {{column: d, type: date, format: "{pattern}"}}\n'
    load_mapping(mapping_file(tmp_path, "  investor.name: i\n  target.name: t\n" + fields))


def test_scaled_numbers_with_thousands_separators(tmp_path):
    fields = "  target.turnover_eur: {column: t, type: number, thousands: ',', scale: 1000000}\n"
    assert build(tmp_path, fields, {"t": "1,250.5"})[0]["target"]["turnover_eur"] == 1_250_500_000


def test_an_amount_is_converted_at_the_rate_of_its_day_and_the_row_says_which(tmp_path):
    (tmp_path / "rates.csv").write_text(RATES, "utf-8")
    fields = (
        '  transaction.signing_date: {column: d, type: date, format: "%m/%d/%Y"}\n'
        "  transaction.value_eur: {column: v, type: number, scale: 1000000, currency: USD, "
        "date: transaction.signing_date}\n"
    )
    data, notes = build(tmp_path, fields, {"d": "09/06/2020", "v": "118.23"}, "rates: rates.csv\n")
    assert data["transaction"]["value_eur"] == 100_000_000  # a Sunday: Friday's rate
    assert notes == [
        "transaction.value_eur: USD 118,230,000 = EUR 100,000,000 at 1.1823 USD/EUR (rate of 2020-09-04, rates.csv)"
    ]
    with pytest.raises(ScreeningError) as caught:
        build(tmp_path, fields, {"d": "09/30/2020", "v": "1"}, "rates: rates.csv\n")
    assert "rates.csv has no USD rate within 7 days before 2020-09-30 (the latest is of 2020-09-04) [E411 no-rate]" in (
        str(caught.value)
    )
    data, notes = build(tmp_path, fields, {"d": "09/06/2020", "v": ""}, "rates: rates.csv\n")
    assert "value_eur" not in data["transaction"] and notes == []


def test_rates_tables_are_checked_located(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("Date,USD\n2020-09-04,abc\n", "utf-8")
    with pytest.raises(ScreeningError) as caught:
        read_rates(path, ["USD"])
    assert f"{path}:2:12: error: USD on 2020-09-04: expected a rate above 0, found 'abc' [E412 bad-rates]" == str(
        caught.value
    )
    path.write_text("Date,USDD\n", "utf-8")
    with pytest.raises(ScreeningError) as caught:
        read_rates(path, ["USD"])
    assert "no column for the currency 'USD' in the rates; did you mean 'USDD'?" in str(caught.value)


@pytest.mark.parametrize("day", ["20200904", "2020-W36-5", "2020-9-4", "٢٠٢٠-٠٩-٠٤"])
def test_a_rates_day_not_written_yyyy_mm_dd_is_refused_located(tmp_path, day):
    # fromisoformat read 20200904 and 2020-W36-5 as days, and the table, searched as text, gave wrong rates
    path = tmp_path / "r.csv"
    path.write_text(f"Date,USD\n2020-09-03,1.18\n{day},1.19\n", "utf-8")
    with pytest.raises(ScreeningError) as caught:
        read_rates(path, ["USD"])
    assert f"{path}:3:1: error: expected a date YYYY-MM-DD, found {day!r} [E412 bad-rates]" == str(caught.value)


def test_a_rates_row_cut_short_of_its_day_has_no_rate(tmp_path):
    # a row ending before the Date column stopped the batch with an internal error (IndexError)
    path = tmp_path / "r.csv"
    path.write_text("USD,Date\n1.19\n1.18,2020-09-03\n\n", "utf-8")
    rates = read_rates(path, ["USD"])
    assert rates.days == {"USD": ("2020-09-03",)} and rates.at("USD", "2020-09-04").per_euro == 1.18


def test_a_day_given_twice_with_two_rates_is_refused_and_with_one_is_read_once(tmp_path):
    # the larger of two rates of one day was taken without a word
    path = tmp_path / "r.csv"
    path.write_text("Date,USD,JPY\n2020-09-04,1.18,125\n2020-09-04,1.19,125\n", "utf-8")
    with pytest.raises(ScreeningError) as caught:
        read_rates(path, ["USD", "JPY"])
    assert f"{path}:3:12: error: USD on 2020-09-04: a second rate, 1.19, beside 1.18 on line 2 [E412 bad-rates]" == (
        str(caught.value)
    )
    assert read_rates(path, ["JPY"]).days == {"JPY": ("2020-09-04",)}


@pytest.mark.parametrize("rate", ["1_18", "١٫١٨", "0x1p0", "1.18.0"])
def test_a_rate_not_written_in_ascii_digits_is_refused(tmp_path, rate):
    # float() read 1_18 as 118
    path = tmp_path / "r.csv"
    path.write_text(f"Date,USD\n2020-09-04,{rate}\n", "utf-8")
    with pytest.raises(ScreeningError) as caught:
        read_rates(path, ["USD"])
    assert f"USD on 2020-09-04: expected a rate above 0, found {rate!r} [E412 bad-rates]" in str(caught.value)


def test_a_currency_needs_rates_and_a_date_field_of_the_mapping(tmp_path):
    fields = "  transaction.value_eur: {column: v, type: number, currency: USD, date: transaction.signing}\n"
    problems = [str(p) for p in check_mapping(mapping_file(tmp_path, fields))]
    assert any("a currency to convert needs a table of rates: add 'rates: FILE.csv'" in p for p in problems)
    assert any("'transaction.signing' is not a date field of this mapping" in p for p in problems)


# --- whole records ------------------------------------------------------------------------------------------


def test_an_empty_amount_leaves_out_the_constant_currency_beside_it(tmp_path):
    fields = (
        "  target.name: t\n"
        "  transaction.value_local.amount: {column: v, type: number}\n"
        "  transaction.value_local.currency: {value: USD}\n"
    )
    data, _ = build(tmp_path, fields, {"t": "T", "v": ""})
    assert "value_local" not in data.get("transaction", {})
    data, _ = build(tmp_path, fields, {"t": "T", "v": "5"})
    assert data["transaction"]["value_local"] == {"amount": 5, "currency": "USD"}


@pytest.mark.parametrize("placeholder", ["n/a", " N/A ", "-", "n.a."])
def test_a_placeholder_the_mapping_names_blank_is_not_given(tmp_path, placeholder):
    """``blanks: [n/a, "-", n.a.]``: such a cell is an empty one in every column (its whole record left out), not a
    bad number that fails the row."""
    fields = (
        "  transaction.stake_after_pct: {column: s, type: number}\n"
        "  transaction.value_local.amount: {column: v, type: number}\n"
        "  transaction.value_local.currency: {value: USD}\n"
        "  target.country: {column: c, type: country}\n"
    )
    extra = "blanks: [n/a, '-', n.a.]\n"
    data, _ = build(tmp_path, fields, {"s": placeholder, "v": placeholder, "c": placeholder}, extra)
    assert "stake_after_pct" not in data.get("transaction", {}) and "value_local" not in data.get("transaction", {})
    assert "country" not in data["target"]
    with pytest.raises(ScreeningError) as caught:  # without blanks, the same cell is a bad number
        build(tmp_path, fields, {"s": placeholder, "v": "5", "c": "IT"})
    assert f"expected a number, found {placeholder!r}" in str(caught.value)


def test_blanks_do_not_reach_into_a_text(tmp_path):
    """A blank is a whole cell: a text that holds one among other words is kept as written."""
    data, _ = build(tmp_path, "  summary: s\n", {"s": "n/a here"}, "blanks: [n/a]\n")
    assert data["summary"] == "n/a here"


def test_blanks_must_be_a_list_of_texts(tmp_path, capsys):
    bad = mapping_file(tmp_path, "  target.name: t\n", "blanks: n/a\n")
    assert main(["check", str(bad), "--format", "json"]) == 1
    (found,) = json.loads(capsys.readouterr().out)["problems"]
    assert (found["line"], found["code"]) == (3, "E103")


@pytest.mark.parametrize("written, value", [("51%", 51), ("49.9 %", 49.9), ("100%", 100), (" 25 % ", 25)])
def test_a_percentage_may_carry_its_sign(tmp_path, written, value):
    fields = "  transaction.stake_after_pct: {column: s, type: number}\n"
    data, _ = build(tmp_path, fields, {"s": written})
    assert data["transaction"]["stake_after_pct"] == value


def test_a_percent_sign_elsewhere_is_refused(tmp_path):
    fields = "  transaction.value_eur: {column: v, type: number}\n"
    with pytest.raises(ScreeningError) as caught:
        build(tmp_path, fields, {"v": "51%"})
    assert "expected a number, found '51%': a percent sign is read only in a field of percentages (_pct)" in str(
        caught.value
    )


# --- headers and checking -----------------------------------------------------------------------------------


def test_a_missing_column_gets_a_did_you_mean_over_the_header(tmp_path, capsys):
    source = tmp_path / "d.csv"
    source.write_text("id,Date Announced\nA,2020-01-01\n", "utf-8")
    mapping = mapping_file(tmp_path, "  transaction.signing_date: {column: date announced, type: date}\n")
    assert batch(source, "-m", mapping, "-o", tmp_path / "r.jsonl") == 2
    assert "column 'date announced' named by" in (err := capsys.readouterr().err)
    assert "is not in the header; did you mean 'Date Announced'?" in err


def test_check_validates_mapping_files_located(tmp_path, capsys):
    bad = mapping_file(tmp_path, "  target.nmae: t\n  target.country: {column: c, type: country, format: x}\n")
    assert main(["check", str(bad), "--format", "json"]) == 1
    found = json.loads(capsys.readouterr().out)["problems"]
    assert [(p["line"], p["column"], p["code"]) for p in found] == [(4, 3, "E104"), (5, 46, "E106")]
    assert main(["check", str(EXPORT_MAPPING), str(EXAMPLES / "deals-mapping.yaml")]) == 0


# --- the shipped export -------------------------------------------------------------------------------------


def test_the_shipped_export_runs_as_printed(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    out = tmp_path / "results.csv"
    assert batch("examples/deal-export.csv", "-m", "examples/deal-export-mapping.yaml", "-o", out) == 0
    assert "11 cases: 0 critical" in capsys.readouterr().err
    with out.open(encoding="utf-8", newline="") as handle:
        found = list(csv.DictReader(handle))
    assert [r["id"] for r in found][:2] == ["0004417521", "0004319877"]  # ids stay text
    assert found[0]["Deal Status"] == "Completed" and found[0]["investor_country"] == "CN"
    assert all(r["error"] == "" for r in found)
    assert "USD 76,400,000 = EUR" in found[0]["notes"] and "[W345 value-defaulted]" in found[-1]["notes"]
    assert found[0]["title"] == "COSCO Shipping Ports Ltd / Container Terminal Tollerort GmbH"
    assert {r["level_rank"] for r in found} <= {"1", "2", "3", "4"}


def test_the_european_export_gives_the_rows_of_the_export(tmp_path, monkeypatch, capsys):
    """deal-export-eu.csv is deal-export.csv as Excel saves it in continental Europe (';', DD/MM/YYYY, decimal
    commas, '%' signs, "n.a.", cp1252): its mapping makes the same rows, but for the source and one accented
    name."""
    monkeypatch.chdir(ROOT)
    raw = (EXAMPLES / "deal-export-eu.csv").read_bytes()
    assert b";" in raw and b"n.a." in raw and "Régie".encode("cp1252") in raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    eu, us = tmp_path / "eu.jsonl", tmp_path / "us.jsonl"
    assert batch("examples/deal-export-eu.csv", "-m", "examples/deal-export-eu-mapping.yaml", "-o", eu) == 0
    assert batch("examples/deal-export.csv", "-m", "examples/deal-export-mapping.yaml", "-o", us) == 0
    capsys.readouterr()
    left = [json.loads(line) for line in eu.read_text("utf-8").splitlines()]
    right = [json.loads(line) for line in us.read_text("utf-8").splitlines()]
    assert len(left) == len(right) == 11
    assert left[-1]["title"] == "Gulf Infrastructure Investment Authority / Hypothetical Régie des Eaux SpA"
    for row in (*left, *right):
        del row["source"], row["title"]
    assert left == right


def test_a_rates_table_that_is_not_a_regular_file_is_refused_unread(tmp_path):
    import os

    fifo = tmp_path / "rates.csv"
    os.mkfifo(fifo)  # would block a reader for ever
    fields = "  transaction.value_eur: {column: v, type: number, currency: USD, date: transaction.signing_date}\n"
    fields += "  transaction.signing_date: {column: d, type: date}\n"
    problems = check_mapping(mapping_file(tmp_path, fields, "rates: rates.csv\n"))
    assert [p.code for p in problems] == ["E001"] and str(fifo) in str(problems[0])


@pytest.mark.parametrize("cell", ["2018-W27-2", "20180703", "2018-184"])
def test_a_date_cell_in_another_iso_form_is_refused_not_kept_as_text(cell):
    """Python's date reader takes the week and ordinal forms, and "2018-W27-2" has the ten characters of a day:
    kept as text, it would compare after every day of 2018. A date cell takes YYYY-MM-DD (or a month or year)."""
    from screening.batch.mapping import Field

    field = Field("transaction.signing_date", ("transaction", "signing_date"), column="Date", type="date")
    with pytest.raises(ValueError, match="expected a date written YYYY-MM-DD"):
        TYPES["date"].read(field, cell)
    assert TYPES["date"].read(field, "2018-07-03") == "2018-07-03"


# --- delimiters, encodings, decimal commas ------------------------------------------------------------------

EUROPEAN = (
    "Deal;Announced;Target;Buyer;Buyer Country;Stake;Value\n"
    "1;15/03/2021;Société Générale Robotique;Çelik Holding;Türkiye;51,5 %;1.234,5\n"
    "2;16/03/2021;Two;Ümit AS;Turkey;49;\n"
)
EUROPEAN_MAPPING = (
    "format: 1\nid: Deal\ndelimiter: ';'\ndecimal: ','\n{encoding}"
    "fields:\n"
    "  investor.name: Buyer\n"
    "  investor.country: {{column: Buyer Country, type: country}}\n"
    "  target.name: Target\n"
    "  transaction.signing_date: {{column: Announced, type: date, format: '%d/%m/%Y'}}\n"
    "  transaction.stake_after_pct: {{column: Stake, type: number}}\n"
    "  transaction.value_eur: {{column: Value, type: number, thousands: '.', scale: 1000000}}\n"
)


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8", "utf-16"])
def test_a_european_excel_csv_reads_with_its_delimiter_encoding_and_decimal_comma(tmp_path, capsys, encoding):
    """Excel in most of Europe writes CSV with ';' between cells, a decimal comma and, on Windows, cp1252."""
    source = tmp_path / "deals.csv"
    source.write_bytes(EUROPEAN.encode(encoding))
    mapping = tmp_path / "m.yaml"
    mapping.write_text(EUROPEAN_MAPPING.format(encoding=f"encoding: {encoding}\n"), "utf-8")
    out = tmp_path / "r.jsonl"
    assert batch(source, "-m", mapping, "-o", out) == 0
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [(r["id"], r["title"], r["investor_country"], r["error"]) for r in rows] == [
        ("1", "Çelik Holding / Société Générale Robotique", "TR", ""),
        ("2", "Ümit AS / Two", "TR", ""),
    ]
    capsys.readouterr()


def test_the_decimal_comma_reads_numbers_and_refuses_what_it_cannot_read(tmp_path):
    extra = "decimal: ','\n"
    fields = "  transaction.value_eur: {column: v, type: number, thousands: '.'}\n"
    assert build(tmp_path, fields, {"v": "1.234,5"}, extra)[0]["transaction"]["value_eur"] == 1234.5
    assert build(tmp_path, fields, {"v": "12"}, extra)[0]["transaction"]["value_eur"] == 12
    plain = "  transaction.value_eur: {column: v, type: number}\n"
    with pytest.raises(ScreeningError) as caught:
        build(tmp_path, plain, {"v": "1.234,5"}, extra)
    assert "expected a number with a decimal comma (10,5), found '1.234,5'" in str(caught.value)
    bound = "  transaction.stake_after_pct: {column: s, type: bound}\n"
    stake = build(tmp_path, bound, {"s": "at least 25,5%"}, extra)[0]["transaction"]["stake_after_pct"]
    assert (stake.low, stake.high) == (25.5, 100.0)


def test_a_mapping_with_a_comma_for_both_marks_or_an_unknown_encoding_is_refused_located(tmp_path, capsys):
    bad = mapping_file(
        tmp_path,
        "  transaction.value_eur: {column: v, type: number, thousands: ','}\n",
        "decimal: ','\nencoding: utf9\n",
    )
    assert main(["check", str(bad), "--format", "json"]) == 1
    found = json.loads(capsys.readouterr().out)["problems"]
    assert [(p["line"], p["code"]) for p in found] == [(4, "E106"), (6, "E106")]
    assert "'utf9' is not a text encoding Python knows" in found[0]["message"]
    assert "the thousands separator is the decimal mark of this mapping" in found[1]["message"]


@pytest.mark.parametrize("separator, written", [(";", "';'"), ("\t", '"\\t"'), ("|", "'|'")])
def test_a_file_separated_otherwise_says_so_once(tmp_path, capsys, separator, written):
    source = tmp_path / "deals.csv"
    source.write_text(EUROPEAN.replace(";", separator), "utf-8")
    mapping = tmp_path / "m.yaml"
    mapping.write_text(EUROPEAN_MAPPING.format(encoding="").replace("delimiter: ';'\n", ""), "utf-8")
    assert batch(source, "-m", mapping, "-o", tmp_path / "r.jsonl") == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    shown = "\\t" if separator == "\t" else separator  # a tab in a message is shown escaped
    assert line.startswith(f"{source}:1:1: error: the header is read as one column ('Deal{shown}Announced")
    assert line.endswith(
        f"the file looks separated by {'a tab' if separator == chr(9) else written}; add delimiter:"
        f" {written} to the mapping [E105 missing-field]"
    )


def test_a_byte_the_named_encoding_has_no_letter_for_fails_its_row(tmp_path, capsys):
    source = tmp_path / "deals.csv"
    source.write_bytes(EUROPEAN.encode("cp1252").replace(b"Two", b"Tw\x81o"))  # 0x81: no letter in cp1252
    mapping = tmp_path / "m.yaml"
    mapping.write_text(EUROPEAN_MAPPING.format(encoding="encoding: cp1252\n"), "utf-8")
    out = tmp_path / "r.jsonl"
    assert batch(source, "-m", mapping, "-o", out) == 1
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert rows[0]["error"] == ""
    assert rows[1]["error"].endswith("not valid cp1252 (byte 0x81); check the mapping's encoding [E002 bad-encoding]")
    capsys.readouterr()


@pytest.mark.parametrize(
    "option, message",
    [
        ("encoding: hex", "'hex' is not a text encoding Python knows"),
        ("encoding: rot13", "'rot13' is not a text encoding Python knows"),
        ("encoding: ''", "expected non-empty text"),
        ("delimiter: '\"'", "'\"' cannot separate cells"),
        ('delimiter: "\\n"', "'\\n' cannot separate cells"),
        ("delimiter: ';;'", "text longer than 1 character"),
        ("decimal: ';'", "expected one of"),
    ],
)
def test_a_bad_reading_option_is_located(tmp_path, capsys, option, message):
    bad = mapping_file(tmp_path, "  target.name: t\n", option + "\n")
    assert main(["check", str(bad), "--format", "json"]) == 1
    (found,) = json.loads(capsys.readouterr().out)["problems"]
    assert found["line"] == 3 and message in found["message"], found


def test_a_bad_reading_option_is_reported_with_the_fields_problems(tmp_path, capsys):
    bad = mapping_file(tmp_path, "  target.nmae: t\n", "encoding: hex\n")
    assert main(["check", str(bad), "--format", "json"]) == 1
    found = json.loads(capsys.readouterr().out)["problems"]
    assert sorted((p["line"], p["code"]) for p in found) == [(3, "E106"), (5, "E104")]
