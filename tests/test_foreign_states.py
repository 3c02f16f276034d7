"""The foreign states' aggregate interest in the investor (FATR s.17(1)(b)(ii)): summed over every state but
the target's, a lower bound while the group is not known, and worked out again in a regime's view."""

from __future__ import annotations

import pytest

from screening.case import territory
from screening.case.facts import build_facts, derive_foreign_states
from screening.case.load import build_case
from screening.case.values import AtLeast, PartialList

DONE = {"owners_complete": True}


def case(owners, target, investor_extra=DONE):
    """A UK fund held by state bodies ``owners`` ({id: (country, stake)}) directly."""
    entities = [{"id": "fund", "name": "Fund", "kind": "fund", "country": "GB", **investor_extra}]
    entities += [{"id": i, "name": i.upper(), "kind": "state_body", "country": c} for i, (c, _) in owners.items()]
    edges = [{"owner": i, "owned": "fund", "equity_pct": pct, "voting_pct": pct} for i, (_, pct) in owners.items()]
    data = {"format": 1, "id": "t", "title": "T", "investor": "fund", "entities": entities, "ownership": edges}
    return build_case({**data, "target": target}, {}, "t.yaml")


def test_the_sum_runs_over_every_state_but_the_targets():
    c = case({"no": ("NO", 15), "sg": ("SG", 15), "ae": ("AE", 10), "au": ("AU", 30)}, {"name": "T", "country": "AU"})
    values = build_facts(c).values
    assert values["ownership.foreign_states_equity_pct"] == pytest.approx(40)
    assert values["ownership.foreign_states_voting_pct"] == pytest.approx(40)
    assert values["ownership.state_voting_pct"] == pytest.approx(30)  # the highest one state holds: Australia's


def test_no_state_is_zero_and_an_open_group_a_lower_bound():
    assert build_facts(case({}, {"name": "T", "country": "AU"})).values["ownership.foreign_states_equity_pct"] == 0
    open_group = case({"no": ("NO", 25)}, {"name": "T", "country": "AU"}, {"owners_complete": False})
    found = build_facts(open_group).values["ownership.foreign_states_equity_pct"]
    assert isinstance(found, AtLeast) and found == pytest.approx(25)


def test_a_regime_seeing_the_target_through_a_part_abroad_counts_the_targets_own_state():
    target = {"name": "T", "country": "DE", "parts": [{"name": "T Pty", "kind": "subsidiary", "country": "AU"}]}
    values = build_facts(case({"de": ("DE", 30), "no": ("NO", 15)}, target)).values
    assert values["ownership.foreign_states_equity_pct"] == pytest.approx(15)  # from Germany: Norway alone
    seen, via = territory.view(values, {"AU"})
    assert via and seen["ownership.foreign_states_equity_pct"] == pytest.approx(45)  # from Australia: both


def test_a_fragment_gets_the_sum_unless_it_gives_it():
    rows = [{"state": "NO", "equity_pct": 20, "voting_pct": 20}, {"state": "SG", "equity_pct": 20, "voting_pct": 5}]
    derived = derive_foreign_states({"ownership.states": rows, "target.country": "AU"})
    assert derived["ownership.foreign_states_equity_pct"] == 40 and derived["ownership.foreign_states_voting_pct"] == 25
    given = {"ownership.states": rows, "target.country": "AU", "ownership.foreign_states_equity_pct": 1}
    assert derive_foreign_states(given)["ownership.foreign_states_equity_pct"] == 1
    partial = territory.foreign_states(PartialList(rows), "AU")
    assert isinstance(partial["ownership.foreign_states_equity_pct"], AtLeast)
