"""W382 unsourced: ``screening check`` names each record of a case a report may cite that no source backs."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from screening.case.load import load_case
from screening.case.sourcing import unsourced
from screening.cli import main
from screening.infra.yamlio import load

CASE = """\
id: tianhe-nordlicht
title: A fictional 30% stake in a grid-maintenance firm
investor: tianhe
entities:
  - id: tianhe
    name: Tianhe Power Investment Ltd
    country: HK
    kind: private_company
    sources: [registry]
  - id: huabei
    name: Huabei Grid Corporation
    country: CN
    kind: soe
  - id: sasac
    name: SASAC
    country: CN
    kind: state_body
  - id: sister
    name: A sister company
    country: CN
    kind: private_company
ownership:
  - {owner: huabei, owned: tianhe, equity_pct: 100, sources: [registry]}
  - {owner: sasac, owned: huabei, equity_pct: 100}
target:
  name: Nordlicht Netzservice GmbH
  country: DE
  sectors: [energy]
  critical_infrastructure:
    - kind: power_grid
      name: Substations
      role: service_provider
transaction:
  kind: minority_stake
  stake_after_pct: 30
  sources: [press]
sources:
  - {id: registry, title: Companies Registry extract}
  - {id: press, title: A press report}
"""


def _warnings(path: Path) -> list[tuple[int | None, str]]:
    _, marks = load(path)
    return [(p.line, p.path[:3] and ".".join(p.path)) for p in unsourced(load_case(path), marks)]


def test_each_record_a_report_may_cite_without_a_source_is_named_at_its_line(tmp_path):
    path = tmp_path / "case.yaml"
    path.write_text(CASE, "utf-8")
    found = _warnings(path)
    # the SOE above the investor, the edge from the state body, the target and its grid; not the state body
    # itself, not the sister company no rule reads, not the sourced investor, edge and transaction
    assert [p for _, p in found] == ["entities.1", "ownership.1", "target", "target.critical_infrastructure.0"]
    lines = CASE.splitlines()
    assert [lines[line - 1].strip()[:12] for line, _ in found] == [
        "- id: huabei",
        "- {owner: sa",
        "target:",
        "- kind: powe",
    ]


def test_a_block_a_long_form_or_the_records_own_sources_back_it(tmp_path):
    doc = yaml.safe_load(CASE)
    doc["target"]["sources"] = ["press"]  # the target's sources back its records
    doc["entities"][1]["country"] = {"value": "CN", "sources": ["registry"]}  # one of its facts is sourced
    doc["ownership"][1]["sources"] = ["registry"]
    path = tmp_path / "case.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), "utf-8")
    assert _warnings(path) == []


def test_a_listing_without_a_source_under_an_unsourced_entity_is_named_too(tmp_path):
    doc = yaml.safe_load(CASE)
    doc["target"]["sources"] = ["press"]
    doc["ownership"][1]["sources"] = ["registry"]
    doc["entities"][1]["listings"] = [{"list": "us_entity_list"}, {"list": "us_ns_cmic", "sources": ["press"]}]
    path = tmp_path / "case.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), "utf-8")
    assert [p for _, p in _warnings(path)] == ["entities.1", "entities.1.listings.0"]


def test_check_warns_and_screen_does_not(tmp_path, capsys):
    path = tmp_path / "case.yaml"
    path.write_text(CASE, "utf-8")
    code = main(["check", str(path)])
    out, err = capsys.readouterr()
    said = out + err
    assert code == 0 and said.count("[W382 unsourced]") == 4
    grid = "target.critical_infrastructure.0: target.critical_infrastructure 1 (Substations)"
    assert f"{path}:30:7: warning: {grid}" in said
    assert main(["check", str(path), "--severity", "warning"]) == 1
    capsys.readouterr()
    main(["screen", str(path)])
    assert "W382" not in "".join(capsys.readouterr())


@pytest.mark.parametrize("folder", ["cases", "backtest/cases"])
def test_the_bundled_cases_back_every_record_they_give(folder):
    root = Path(__file__).parent.parent / folder
    for path in sorted(root.glob("*.yaml")):
        assert _warnings(path) == [], path
