"""Golden files for every format on every example case.

Regenerate after an intended change with:  UPDATE_GOLDEN=1 python -m pytest tests/test_reports.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from screening.api import screen_files
from screening.report import FORMATS, Options, render
from tests.conftest import CASES, ROOT

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
EXT = {"text": "txt", "json": "json", "markdown": "md", "html": "html"}


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch):
    monkeypatch.chdir(ROOT)  # reports name case files relative to the repository


def check(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden file {path.name}: run UPDATE_GOLDEN=1 pytest {__file__}"
    assert text == path.read_text(encoding="utf-8")


def test_every_format_has_a_golden_extension():
    assert set(FORMATS) == set(EXT)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("case", CASES, ids=[p.stem for p in CASES])
def test_golden(case, fmt):
    results = screen_files([Path("cases") / case.name])
    check(f"{case.stem}.{EXT[fmt]}", render(fmt, results, Options(width=100, color=False)))


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_golden_comparison_of_all_cases(fmt):
    results = screen_files([Path("cases") / c.name for c in CASES])
    check(f"all-cases.{EXT[fmt]}", render(fmt, results, Options(width=100, color=False)))


def test_json_structure_is_documented_and_stable():
    (result,) = screen_files([Path("cases/alibaba-liege.yaml")])
    doc = json.loads(render("json", [result]))
    assert list(doc)[:4] == ["schema_version", "tool", "case", "rule_pack"]
    for key in ("score", "level", "categories", "findings", "gaps", "math", "ownership", "sources"):
        assert key in doc
    assert 0 <= doc["score"] <= 100 and doc["level"] in ("low", "medium", "high", "critical")
    assert doc["rule_pack"]["digest"].startswith("sha256:")
    for f in doc["findings"]:
        assert {"rule", "category", "points", "evidence", "legal_basis"} <= set(f)
    assert sum(c["score"] for c in doc["categories"] if c["cap"] is not None) == doc["math"]["subtotal"]


def test_colour_output_has_ansi_and_plain_has_none():
    results = screen_files([Path("cases/alibaba-liege.yaml")])
    assert "\x1b[" in render("text", results, Options(width=100, color=True))
    assert "\x1b[" not in render("text", results, Options(width=100, color=False))


@pytest.mark.parametrize("width", [80, 100, 140])
def test_text_report_fits_the_terminal_width(width):
    results = screen_files([Path("cases") / c.name for c in CASES])
    text = render("text", results, Options(width=width, color=False))
    too_long = [line for line in text.splitlines() if len(line) > width]
    assert not too_long
    for result in results:  # nothing is lost to wrapping: every finding and gap question is there
        for f in result.findings:
            assert f"{f.rule.id}  " in text
        for g in result.gaps:
            assert " ".join(g.question.split()[:3]) in " ".join(text.split())


def test_colour_adds_styles_and_nothing_else():
    import re

    results = screen_files([Path("cases/alibaba-liege.yaml")])
    plain = render("text", results, Options(width=100, color=False))
    coloured = render("text", results, Options(width=100, color=True))
    assert "\x1b[" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


def test_explain_gives_every_rule_with_the_value_of_each_test():
    results = screen_files([Path("cases/alibaba-liege.yaml")])
    doc = json.loads(render("json", results, Options(explain=True)))
    result = results[0]
    assert [e["rule"] for e in doc["explain"]] == [r.id for r in result.pack.rules]
    fired = {f.rule.id for f in result.findings + result.mitigations}
    assert {e["rule"] for e in doc["explain"] if e["outcome"] == "fired"} == fired
    assert {e["rule"] for e in doc["explain"] if e["outcome"] == "undecided"} == set(result.undecided)
    si003 = next(e for e in doc["explain"] if e["rule"] == "SI-003")
    leaves = []

    def walk(node):
        if "fact" in node:
            leaves.append(node)
        for key in ("all", "any", "not"):
            for child in node.get(key, ()):
                walk(child)

    walk(si003["condition"])
    attached = next(leaf for leaf in leaves if leaf["fact"] == "ownership.attached")
    assert attached["value"] is True and "CN" in json.dumps(attached["actual"])
    assert "explain" not in json.loads(render("json", results, Options()))


def test_golden_explanation():
    results = screen_files([Path("cases/alibaba-liege.yaml")])
    check("alibaba-liege.explain.txt", render("text", results, Options(width=100, color=False, explain=True)))
