"""Who controls the investor, where the chain stops short: a controller the case names is the ultimate one only
if its own owners are stated. A US buyout vehicle whose named controller (a US fund manager) has owners the
case does not give is not shown to be a US person: CFIUS's test of a foreign person (one controlled from abroad)
is open, and the tool asks, rather than answering "out of scope"."""

from __future__ import annotations

from pathlib import Path

import pytest

from screening.api import screen_files
from screening.case.values import PartialList

CASE = """\
format: 2
id: us-vehicle
title: A US buyout vehicle buys a US chipmaker
as_of: 2017-01-01
investor: vehicle
entities:
  - {id: vehicle, name: Vehicle Inc., country: US, kind: private_company, owners_complete: true,
     listings: [], state_links: [], conduct: []}
  - {id: fund, name: Fund I LP, country: US, kind: fund, owners_complete: true}
  - {id: manager, name: Fund Manager LLC, country: US, kind: fund, owners_complete: MANAGER}
ownership:
  - {owner: fund, owned: vehicle, equity_pct: 100}
  - {owner: manager, owned: fund, role: general_partner}
target:
  name: Chipmaker Corp.
  country: US
  sectors: [semiconductors]
  critical_technologies: []
  critical_infrastructure: []
  data: []
transaction:
  kind: acquisition
  signing_date: 2016-11-03
  stake_before_pct: 0
  stake_after_pct: 100
  votes_after_pct: 100
  control: sole
"""


def us(tmp_path: Path, manager_complete: bool):
    path = tmp_path / "case.yaml"
    path.write_text(CASE.replace("MANAGER", str(manager_complete).lower()), "utf-8")
    (result,) = screen_files([path])
    (decision,) = [d for d in result.filings.decisions if d.regime.id == "US"]
    return result, decision


def test_a_named_controller_whose_owners_are_not_stated_leaves_the_foreign_person_test_open(tmp_path):
    result, decision = us(tmp_path, manager_complete=False)
    assert isinstance(result.facts.values["ownership.ultimate_controllers"], PartialList)
    assert decision.outcome == "undetermined"
    asked = {f for q in decision.questions for f in q.facts}
    assert any(f.startswith(("ownership", "group")) for f in asked), asked


def test_a_chain_stated_to_its_top_in_the_us_is_out_of_scope(tmp_path):
    result, decision = us(tmp_path, manager_complete=True)
    controllers = result.facts.values["ownership.ultimate_controllers"]
    assert not isinstance(controllers, PartialList)
    assert [c["id"] for c in controllers] == ["manager"]
    assert decision.outcome == "out_of_scope"


@pytest.mark.parametrize("country", ["CN", "DE"])
def test_a_foreign_controller_named_at_the_top_decides_it_whatever_is_missing_above(tmp_path, country):
    path = tmp_path / "case.yaml"
    named = "{id: manager, name: Fund Manager LLC, country: " + country
    path.write_text(
        CASE.replace("MANAGER", "false").replace("{id: manager, name: Fund Manager LLC, country: US", named)
    )
    (result,) = screen_files([path])
    (decision,) = [d for d in result.filings.decisions if d.regime.id == "US"]
    assert decision.outcome == "voluntary"
