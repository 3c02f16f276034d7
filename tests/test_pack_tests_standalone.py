"""The default pack is whole on its own: its tests name nothing outside it; the tests of the example cases
live beside it, in tests/pack/, and run with `screening test rules/ --tests tests/pack`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml

from screening.cli import main
from tests.conftest import PINS, ROOT

RULES = ROOT / "rules"


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_packs_own_tests_name_no_file_outside_it():
    for path in (RULES / "tests").glob("*.yaml"):
        for test in yaml.safe_load(path.read_text("utf-8"))["tests"]:
            if "case" in test:
                assert (path.parent / test["case"]).resolve().is_relative_to(RULES.resolve()), (path.name, test)


def test_a_copy_of_the_pack_alone_passes_its_tests_with_full_coverage(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("SCREENING_CACHE_DIR", "")
    copy = Path(shutil.copytree(RULES, tmp_path / "elsewhere" / "my-rules"))  # no cases/ anywhere near it
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "test", copy, "--min-coverage", "100", "-f", "json")
    assert code == 0, out + err
    doc = json.loads(out)
    assert doc["coverage"]["percent"] == 100.0
    assert all(t["passed"] for t in doc["tests"]) and "warning" not in err


def test_the_example_cases_are_pinned_beside_the_pack(capsys):
    code, out, err = run(capsys, "test", RULES, "--tests", PINS, "-f", "json")
    assert code == 0, out + err
    cases = [t for t in json.loads(out)["tests"] if t["kind"] == "case" and t["file"].startswith(str(PINS))]
    assert len(cases) >= 20 and all(t["passed"] for t in cases)
    pinned = {Path(t["case"]).name for f in PINS.glob("*.yaml") for t in yaml.safe_load(f.read_text())["tests"]}
    assert pinned == {p.name for p in (ROOT / "cases").glob("*.yaml")}  # every example case is pinned


def test_a_failing_pin_fails_the_run_and_names_its_file(capsys, tmp_path):
    pins = tmp_path / "pins"
    pins.mkdir()
    text = (PINS / "example-cases.yaml").read_text("utf-8").replace("../../cases/", str(ROOT / "cases") + "/")
    first_level = text.index("level: ") + len("level: ")
    (pins / "cases.yaml").write_text(text[:first_level] + "low  # wrong" + text[text.index("\n", first_level) :])
    code, out, _ = run(capsys, "test", RULES, "--tests", pins / "cases.yaml", "--root", ROOT)
    assert code == 1 and str(pins / "cases.yaml") in out


def test_cases_of_tests_files_are_confined_to_the_directory_holding_the_pack(capsys, tmp_path):
    pins = tmp_path / "pins.yaml"
    outside = tmp_path / "case.yaml"
    shutil.copy(ROOT / "cases" / "benign-nordic-bakery.yaml", outside)
    pins.write_text("format: 1\ntests:\n  - case: case.yaml\n    expect: {level: low}\n")
    code, _, err = run(capsys, "test", RULES, "--tests", pins)
    assert code == 2 and "E003" in err and "--root DIR widens the root" in err
    code, out, err = run(capsys, "test", RULES, "--tests", pins, "--root", tmp_path)
    assert code == 0, out + err


def test_diff_screens_the_cases_of_tests_files(capsys):
    code, out, err = run(capsys, "diff", RULES, RULES, "--tests", PINS, "-f", "json")
    assert code == 0, err
    doc = json.loads(out)
    named = [*(ROOT / "cases").glob("*.yaml"), *(ROOT / "rules" / "tests" / "cases").glob("*.yaml")]
    assert doc["cases_screened"] == len(named) and doc["cases_not_screened"] == []
