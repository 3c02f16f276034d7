"""What an analyst, a rule author and a newcomer meet on a case of their own (tests/data/walk): each answer
that a walk through the tool found wanting, held here."""

from __future__ import annotations

import json

from screening.api import screen_files
from screening.report import render
from tests.conftest import ROOT

DEAL = ROOT / "tests" / "data" / "walk" / "sovereign-fund-optics.yaml"


def _evidence(rule: str) -> list[dict]:
    (result,) = screen_files([DEAL])
    doc = json.loads(render("json", [result]))
    return [e for f in doc["findings"] if f["rule"] == rule for e in f["evidence"]]


def test_a_state_entity_is_cited_by_its_own_record():
    """SI-001 reads the investor (a sovereign fund: the deal memo says so), SI-002 the ministry above it (the
    registry extract says so): each finding cites the record its value came from, not nothing."""
    (first,) = [e for e in _evidence("SI-001") if e["fact"] == "ownership.state_entities"]
    assert first["value"][0]["id"] == "fund" and first["sources"] == ["memo"]
    (above,) = [e for e in _evidence("SI-002") if e["fact"] == "ownership.state_entities"]
    assert above["value"][0]["id"] == "ministry" and above["sources"] == ["registry"]


def test_a_states_holding_is_cited_by_the_records_it_was_worked_out_from():
    """SI-004, SI-005 and SI-014 read a state's holding (ownership.state_holders), worked out from the state's
    bodies and the edges to the investor: the ministry's record and the 100% edge (both the registry), and,
    for a share stated on the fund itself (PIF), the fund's own record; never nothing."""
    for rule in ("SI-004", "SI-005", "SI-014"):
        (held,) = [e for e in _evidence(rule) if e["fact"] == "ownership.state_holders"]
        assert held["sources"] == ["registry"], rule
    (result,) = screen_files([ROOT / "cases" / "pif-heathrow.yaml"])
    doc = json.loads(render("json", [result]))
    cited = [e["sources"] for f in doc["findings"] for e in f["evidence"] if e["fact"] == "ownership.state_holders"]
    assert cited and all(s == ["zawya-reuters-2024", "globalbizmag-2024"] for s in cited)


def test_what_if_text_wraps_to_the_width_with_hanging_indents(capsys, monkeypatch):
    """The README's what-if, on a case of one's own, at 80 columns: every line fits, a wrapped line goes on
    two columns further in than its first."""
    from screening.cli import main

    monkeypatch.setenv("COLUMNS", "80")
    argv = ["screen", str(DEAL), "--set", "transaction.stake_after_pct=9.9", "--set", "mitigations+=data_localisation"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80
    first = lines.index("  why these did not move:") + 1
    assert lines[first].startswith("    CA-002 still fires: ") and lines[first + 1].startswith("      ")
    assert "still holds" in out and "the record added does not give binding: true" in " ".join(out.split())


def test_the_pack_of_pyproject_is_named_as_the_author_wrote_it(tmp_path, monkeypatch, capsys):
    """`screening check` run where pyproject.toml names the pack prints `pack/rules.yaml:LINE:COL`, as ruff
    does, not the absolute path of the file."""
    import shutil

    from screening.cli import main

    monkeypatch.setenv("SCREENING_CACHE_DIR", "")
    shutil.copytree(ROOT / "rules", tmp_path / "pack", ignore=shutil.ignore_patterns("tests"))
    (tmp_path / "pyproject.toml").write_text('[tool.screening]\npack = "pack"\n', "utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--select", "W302"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("pack/") and str(tmp_path) not in out


def test_diff_says_a_rule_renamed_with_its_former_id_is_renamed(tmp_path, capsys):
    """A pull request that gives a rule a new id and keeps the old one in `aliases` is a rename: not a rule
    removed and one added, and no case "no longer fires" the old id while it "fires now" the new."""
    import shutil

    from screening.cli import main

    new = tmp_path / "new"
    shutil.copytree(ROOT / "rules", new)
    path = new / "state_influence.yaml"
    text = path.read_text("utf-8")
    assert text.count("  - id: SI-003\n") == 1
    path.write_text(text.replace("  - id: SI-003\n", "  - id: SI-903\n    aliases: [SI-003]\n"), "utf-8")
    for test_file in (new / "tests").glob("*.yaml"):
        test_file.write_text(test_file.read_text("utf-8").replace("SI-003", "SI-903"), "utf-8")
    for fmt in ("text", "markdown", "json"):
        assert main(["diff", str(ROOT / "rules"), str(new), "--format", fmt]) == 0
        out = capsys.readouterr().out
        if fmt == "json":
            doc = json.loads(out)
            assert [(r["rule"], r["change"]) for r in doc["rules"]] == [("SI-903", "renamed")]
            assert doc["cases_changed"] == []
        else:
            assert "SI-903" in out and "was SI-003" in out and "1 renamed" in out


def test_check_reads_a_case_from_standard_input():
    """`-` is standard input for check too, as for screen and filings (an editor pipes its buffer); an old
    field name on it is located there."""
    import subprocess
    import sys

    command = [sys.executable, "-m", "screening", "check", "-"]
    done = subprocess.run(command, input=DEAL.read_bytes(), capture_output=True, cwd=ROOT, check=False)
    assert done.returncode == 0 and done.stdout.strip() == b"no problems in 1 file", done.stderr
    old = (ROOT / "tests" / "data" / "old-names" / "staged-consortium.yaml").read_bytes()
    done = subprocess.run(command, input=old, capture_output=True, cwd=ROOT, check=False)
    assert done.returncode == 0 and done.stdout.count(b"/dev/stdin:") == 4 and b"[W380 deprecated-name]" in done.stdout
