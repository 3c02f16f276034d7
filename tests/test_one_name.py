"""One name for the votes after the deal: rules, reports and docs say `transaction.votes_after_pct` (the votes,
else the stake: one share, one vote), the name `filings` prints and `--set` takes; a case file writes the votes
it knows in `voting_after_pct` (the case format and batch mappings name that field: docs/case-format.md,
docs/batch.md)."""

from __future__ import annotations

import re

from tests.conftest import ROOT

INPUT_DOCS = {"case-format.md", "batch.md"}
OLD = re.compile(r"transaction\.voting_(?:after|before)_pct")


def test_rules_and_reports_read_the_name_the_reports_print():
    places = [*(ROOT / "rules").rglob("*.yaml"), *(ROOT / "screening" / "report").glob("*.py")]
    places += [ROOT / "README.md", *(p for p in (ROOT / "docs").glob("*.md") if p.name not in INPUT_DOCS)]
    found = [f"{p.relative_to(ROOT)}: {m.group()}" for p in places for m in OLD.finditer(p.read_text("utf-8"))]
    assert not found
