"""The old names of the votes (``voting_before_pct`` / ``voting_after_pct``) are still read on every way a case
comes in (a YAML case, a JSON Lines batch on the quick and the full path, a mapped row, ``--set``): the same
result as the new names, and a located W380 warning; both names with different values are an error (E114)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from screening.batch.mapping import load_mapping
from screening.batch.run import Job, plan, run_batch
from screening.case.lines import read_line
from screening.case.load import load_case
from screening.cli import main
from screening.infra.errors import CODES, ScreeningError
from screening.infra.yamlio import limits, load
from tests.conftest import ROOT

OLD = ROOT / "tests" / "data" / "old-names"
FIXTURES = sorted(OLD.glob("*.yaml"))
OLD_NAME = re.compile(r"\bvoting_(after|before)_pct\b")


def renamed(text: str) -> str:
    """The text with the new names."""
    return OLD_NAME.sub(r"votes_\1_pct", text)


def twin(path: Path, tmp_path: Path) -> Path:
    """The same case written with the new names, under the same file name."""
    out = tmp_path / "new" / path.name
    out.parent.mkdir(exist_ok=True)
    out.write_text(renamed(path.read_text("utf-8")), "utf-8")
    return out


def run(capsys, *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def w380_lines(path: Path) -> list[tuple[int, int, str]]:
    """(line, column, old name) of each old name the file writes."""
    out = []
    for i, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        found = re.match(r"^(\s*(?:- )?)(voting_(?:after|before)_pct):", line)
        if found:
            out.append((i, len(found.group(1)) + 1, found.group(2)))
    return out


def test_the_codes_are_registered():
    assert CODES["W380"] == "deprecated-name" and CODES["E114"] == "conflicting-names"


def test_the_fixtures_still_write_the_old_names():
    assert FIXTURES and all(OLD_NAME.search(p.read_text("utf-8")) for p in FIXTURES)
    bundled = (ROOT / "cases" / "cosco-hamburg-tollerort.yaml").read_text("utf-8")
    assert renamed((OLD / "cosco-hamburg-tollerort.yaml").read_text("utf-8")) == bundled


# ------------------------------------------------------------------------------------------ a YAML case


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_a_yaml_case_with_the_old_names_screens_as_with_the_new(path, tmp_path, capsys):
    new = twin(path, tmp_path)
    for fmt in ("json", "text"):
        code_old, out_old, err_old = run(capsys, "screen", path, "-f", fmt, "--as-of", "2026-11-28")
        code_new, out_new, err_new = run(capsys, "screen", new, "-f", fmt, "--as-of", "2026-11-28")
        assert code_old == code_new == 0
        assert out_old.replace(str(path), str(new)) == out_new, "the same report, apart from the file's name"
        assert "W380" not in err_new
        warned = [line for line in err_old.splitlines() if "[W380 deprecated-name]" in line]
        expected = [
            f"{path}:{line}:{column}: warning: " for line, column, _ in w380_lines(path)
        ]  # located at each old name, as the file writes it
        assert len(warned) == len(expected) and all(w.startswith(e) for w, e in zip(warned, expected, strict=True))
        assert all(
            f"`{old}` is the old name of `{renamed(old)}`; rename it" in w
            for w, (*_, old) in zip(warned, w380_lines(path), strict=True)
        )
    code_old, filings_old, _ = run(capsys, "filings", path, "-f", "json")
    code_new, filings_new, _ = run(capsys, "filings", new, "-f", "json")
    assert filings_old.replace(str(path), str(new)) == filings_new


def test_the_case_keeps_its_warnings(tmp_path):
    case = load_case(OLD / "staged-consortium.yaml")
    assert [(n.code, n.severity, n.path) for n in case.notes] == [
        ("W380", "warning", ("transaction", "voting_before_pct")),
        ("W380", "warning", ("transaction", "steps", "0", "voting_after_pct")),
        ("W380", "warning", ("transaction", "steps", "1", "voting_after_pct")),
        ("W380", "warning", ("transaction", "co_investors", "0", "voting_after_pct")),
    ]
    tx = case.data["transaction"]
    assert tx["votes_before_pct"] == 0 and [s["votes_after_pct"] for s in tx["steps"]] == [20, 45]
    assert "voting_before_pct" not in tx and tx["co_investors"][0]["votes_after_pct"] == 10
    assert not load_case(twin(OLD / "staged-consortium.yaml", tmp_path)).notes


def _both(tmp_path: Path, old: object, new: object) -> Path:
    text = (OLD / "cosco-hamburg-tollerort.yaml").read_text("utf-8")
    assert "  voting_after_pct: 24.99\n" in text
    path = tmp_path / "both.yaml"
    path.write_text(
        text.replace("  voting_after_pct: 24.99\n", f"  voting_after_pct: {old}\n  votes_after_pct: {new}\n")
    )
    return path


def test_both_names_with_different_values_are_a_located_error(tmp_path, capsys):
    path = _both(tmp_path, 24.99, 30)
    code, _, err = run(capsys, "screen", path)
    assert code == 2
    (line,) = [x for x in err.splitlines() if "E114" in x]
    assert line.startswith(f"{path}:54:3: error: transaction.voting_after_pct: ")
    assert "`voting_after_pct` and `votes_after_pct` name one quantity" in line
    assert line.endswith("[E114 conflicting-names]")
    with pytest.raises(ScreeningError) as caught:
        load_case(path)
    assert [p.code for p in caught.value.problems] == ["E114"]


def test_both_names_with_the_same_value_is_the_warning_only(tmp_path, capsys):
    path = _both(tmp_path, 24.99, 24.99)
    code, out, err = run(capsys, "screen", path, "-f", "json", "--as-of", "2026-11-28")
    bundled = ROOT / "cases" / "cosco-hamburg-tollerort.yaml"
    code_new, out_new, _ = run(capsys, "screen", bundled, "-f", "json", "--as-of", "2026-11-28")
    assert code == code_new == 0 and "E114" not in err and "[W380 deprecated-name]" in err
    assert out.replace(str(path), str(bundled)) == out_new


# ------------------------------------------------------------------------------------------ a batch


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def _batch(tmp_path: Path, name: str, lines: list[str], fast: bool) -> list[dict]:
    source = tmp_path / name / "cases.jsonl"
    source.parent.mkdir(exist_ok=True)
    source.write_text("\n".join(lines) + "\n", "utf-8")
    out = source.parent / ("quick.jsonl" if fast else "full.jsonl")
    run_batch(plan(Job([source], out, force=True, fast=fast, timeout=None, as_of="2026-11-28")))
    return _rows(out)


def _line(path: Path) -> str:
    return json.dumps(load(path)[0], ensure_ascii=False, default=str)


@pytest.mark.parametrize("fast", [True, False], ids=["quick", "full"])
def test_a_json_line_with_the_old_names_gives_the_row_of_the_new(fast, tmp_path):
    old_lines = [_line(p) for p in FIXTURES]
    new_lines = [renamed(line) for line in old_lines]
    old = _batch(tmp_path, "old", old_lines, fast)
    new = _batch(tmp_path, "new", new_lines, fast)
    for a, b in zip(old, new, strict=True):
        assert a["error"] == b["error"] == ""
        assert any(
            "`voting_after_pct` is the old name of `votes_after_pct`; rename it [W380 deprecated-name]" in n
            for n in a["notes"]
        )
        assert not b["notes"]
        strip = ("source", "notes")
        assert {k: v for k, v in a.items() if k not in strip} == {k: v for k, v in b.items() if k not in strip}


def test_the_quick_path_leaves_an_old_name_to_the_full_path_with_the_same_row(tmp_path):
    line = _line(OLD / "staged-consortium.yaml")
    assert read_line(line, "x.jsonl", 1, limits()) is None  # the types know only the new names
    assert read_line(renamed(line), "x.jsonl", 1, limits()) is not None
    quick = _batch(tmp_path, "same", [line], True)
    full = _batch(tmp_path, "same", [line], False)
    assert quick == full and "[W380 deprecated-name]" in quick[0]["notes"][0]


@pytest.mark.parametrize("fast", [True, False], ids=["quick", "full"])
def test_a_json_line_with_both_names_differing_fails_its_row(fast, tmp_path):
    doc = load(OLD / "cosco-hamburg-tollerort.yaml")[0]
    doc["transaction"]["votes_after_pct"] = 30
    (row,) = _batch(tmp_path, "both", [json.dumps(doc, default=str)], fast)
    assert "[E114 conflicting-names]" in row["error"] and row["score"] is None
    assert ":1:" in row["error"]  # located on its line


MAPPING = """format: 1
id: id
fields:
  investor.name: investor
  investor.country: country
  target.name: target
  target.country: target_country
  transaction.kind: kind
  transaction.stake_after_pct: {column: stake, type: number}
