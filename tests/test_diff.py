"""`screening diff` on every kind of pack change, in every format, and the CLI's last-resort error handler."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from screening.cli import main
from tests.conftest import ROOT, add_pins

RULES = str(ROOT / "rules")
FORMATS = ["text", "json", "markdown"]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def new(tmp_path, monkeypatch) -> Path:
    """A copy of the default pack, with the tests of the example cases, beside a copy of the example cases, so
    its tests find their cases."""
    monkeypatch.setenv("SCREENING_CACHE_DIR", "")
    shutil.copytree(ROOT / "cases", tmp_path / "cases")
    return add_pins(Path(shutil.copytree(ROOT / "rules", tmp_path / "rules")))


def edit(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    """Rewrite a rule or regime file through ``change(document)`` (comments are not kept: tests only)."""
    doc = yaml.safe_load(path.read_text("utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), "utf-8")


def rule(doc, rid):  # type: ignore[no-untyped-def]
    return next(r for r in doc["rules"] if r["id"] == rid)


def add_rule(doc):  # type: ignore[no-untyped-def]
    added = dict(rule(doc, "SI-003"), id="SI-900", name="state_influence.added_for_test", title="An added rule")
    doc["rules"].append(added)


def remove_rule(doc):  # type: ignore[no-untyped-def]
    doc["rules"].remove(rule(doc, "SI-003"))


def rename_rule(doc):  # type: ignore[no-untyped-def]
    rule(doc, "SI-003")["id"] = "SI-901"


def change_rule(doc):  # type: ignore[no-untyped-def]
    rule(doc, "SI-003")["weight"] = 30


CHANGES = {
    "rule added": ("state_influence.yaml", add_rule, [("SI-900", "added")], {"SI-900"}, set()),
    "rule removed": ("state_influence.yaml", remove_rule, [("SI-003", "removed")], set(), {"SI-003"}),
    "rule renamed": (
        "state_influence.yaml",
        rename_rule,
        [("SI-003", "removed"), ("SI-901", "added")],
        {"SI-901"},
        {"SI-003"},
    ),
    "rule changed": ("state_influence.yaml", change_rule, [("SI-003", "changed")], set(), set()),
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", CHANGES)
def test_diff_of_each_rule_change_in_each_format(capsys, new, kind, fmt):
    file, change, rules, fires_now, no_longer = CHANGES[kind]
    if kind == "rule renamed":  # the pack's regression tests name the old id: keep them loadable
        for test_file in (new / "tests").glob("*.yaml"):
            test_file.write_text(test_file.read_text("utf-8").replace("SI-003", "SI-901"), "utf-8")
    edit(new / file, change)
    code, out, err = run(capsys, "diff", RULES, str(new), "--format", fmt)
    assert code == 0, err
    assert "Traceback" not in out + err
    doc = json.loads(run(capsys, "diff", RULES, str(new), "--format", "json")[1])
    assert [(r["rule"], r["change"]) for r in doc["rules"]] == rules
    inside = len(list((ROOT / "rules" / "tests" / "cases").glob("*.yaml")))  # the pack's own test cases
    assert doc["cases_not_screened"] == [] and doc["cases_screened"] == 13 + inside  # and the 13 example cases
    alibaba = next(c for c in doc["cases_changed"] if c["case"] == "alibaba-liege")  # SI-003 fires on it
    assert set(alibaba["fires_now"]) == fires_now and set(alibaba["no_longer_fires"]) == no_longer
    for rid, what in rules:
        assert rid in out and what in out
    if kind == "rule added":
        assert "An added rule" in out  # the title of an added rule is shown
    if kind == "rule changed":
        assert "weight 8 → 30" in out


def add_trigger(doc):  # type: ignore[no-untyped-def]
    first = doc["rules"][0]
    doc["rules"].append(dict(first, id="BE-900", title="An added trigger"))


def remove_trigger(doc):  # type: ignore[no-untyped-def]
    doc["rules"] = [t for t in doc["rules"] if t["id"] != "BE-002"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "change, expected", [(add_trigger, ("BE-900", "added")), (remove_trigger, ("BE-002", "removed"))]
)
def test_diff_of_triggers_added_and_removed_in_each_format(capsys, new, change, expected, fmt):
    edit(new / "regimes" / "be.yaml", change)
    # a removed trigger is named by the pack's filing tests: drop those tests, or the pack would not load them
    tests = new / "tests" / "regimes.yaml"
    doc = yaml.safe_load(tests.read_text("utf-8"))
    doc["tests"] = [t for t in doc["tests"] if "BE-002" not in json.dumps(t, default=str)]
    tests.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), "utf-8")
    code, out, err = run(capsys, "diff", RULES, str(new), "--format", fmt)
    assert code == 0, err
    assert "Traceback" not in out + err
    assert expected[0] in out and expected[1] in out
    doc = json.loads(run(capsys, "diff", RULES, str(new), "--format", "json")[1])
    assert (expected[0], expected[1]) in [(r["rule"], r["change"]) for r in doc["rules"]]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_pack_whose_test_cases_are_missing_warns_and_fails_on_change(capsys, tmp_path, monkeypatch, fmt):
    monkeypatch.setenv("SCREENING_CACHE_DIR", "")
    new = add_pins(Path(shutil.copytree(ROOT / "rules", tmp_path / "copied" / "rules")))  # no cases beside it
    shutil.rmtree(new / "tests" / "cases")  # nor the pack's own
    code, out, err = run(capsys, "diff", RULES, str(new), "--format", fmt)
    assert code == 0
    assert "example-cases.yaml:5:5: warning: tests.0.case: case file not found" in err
    assert "names no case that could be screened" in err
    assert "could not be loaded and were not screened" in out or '"cases_not_screened"' in out
    code, out, err = run(capsys, "diff", RULES, str(new), "--format", fmt, "--fail-on-change")
    assert code == 1
    if fmt == "json":
        named = [
            t
            for d in (ROOT / "rules" / "tests", ROOT / "tests" / "pack")
            for f in d.glob("*.yaml")
            for t in yaml.safe_load(f.read_text())["tests"]
        ]
        assert len(json.loads(out)["cases_not_screened"]) == sum("case" in t for t in named)


def test_an_unexpected_error_is_one_line_and_exit_3(capsys, monkeypatch):
    import screening.report.diff

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise TypeError("sequence item 0: expected str instance")

    monkeypatch.setattr(screening.report.diff, "render", broken)
    monkeypatch.delenv("SCREENING_TRACEBACK", raising=False)
    code, out, err = run(capsys, "diff", RULES, RULES, str(ROOT / "cases" / "alibaba-liege.yaml"))
    assert code == 3
    assert "Traceback" not in err
    (line,) = err.splitlines()
    assert line.startswith("screening: internal error: TypeError: sequence item 0: expected str instance at ")
    assert "please report it" in line and f"(screening {screening.__version__})" in line  # the version
    monkeypatch.setenv("SCREENING_TRACEBACK", "1")
    code, out, err = run(capsys, "diff", RULES, RULES, str(ROOT / "cases" / "alibaba-liege.yaml"))
    assert code == 3 and "Traceback (most recent call last)" in err


def test_the_console_script_exits_3_on_an_internal_error(tmp_path):
    """Through a real process: the exit status, and no traceback."""
    import subprocess
    import sys

    code = (
        "import screening.report.diff, sys\n"
        "screening.report.diff.render = lambda *a: 1 / 0\n"
        "from screening.cli import run\n"
        f"sys.argv = ['screening', 'diff', {RULES!r}, {RULES!r}, {str(ROOT / 'cases' / 'alibaba-liege.yaml')!r}]\n"
        "run()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PATH": "", "SCREENING_CACHE_DIR": str(tmp_path)},
    )
    assert done.returncode == 3
    assert "internal error: ZeroDivisionError" in done.stderr and "Traceback" not in done.stderr
