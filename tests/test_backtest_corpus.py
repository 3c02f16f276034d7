"""The backtest corpus (backtest/cases: 80 real decisions written in case format 2) loads, validates against the
tool's schema and the exported JSON Schema, and screens in every report format."""

from __future__ import annotations

import pytest

from screening.case.load import load_case
from screening.decision.engine import screen
from screening.infra.yamlio import load
from screening.report import Options, render
from tests.conftest import ROOT
from tests.test_schema_export import editor_errors

CORPUS = sorted((ROOT / "backtest" / "cases").glob("*.yaml"))


def test_the_corpus_holds_its_80_cases():
    assert len(CORPUS) == 80


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_each_case_loads_and_screens_in_every_format(path, pack):
    result = screen(load_case(path), pack)
    assert result.level in pack.scoring.names and result.filings is not None
    for fmt in ("text", "json", "markdown", "html"):
        assert render(fmt, [result], Options(width=100, color=False))


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_each_case_validates_against_the_exported_json_schema(path):
    pytest.importorskip("jsonschema")
    data, _ = load(path)
    assert editor_errors("case", data) == []
