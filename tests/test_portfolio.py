"""A portfolio answer out of a batch: kept columns, level_rank, Excel CSV, exit codes and --max-errors, errors
grouped in the summary, lists, waivers and a day as screen takes them, workers by input size, and
`screening portfolio` in every format."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from screening.batch.portfolio import read_portfolio
from screening.cli import main
from tests.conftest import ROOT

EXAMPLES = ROOT / "examples"
EXPORT, EXPORT_MAPPING = EXAMPLES / "deal-export.csv", EXAMPLES / "deal-export-mapping.yaml"
DEALS, MAPPING = EXAMPLES / "deals.csv", EXAMPLES / "deals-mapping.yaml"


def batch(*args: object) -> int:
    return main(["batch", "--no-progress", *map(str, args)])


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def export_results(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("portfolio") / "results.jsonl"
    assert batch(EXPORT, "-m", EXPORT_MAPPING, "-o", out) == 0
    return out


# --- rows ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet"])
def test_kept_columns_come_first_as_text_in_every_format(tmp_path, suffix):
    source = tmp_path / "d.csv"
    source.write_text("ref,code,n\n007,=cmd,1.50\n008,x,\n", "utf-8")
    mapping = tmp_path / "m.yaml"
    fields = "  investor.name: {value: Acme}\n  target.name: code\n"
    mapping.write_text(f"format: 1\nid: ref\nkeep: [code]\nfields:\n{fields}", "utf-8")
    out = tmp_path / f"r{suffix}"
    assert batch(source, "-m", mapping, "-o", out, "--keep", "n", "--keep", "ref") == 0
    if suffix == ".jsonl":
        found = [json.loads(line)["kept"] for line in out.read_text("utf-8").splitlines()]
        assert found == [{"code": "=cmd", "n": "1.50", "ref": "007"}, {"code": "x", "n": "", "ref": "008"}]
    elif suffix == ".csv":
        header = out.read_text("utf-8").splitlines()[0].split(",")
        assert header[:6] == ["id", "source", "code", "n", "ref", "title"]
        rows = csv_rows(out)
        assert [(r["ref"], r["code"], r["n"]) for r in rows] == [("007", "'=cmd", "1.50"), ("008", "x", "")]
    else:
        import pyarrow.parquet as pq

        table = pq.read_table(out)
        assert table.column("ref").to_pylist() == ["007", "008"] and str(table.schema.field("ref").type) == "string"


def test_keep_needs_a_mapping_and_may_not_take_a_result_column(tmp_path, capsys):
    assert batch(ROOT / "cases", "-o", tmp_path / "r.jsonl", "--keep", "x") == 2
    assert "--keep carries columns of flat rows into the results: it needs --mapping" in capsys.readouterr().err
    assert batch(DEALS, "-m", MAPPING, "-o", tmp_path / "r.jsonl", "--keep", "score") == 2
    assert "column 'score' would take the name of a result column" in capsys.readouterr().err


def test_level_rank_orders_the_pack_levels(export_results, pack):
    rows = [json.loads(line) for line in export_results.read_text("utf-8").splitlines()]
    for row in rows:
        assert row["level_rank"] == list(pack.scoring.names).index(row["level"]) + 1


def test_excel_csv_has_a_byte_order_mark_and_resumes(tmp_path):
    out = tmp_path / "r.csv"
    assert batch(EXPORT, "-m", EXPORT_MAPPING, "-o", out, "--excel") == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfid,source,") and data.count(b"\xef\xbb\xbf") == 1
    assert batch(EXPORT, "-m", EXPORT_MAPPING, "-o", out, "--excel", "--resume") == 0
    assert out.read_bytes() == data
    assert batch(EXPORT, "-m", EXPORT_MAPPING, "-o", tmp_path / "r.jsonl", "--excel") == 2


# --- exit codes and the summary -----------------------------------------------------------------------------


def test_a_failed_row_exits_1_unless_tolerated(tmp_path):
    assert batch(DEALS, "-m", MAPPING, "-o", tmp_path / "a.jsonl") == 1
    assert batch(DEALS, "-m", MAPPING, "-o", tmp_path / "b.jsonl", "--max-errors", "1") == 0
    assert batch(DEALS, "-m", MAPPING, "-o", tmp_path / "c.jsonl", "--max-errors", "1", "--fail-on", "high") == 1


def test_every_row_failing_exits_2_with_errors_grouped_by_code_and_column(tmp_path, capsys):
    source = tmp_path / "d.csv"
    lines = ["id,Acquirer,Target,Date Announced"] + [f"D{i},A,T,09/0{i % 9 + 1}/2020" for i in range(300)]
    source.write_text("\n".join(lines) + "\n", "utf-8")
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "format: 1\nid: id\nfields:\n  investor.name: Acquirer\n  target.name: Target\n"
        "  transaction.signing_date: {column: Date Announced, type: date}\n",
        "utf-8",
    )
    assert batch(source, "-m", mapping, "-o", tmp_path / "r.jsonl") == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "300 cases: 0 critical, 0 high, 0 medium, 0 low, 300 errors"
    assert err[1] == "errors (300), by problem and column:"
    assert err[2] == (
        f"  300 rows: E106 bad-value in 'Date Announced', e.g. {source}:2:4: error: transaction.signing_date "
        "(column 'Date Announced'): expected a date written YYYY-MM-DD (or YYYY-MM, YYYY), "
        "found '09/01/2020' [E106 bad-value]"
    )
    assert len(err) == 4  # and the time: one line for 300 errors, not 300


def test_an_unreadable_input_exits_2(tmp_path):
    assert batch(tmp_path / "missing.csv", "-m", MAPPING, "-o", tmp_path / "r.jsonl") == 2


# --- lists, waivers and the day -----------------------------------------------------------------------------


def test_batch_screens_against_watchlists_as_screen_does(tmp_path, capsys):
    from screening.api import screen_files

    watchlist = tmp_path / "list.csv"
    watchlist.write_text("id,schema,name,aliases,countries,sanctions\nx1,Company,COSCO Shipping Ports Ltd,,cn,EU\n")
    out = tmp_path / "r.jsonl"
    assert batch(EXPORT, "-m", EXPORT_MAPPING, "-o", out, "--watchlist", watchlist) == 0
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert rows[0]["hits"] and rows[0]["hits"][0].startswith("COSCO Shipping Ports Ltd ~ COSCO Shipping Ports Ltd")
    assert "group.watchlist_hits" not in rows[0]["gaps"] and not rows[1]["hits"]
    case = tmp_path / "case.yaml"
    case.write_text((ROOT / "cases" / "cosco-hamburg-tollerort.yaml").read_text("utf-8"), "utf-8")
    assert batch(case, "-o", tmp_path / "c.jsonl", "--watchlist", watchlist) == 0
    row = json.loads((tmp_path / "c.jsonl").read_text("utf-8"))
    (screened,) = screen_files([case], watchlists=[watchlist])
    assert (row["score"], row["level"]) == (screened.score, screened.level)
    assert batch(EXPORT, "-m", EXPORT_MAPPING, "-o", tmp_path / "x.jsonl", "--watchlist", tmp_path / "no.csv") == 2


def test_batch_applies_waivers_on_the_day_given(tmp_path, capsys):
    case = ROOT / "cases" / "alibaba-liege.yaml"
    waivers = tmp_path / "w.yaml"
    waivers.write_text(
        "waivers:\n  - case: alibaba-liege\n    rule: SI-003\n    reason: Reviewed by the board; the hub lease has a\n"
        "      security annex.\n    approver: J. Doe\n    granted: 2024-01-01\n    expires: 2025-01-01\n",
        "utf-8",
    )
    names = ("plain", "waived", "plain-late", "late")
    plain, waived, plain_late, late = (tmp_path / f"{n}.jsonl" for n in names)
    assert batch(case, "-o", plain, "--as-of", "2024-06-01") == 0  # each compared on the same day
    assert batch(case, "-o", waived, "--waivers", waivers, "--as-of", "2024-06-01") == 0
    assert batch(case, "-o", plain_late, "--as-of", "2025-06-01") == 0
    assert batch(case, "-o", late, "--waivers", waivers, "--as-of", "2025-06-01") == 0
    score = {p: json.loads(p.read_text("utf-8"))["score"] for p in (plain, waived, plain_late, late)}
    assert score[waived] < score[plain] and score[late] == score[plain_late]
    assert batch(case, "-o", tmp_path / "x.jsonl", "--as-of", "June") == 2


# --- workers ------------------------------------------------------------------------------------------------


def test_workers_default_to_one_for_small_inputs_and_a_note_says_when_more_are_slower(tmp_path, capsys):
    from screening.batch.run import Job, choose_workers, plan

    small = plan(Job([EXPORT], tmp_path / "a.jsonl", mapping=EXPORT_MAPPING))
    assert choose_workers(small) == (small, "")
    assert batch(EXPORT, "-m", EXPORT_MAPPING, "-o", tmp_path / "b.jsonl", "--workers", "2") == 0
    assert "note: 2 workers for 11 cases are likely slower than one" in capsys.readouterr().err


def test_workers_grow_with_large_inputs_and_free_cores(tmp_path, monkeypatch):
    from screening.batch import run

    checked = run.plan(run.Job([EXPORT], tmp_path / "a.jsonl", mapping=EXPORT_MAPPING))
    monkeypatch.setattr(run, "total", lambda plan: 20_000)
    monkeypatch.setattr(run, "_cores", lambda: (4, 4))
    chosen, note = run.choose_workers(checked)
    assert chosen.job.workers == 4 and note == "20,000 cases: 4 worker processes (--workers 1 to use one)"
    monkeypatch.setattr(run, "_cores", lambda: (2, 1))  # the other core is busy
    chosen, note = run.choose_workers(checked)
    assert chosen.job.workers == 1 and note == "20,000 cases: one process (the machine is busy: 1 of 2 cores in use)"


# --- the portfolio report -----------------------------------------------------------------------------------


def test_the_portfolio_counts_levels_countries_filings_questions_rules_and_top_cases(pack, export_results):
    p = read_portfolio(export_results)
    assert p.cases == 11 and p.errors == 0
    assert p.levels == ("low", "medium", "high", "critical")
    rows = [json.loads(line) for line in Path(export_results).read_text("utf-8").splitlines() if line.strip()]
    chinese: dict[str, int] = {}
    for row in rows:
        if row["investor_country"] == "CN":
            chinese[row["level"]] = chinese.get(row["level"], 0) + 1
    assert sum(p.by_level.values()) == 11 and p.by_country["CN"] == chinese and sum(chinese.values()) == 6
    assert list(p.by_country)[0] == "CN"  # most cases first
    best = max(rows, key=lambda r: r["score"])
    assert p.top[0].score == best["score"] == max(c.score for c in p.top)
    assert sum(p.scores) == 11
    assert p.unlisted == 11 and p.hit_cases == 0
    assert p.rules[0][1] >= p.rules[-1][1] and all(title for _, _, title in p.rules)
    assert all(question and "{name}" not in question for _, _, question in p.questions)
    assert set(p.filings) <= {r.id for r in pack.regimes}  # the default pack's regimes


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_the_portfolio_reads_every_results_format_alike(tmp_path, export_results, suffix):
    out = tmp_path / f"r{suffix}"
    assert batch(EXPORT, "-m", EXPORT_MAPPING, "-o", out, *(["--excel"] if suffix == ".csv" else [])) == 0
    reference = read_portfolio(export_results)
    assert read_portfolio(out)._replace(file="") == reference._replace(file="")


@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "html"])
def test_portfolio_renders_in_every_format(tmp_path, capsys, export_results, fmt):
    assert main(["portfolio", str(export_results), "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert "Fujian Grand Chip Investment Fund LP / Aixtron SE" in out
    if fmt == "json":
        document = json.loads(out)
        assert document["cases"] == 11 and document["by_country"][0]["country"] == "CN"
        assert [b["from"] for b in document["score_distribution"]] == list(range(0, 100, 10))
    if fmt == "html":
        assert (
            out.count("<svg") == 3
            and "<script" not in out
            and "http://" not in out.replace('xmlns="http://www.w3.org/2000/svg"', "")
        )


def test_portfolio_shows_errors_and_hits(tmp_path, capsys):
    out = tmp_path / "r.jsonl"
    watchlist = tmp_path / "list.csv"
    watchlist.write_text(
        "id,schema,name,aliases,countries,sanctions\nx1,Company,State Grid Corporation of China,,cn,X\n"
    )
    assert batch(DEALS, "-m", MAPPING, "-o", out, "--watchlist", watchlist) == 1
    assert main(["portfolio", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Watchlist hits: 1 case" in text and "State Grid Corporation of China ~ State Grid" in text
    assert "Not screened (1), by problem and column:\n       1  E106 in 'turnover_meur'" in text


def test_portfolio_refuses_what_is_not_results(tmp_path, capsys):
    assert main(["portfolio", str(EXPORT)]) == 2
    assert "not results of screening batch: no 'id' or 'level' column" in capsys.readouterr().err
    assert main(["portfolio", str(EXPORT_MAPPING)]) == 2
    assert main(["portfolio", str(tmp_path / "none.jsonl")]) == 2


def test_portfolio_text_shows_input_text_escaped(tmp_path, capsys):
    out = tmp_path / "r.jsonl"
    row = {"id": "x\x1b[2J", "source": "s", "title": "T\x1b]52;c;SGVsbG8=\x07", "score": 1.0, "level": "low"}
    out.write_text(json.dumps({**row, "fired": [], "gaps": [], "error": ""}) + "\n", "utf-8")
    for fmt in ("text", "markdown"):
        assert main(["portfolio", str(out), "--format", fmt]) == 0
        assert "\x1b" not in capsys.readouterr().out


def test_a_kept_column_named_like_a_formula_is_neutralised_in_the_header(tmp_path):
    source = tmp_path / "d.csv"
    source.write_text('ref,"=HYPERLINK(""x"")"\n1,Acme\n', "utf-8")
    mapping = tmp_path / "m.yaml"
    mapping.write_text("format: 1\nid: ref\nfields:\n  investor.name: {value: Acme}\n  target.name: {value: T}\n")
    out = tmp_path / "r.csv"
    assert batch(source, "-m", mapping, "-o", out, "--keep", '=HYPERLINK("x")') == 0
    header = next(csv.reader(out.open(encoding="utf-8")))
    assert header[2] == '\'=HYPERLINK("x")' and not any(c.startswith(("=", "+", "-", "@")) for c in header)
    assert batch(source, "-m", mapping, "-o", out, "--keep", '=HYPERLINK("x")', "--resume") == 0  # the same header


GOOD_ROW = {"id": "a", "source": "s", "title": "T", "score": 40.0, "level": "medium", "fired": [], "gaps": []}


@pytest.mark.parametrize(
    "key, value, code, says",
    [
        ("hits", 1, "E103", "'hits': expected a list of texts, found a number"),
        ("hits", True, "E103", "'hits': expected a list of texts, found a boolean"),
        ("fired", "SI-001", "E103", "'fired': expected a list of texts, found text"),
        ("gaps", [1, 2], "E103", "'gaps': expected a list of texts, found a list"),
        ("filings", "mandatory", "E103", "'filings': expected a mapping of regimes to answers, found text"),
        ("filings", {"DE": ["x"]}, "E103", "'filings': expected a mapping of regimes to answers"),
        ("score", "40", "E103", "'score': expected a number, found text"),
        ("score", True, "E103", "'score': expected a number, found a boolean"),
        ("score", float("nan"), "E106", "'score': expected a finite number, found nan"),
        ("score", float("inf"), "E106", "'score': expected a finite number, found inf"),
        # a whole number past a float's range stopped the report with an internal error (OverflowError)
        pytest.param(
            "score", 10**400, "E106", "'score': expected a finite number, found a whole number of 401 digits", id="pos"
        ),
        pytest.param(
            "score",
            -(10**400),
            "E106",
            "'score': expected a finite number, found a whole number of 401 digits",
            id="neg",
        ),
        ("level_rank", 1.5, "E103", "'level_rank': expected a whole number, found a number"),
        ("title", {"x": 1}, "E103", "'title': expected text, found a mapping"),
        ("id", [1], "E103", "'id': expected text, found a list"),
    ],
)
def test_a_results_row_of_the_wrong_kind_is_a_located_error(tmp_path, capsys, key, value, code, says):
    # each stopped the report with an internal error (a number where a list goes, NaN as a score)
    results, out = tmp_path / "r.jsonl", tmp_path / "p.html"
    line = json.dumps({**GOOD_ROW, key: value})
    results.write_text(json.dumps(GOOD_ROW) + "\n" + line + "\n", "utf-8")
    assert main(["portfolio", str(results), "-f", "html", "-o", str(out)]) == 2
    column = line.index(f'"{key}"') + 1
    assert f"{results}:2:{column}: error: {says}" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("cell", ["abc", "nan", "inf", "-inf", "1e400"])
def test_a_csv_score_that_is_not_a_finite_number_is_a_located_error(tmp_path, capsys, cell):
    results = tmp_path / "r.csv"
    results.write_text(f"id,level,score\na,low,5\nb,low,{cell}\n", "utf-8")
    assert main(["portfolio", str(results)]) == 2
    assert f"{results}:3:3: error: 'score': expected a finite number, found '{cell}' [E106 bad-value]" in (
        capsys.readouterr().err
    )


@pytest.mark.parametrize("rank", ["²", "٣", "１", "-1", "1.0", "99999999999"])
def test_a_csv_level_rank_that_is_not_a_plain_rank_is_left_out(tmp_path, capsys, rank):
    # '²' passed str.isdigit() and stopped the report with an internal error (int() refuses it)
    results, plain = tmp_path / "r.csv", tmp_path / "plain.csv"
    results.write_text(f"id,level,score,level_rank\na,low,5,{rank}\nb,high,70,3\n", "utf-8")
    plain.write_text("id,level,score,level_rank\na,low,5,\nb,high,70,3\n", "utf-8")
    assert main(["portfolio", str(results), "-f", "json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert main(["portfolio", str(plain), "-f", "json"]) == 0
    want = json.loads(capsys.readouterr().out)
    assert {k: v for k, v in got.items() if k != "file"} == {k: v for k, v in want.items() if k != "file"}


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
@pytest.mark.parametrize("missing", ["score", "level"])
def test_a_row_without_an_error_and_without_its_level_or_score_is_a_located_error(tmp_path, capsys, suffix, missing):
    # such a row (an older or hand-edited file) was counted as a case and in no level: "2 cases: 0 ... 0 low"
    results = tmp_path / f"r{suffix}"
    row = {"id": "b", "level": "low", "score": 5.0, "error": "", missing: None}
    if suffix == ".jsonl":
        results.write_text(json.dumps({**GOOD_ROW, "error": ""}) + "\n" + json.dumps(row) + "\n", "utf-8")
        where = f"{results}:2:"
    else:
        cells = {"id": "b", "level": "low", "score": "5", "error": "", missing: ""}
        results.write_text("id,level,score,error\na,low,1,\n" + ",".join(cells.values()) + "\n", "utf-8")
        where = f"{results}:3:{['id', 'level', 'score'].index(missing) + 1}:"
    assert main(["portfolio", str(results)]) == 2
    err = capsys.readouterr().err
    assert f"{where}" in err and f"error: a row without an error needs a '{missing}'" in err and "[E105" in err, err


def test_a_broken_row_needs_no_level_or_score(tmp_path, capsys):
    results = tmp_path / "r.csv"
    results.write_text("id,level,score,error\na,low,1,\nb,,,x.yaml:1:1: error: bad [E106 bad-value]\n", "utf-8")
    assert main(["portfolio", str(results), "-f", "json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert (got["cases"], got["errors"], got["levels"]["low"]) == (2, 1, 1)


def test_a_parquet_row_of_the_wrong_kind_is_an_error(tmp_path, capsys):
    import pyarrow as pa
    import pyarrow.parquet as pq

    results = tmp_path / "r.parquet"
    pq.write_table(pa.Table.from_pylist([{**GOOD_ROW, "score": float("nan")}]), results)
    assert main(["portfolio", str(results)]) == 2
    assert "'score': expected a finite number, found nan [E106 bad-value]" in capsys.readouterr().err


@pytest.mark.parametrize("target", ["/dev/zero", "/dev/urandom"])
@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet"])
def test_results_that_are_a_link_to_a_device_are_refused_unread(tmp_path, capsys, target, suffix):
    # a link to /dev/zero was read without end, to an internal error (MemoryError); found by the fuzzer, seed 1
    results = tmp_path / f"r{suffix}"
    results.symlink_to(target)
    assert main(["portfolio", str(results)]) == 2
    assert f"{results}: error: not a regular file (a character device)" in capsys.readouterr().err


@pytest.mark.parametrize("where", ["header", "row"])
def test_a_csv_cell_over_the_field_limit_is_a_located_error(tmp_path, capsys, where):
    # a cell over the csv module's limit (131,072 characters) was an internal error; found by the fuzzer, seed 1
    results, out = tmp_path / "r.csv", tmp_path / "p.html"
    big = "x" * 200_000
    text = f"id,level,{big}\na,low,1\n" if where == "header" else f"id,level,score,title\na,low,1,t\nb,low,1,{big}\n"
    results.write_text(text, "utf-8")
    assert main(["portfolio", str(results), "-f", "html", "-o", str(out)]) == 2
    line = 1 if where == "header" else 3
    err = capsys.readouterr().err
    assert f"{results}:{line}:" in err and "invalid CSV: field larger than field limit" in err, err
    assert "internal error" not in err and not out.exists()


def test_facts_that_ask_one_question_are_one_question_counted_once_a_case(tmp_path):
    # group.sector_acquisitions and group.host_sector_acquisitions ask the same question: the portfolio listed it
    # twice, each with every case, pushing other questions out of its top ten.
    results = tmp_path / "r.jsonl"
    shared = ["group.sector_acquisitions", "group.host_sector_acquisitions"]
    rows = [
        {"id": "a", "title": "A", "investor_country": "CN", "score": 40, "level": "medium", "level_rank": 2,
         "gaps": [*shared, "transaction.lease_years"]},
        {"id": "b", "title": "B", "investor_country": "CN", "score": 20, "level": "low", "level_rank": 1,
         "gaps": ["group.host_sector_acquisitions"]},
    ]  # fmt: skip
    results.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    p = read_portfolio(results)
    questions = [q for _, _, q in p.questions]
    assert len(questions) == len(set(questions)) == 2
    facts, cases, question = p.questions[0]
    assert facts == "group.host_sector_acquisitions, group.sector_acquisitions" and cases == 2
    assert question.startswith("Which firms have the investor and those who control it acquired")
    assert p.questions[1][:2] == ("transaction.lease_years", 1)


def test_the_portfolio_json_lists_each_questions_facts(tmp_path, capsys):
    results = tmp_path / "r.jsonl"
    row = {"id": "a", "title": "A", "investor_country": "CN", "score": 40, "level": "medium", "level_rank": 2,
           "gaps": ["group.sector_acquisitions", "group.host_sector_acquisitions"]}  # fmt: skip
    results.write_text(json.dumps(row) + "\n", encoding="utf-8")
    assert main(["portfolio", str(results), "-f", "json"]) == 0
    (question,) = json.loads(capsys.readouterr().out)["questions"]
    assert question["facts"] == ["group.host_sector_acquisitions", "group.sector_acquisitions"]
    assert question["cases"] == 1
