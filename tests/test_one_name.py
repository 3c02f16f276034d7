"""One name for the votes after the deal: rules, reports, `--set` and case files all say `votes_after_pct`
(`transaction.votes_after_pct`: the votes, else the stake: one share, one vote). The old name of the case
field, `voting_after_pct`, is still read with a warning (tests/test_old_names.py); it is written only where
that is explained, and in the fixtures that prove it."""

from __future__ import annotations

import re

from tests.conftest import ROOT

OLD = re.compile(r"\bvoting_(?:after|before)_pct\b")
EXPLAINS = ("W380", "E114", "old name", "Formerly", "formerly")
"""A paragraph that writes an old name says that it is one."""
PLACES = ("rules", "cases", "backtest", "examples", "screening", "docs", "scripts", "bench")


def _paragraphs(text: str) -> list[str]:
    return re.split(r"\n\s*\n", text)


def test_the_old_names_are_written_only_where_they_are_explained():
    files = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", ROOT / "ARCHITECTURE.md"]
    for place in PLACES:
        files += [p for p in (ROOT / place).rglob("*") if p.suffix in (".yaml", ".yml", ".md", ".py", ".json")]
    names = ROOT / "screening" / "case" / "names.py"  # the table of old names itself
    found = [
        f"{p.relative_to(ROOT)}: {OLD.search(block).group()}"
        for p in files
        if p.is_file() and p != names
        for block in _paragraphs(p.read_text("utf-8"))
        if OLD.search(block) and not any(word in block for word in EXPLAINS)
    ]
    assert not found


def test_the_case_schema_and_the_catalogue_know_the_new_names_only():
    from screening.case.catalogue import case_schema, catalogue

    text = (ROOT / "screening" / "schema" / "case.schema.json").read_text("utf-8")
    assert '"votes_after_pct": {' in text and '"voting_after_pct": {' not in text
    assert not [name for name in catalogue() if OLD.search(name)]
    assert "votes_before_pct" in case_schema()["properties"]["transaction"]["properties"]