"""
ROW = "id,investor,country,target,target_country,kind,stake,votes\nd1,Acme,CN,Port SA,FR,minority_stake,20,35\n"


def _mapped(tmp_path: Path, name: str, fields: str) -> tuple[list[dict], tuple[str, ...]]:
    folder = tmp_path / name
    folder.mkdir()
    mapping = folder / "mapping.yaml"
    mapping.write_text(MAPPING + fields, "utf-8")
    table = folder / "deals.csv"
    table.write_text(ROW, "utf-8")
    checked = plan(Job([table], folder / "out.jsonl", mapping=mapping, force=True, timeout=None, as_of="2026-11-28"))
    run_batch(checked)
    return _rows(folder / "out.jsonl"), checked.warnings


def test_a_mapping_field_under_its_old_name_fills_the_new_one(tmp_path):
    old, warnings = _mapped(tmp_path, "old", "  transaction.voting_after_pct: {column: votes, type: number}\n")
    new, none = _mapped(tmp_path, "new", "  transaction.votes_after_pct: {column: votes, type: number}\n")
    (warning,) = warnings
    assert warning.startswith(
        f"{tmp_path / 'old' / 'mapping.yaml'}:10:3: warning: fields.transaction.voting_after_pct: "
    )
    assert warning.endswith("`voting_after_pct` is the old name of `votes_after_pct`; rename it [W380 deprecated-name]")
    assert not none
    strip = ("source",)
    assert [{k: v for k, v in r.items() if k not in strip} for r in old] == [
        {k: v for k, v in r.items() if k not in strip} for r in new
    ]
    assert old[0]["error"] == ""
    mapping = load_mapping(tmp_path / "old" / "mapping.yaml")
    (field,) = [f for f in mapping.fields if f.column == "votes"]
    assert field.path == ("transaction", "votes_after_pct") and field.name == "transaction.voting_after_pct"


def test_a_mapping_with_both_names_is_a_located_error(tmp_path):
    path = tmp_path / "mapping.yaml"
    path.write_text(
        MAPPING
        + "  transaction.voting_after_pct: {column: votes, type: number}\n"
        + "  transaction.votes_after_pct: {column: votes, type: number}\n",
        "utf-8",
    )
    with pytest.raises(ScreeningError) as caught:
        load_mapping(path)
    (problem,) = [p for p in caught.value.problems if p.severity == "error"]
    assert (problem.code, problem.line, problem.column) == ("E114", 10, 3)


def test_check_reports_the_old_name_in_a_mapping_as_a_warning(tmp_path, capsys):
    path = tmp_path / "mapping.yaml"
    path.write_text(MAPPING + "  transaction.voting_after_pct: {column: votes, type: number}\n", "utf-8")
    code, out, _ = run(capsys, "check", path)
    assert code == 0 and "[W380 deprecated-name]" in out


# ------------------------------------------------------------------------------------------ --set


def test_set_takes_the_old_name_as_the_new_with_a_warning(capsys):
    bundled = ROOT / "cases" / "cosco-hamburg-tollerort.yaml"
    code, by_old, err = run(capsys, "screen", bundled, "-f", "json", "--set", "transaction.voting_after_pct=51")
    code2, by_new, err2 = run(capsys, "screen", bundled, "-f", "json", "--set", "transaction.votes_after_pct=51")
    assert code == code2 == 0
    assert err.strip() == (
        "--set transaction.voting_after_pct=51: warning: `voting_after_pct` is the old name of `votes_after_pct`; "
        "rename it [W380 deprecated-name]"
    )
    assert not err2
    old, new = json.loads(by_old), json.loads(by_new)
    assert old.pop("changes") == ["transaction.voting_after_pct=51"]
    new.pop("changes")
    assert old == new and "CA-004" in [f["rule"] for f in old["fires_now"]]


def test_set_changes_a_case_written_with_the_old_names(capsys):
    fixture = OLD / "cosco-hamburg-tollerort.yaml"
    bundled = ROOT / "cases" / "cosco-hamburg-tollerort.yaml"
    code, by_old, err = run(capsys, "screen", fixture, "-f", "json", "--set", "transaction.votes_after_pct=51")
    code2, by_new, _ = run(capsys, "screen", bundled, "-f", "json", "--set", "transaction.votes_after_pct=51")
    assert code == code2 == 0 and "E114" not in err and "[W380 deprecated-name]" in err
    assert json.loads(by_old)["score"] == json.loads(by_new)["score"]


def test_set_on_a_step_and_a_co_investor_under_the_old_name(capsys, tmp_path):
    fixture = OLD / "staged-consortium.yaml"
    new = twin(fixture, tmp_path)
    for path in ("transaction.steps.1.voting_after_pct=60", "transaction.co_investors.0.voting_after_pct=40"):
        code, by_old, err = run(capsys, "screen", fixture, "-f", "json", "--set", path)
        code2, by_new, _ = run(capsys, "screen", new, "-f", "json", "--set", renamed(path))
        assert code == code2 == 0 and f"--set {path}: warning: " in err
        a, b = json.loads(by_old), json.loads(by_new)
        a.pop("changes"), b.pop("changes")
        assert json.dumps(a).replace(str(fixture), str(new)) == json.dumps(b)


# ------------------------------------------------------------------------------------------ the pack's commands


def test_check_test_and_backtest_warn_and_go_on(tmp_path, capsys):
    code, out, _ = run(capsys, "check", OLD / "staged-consortium.yaml")
    assert code == 0 and out.count("[W380 deprecated-name]") == 4
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = (OLD / "cosco-hamburg-tollerort.yaml").read_text("utf-8")
    (corpus / "case.yaml").write_text(text + "outcome: {decision: cleared, date: 2022-10-26}\n", "utf-8")
    code, out, err = run(capsys, "backtest", corpus, "-f", "json")
    assert code == 0 and "[W380 deprecated-name]" in err
    assert json.loads(out)["counts"]["not_loaded"] == 0 and len(json.loads(out)["cases"]) == 1


# ------------------------------------------------------------------------------------------ a rule pack

OLD_RULE = """  - id: CA-001
    name: control.quarter
    title: The investor gets a quarter of the votes
    category: state_influence
    weight: 5
    when: {field: transaction.voting_after_pct, gte: 25}
    rationale: >
      A quarter of the votes can block a special resolution in many company laws, which gives the investor a say.
    legal_basis:
      - "EU-2019/452 Art. 4(2)(a)"
    examples:
      fires:
        - {transaction: {voting_after_pct: 30}}
      quiet:
        - {transaction: {votes_after_pct: 10}}
