"""Mitigations by status: only a commitment that stands (accepted, imposed, or given without a status) earns
credit; one offered and not yet accepted, rejected or withdrawn earns none, on every day."""

from __future__ import annotations

from pathlib import Path

import pytest

from screening.api import screen_files
from screening.case.dated import on_day
from screening.case.facts import DOC, build_facts
from screening.case.load import load_case

CASES = Path(__file__).parent.parent / "cases"

CASE = """format: 2
id: mitigation-status
title: A commitment in each of its states
investor: buyer
entities:
  - id: buyer
    name: Buyer Co
    country: CN
    kind: private_company
    owners_complete: true
target: {name: Datenhaus GmbH, country: DE, sectors: [software], data: [{category: health, subjects: 2000000}]}
transaction: {kind: acquisition, stake_before_pct: 0, stake_after_pct: 60, signing_date: 2020-03-01}
mitigations:
  - {kind: ring_fencing, binding: true, status: rejected}
  - {kind: data_localisation, binding: true, sources: [s1]MORE}
sources:
  - {id: s1, title: A source, url: "https://example.org/a"}
"""

STANDS = {None: True, "accepted": True, "imposed": True, "offered": False, "rejected": False, "withdrawn": False}


def _case(tmp_path: Path, status: str | None, dated: bool) -> Path:
    more = (f", status: {status}" if status else "") + (", agreed: 2019-05-02" if dated else "")
    path = tmp_path / "c.yaml"
    path.write_text(CASE.replace("MORE", more), "utf-8")
    return path


@pytest.mark.parametrize("dated", [False, True], ids=["undated", "dated"])
@pytest.mark.parametrize("status", list(STANDS), ids=[str(s) for s in STANDS])
def test_only_a_commitment_that_stands_earns_credit(tmp_path, status, dated):
    [result] = screen_files([_case(tmp_path, status, dated)])
    fired = {f.rule.id for f in result.mitigations}
    assert ("MI-001" in fired) is STANDS[status]
    assert "MI-002" not in fired  # the rejected ring-fencing never counts
    assert "MI-001" not in result.undecided and "MI-002" not in result.undecided  # known, not a gap
    credit = sum(c.credit for c in result.categories)
    assert (credit > 0) is STANDS[status]


@pytest.mark.parametrize("status", ["offered", "rejected", "withdrawn"])
def test_a_commitment_that_does_not_stand_earns_nothing_even_when_possibly_in_force(tmp_path, status):
    path = tmp_path / "c.yaml"
    path.write_text(CASE.replace("MORE", f", status: {status}, agreed: 2020"), "utf-8")
    [result] = screen_files([path])
    assert "MI-001" not in {f.rule.id for f in result.mitigations}
    assert "MI-001" not in result.undecided  # left out before its dates are read: false, not unknown


def test_a_commitment_kept_keeps_its_place_in_the_case_for_its_sources(tmp_path):
    case = load_case(_case(tmp_path, "accepted", dated=False))
    view = on_day(case, "2020-03-01", "2020-03-01")
    [kept] = build_facts(view).values["mitigations"]
    assert kept["kind"] == "data_localisation"
    assert kept[DOC] == ("mitigations", "1")  # its place in the document, after the rejected one left out


def test_letterone_upp_rejected_ring_fencing_earns_no_credit():
    [result] = screen_files([CASES / "letterone-upp.yaml"])
    assert "MI-002" not in {f.rule.id for f in result.mitigations}
    assert "MI-002" not in result.undecided