"""


def test_a_rule_naming_the_old_fact_reads_the_new_one_with_a_warning(tmp_path, capsys, monkeypatch):
    """A pack written before the rename keeps working: its condition and examples name the old fact, check
    warns at each (W380), test passes, and the rule fires on the votes, in screen and in a batch alike."""
    monkeypatch.setenv("SCREENING_CACHE_DIR", "")
    pack = tmp_path / "pack"
    assert main(["init", str(pack)]) == 0
    with (pack / "rules.yaml").open("a", encoding="utf-8") as out:
        out.write(OLD_RULE)
    capsys.readouterr()
    code, out, _ = run(capsys, "check", pack)
    assert code == 0 and out.count("[W380 deprecated-name]") == 2 and "error" not in out
    assert "rules.yaml:25:12: warning: CA-001: rules.1.when.field: `voting_after_pct` is the old name" in out
    code, out, _ = run(capsys, "test", pack)
    assert code == 0 and "0 failed" in out
    case = pack / "cases" / "example-state-investor.yaml"
    code, out, _ = run(capsys, "screen", case, "-r", pack, "-f", "json")
    assert code == 0 and "CA-001" in [f["rule"] for f in json.loads(out)["findings"]]
    results = tmp_path / "out.jsonl"
    run_batch(plan(Job([case], results, pack=pack, force=True, timeout=None)))
    assert "CA-001" in _rows(results)[0]["fired"]
