"""Australia's tracing of interests (FATA s.19): what each foreign government holds in the investor as the Act
counts it, worked out from the case's ownership edges.

A person who holds a substantial interest (20% of the votes or of the shares) in a higher entity is taken to
hold the whole interest that entity holds in a lower one, applied again at every level (s.19(1)-(2)). Tracing is
not multiplication: a government holding 50% of a company that holds 30% of the investor holds 30% of it, not
15%; a government holding 19% of that company holds none of it through the company. The interests a government
holds directly and by tracing are added. A state body, state-owned enterprise or sovereign fund is read as its
country's government (a separate government entity, FATR s.17(1); an entity a foreign government investor
holds 20% of is itself one, s.17(1)(e), as the pack reads it, not read here), and so is a state's stated share of an entity whose owners are not
itemised. Associates (FATA s.6) are not known to the case and not counted: the figure is the Act's count without
them, a lower bound of it.
"""

from __future__ import annotations

from typing import Any

from screening.case.model import STATE_KINDS, Case, group_complete, group_of, state_id, state_of
from screening.case.values import BOUNDS, AtLeast, ends

SUBSTANTIAL_PCT = 20.0
"""A substantial interest (FATA s.4): 20% of the votes or of the shares, with which the higher entity's
interests are traced to the holder (s.19(1))."""
HOME = "AU"
"""Australia's own government is no foreign government."""


def traced_government_pct(case: Case) -> float | None:
    """The largest interest one foreign government holds in the investor by FATA s.19 tracing (the higher of its
    votes and its shares): exact when the group is documented up to its ultimate owners and every stake in it is
    a number; otherwise an ``AtLeast`` when what is known already reaches 20%, and None (unknown) when it does
    not."""
    traced = traced_by_state(case)
    top = max(traced.values(), default=0.0)
    if _exact(case):
        return top
    return AtLeast(top) if top >= SUBSTANTIAL_PCT else None


def traced_by_state(case: Case) -> dict[str, float]:
    """Each foreign government's traced interest in the investor (its stakes at their lower ends; a stake not
    given counts as none), by country."""
    group = group_of(case)
    members = {e.id for e, _ in group}
    links = _links(case, members)
    holders: dict[str, set[str]] = {}
    for entity, _ in group:
        if entity.kind in STATE_KINDS and entity.country and entity.country != HOME:
            holders.setdefault(entity.country, set()).add(entity.id)
    for owner, _, _, _ in links:
        state = state_of(owner)
        if state is not None and state != HOME:
            holders.setdefault(state, set()).add(owner)
    return {state: _traced(case.investor_id, own, links) for state, own in sorted(holders.items())}


def _traced(investor: str, government: set[str], links: list[tuple[str, str, float, float]]) -> float:
    """The government's interest in the investor: its own holdings and those of every entity it holds a
    substantial interest in, to a fixed point (interests only grow, and are capped at 100%)."""
    equity: dict[str, float] = {}
    votes: dict[str, float] = {}
    for _ in range(len(links) + 1):
        new_equity: dict[str, float] = {}
        new_votes: dict[str, float] = {}
        for owner, owned, eq, vt in links:
            if owned in government:
                continue
            if owner in government or max(equity.get(owner, 0.0), votes.get(owner, 0.0)) >= SUBSTANTIAL_PCT:
                new_equity[owned] = min(100.0, new_equity.get(owned, 0.0) + eq)
                new_votes[owned] = min(100.0, new_votes.get(owned, 0.0) + vt)
        if new_equity == equity and new_votes == votes:
            break
        equity, votes = new_equity, new_votes
    if investor in government:
        return 100.0
    return max(equity.get(investor, 0.0), votes.get(investor, 0.0))


def _links(case: Case, members: set[str]) -> list[tuple[str, str, float, float]]:
    """(owner, owned, equity, votes) of every holding in the group, at their lower ends, with a state's stated
    share of an entity whose owners are not itemised (as screening.case.ownership reads it)."""
    out = []
    for e in case.ownership:
        if e.owned in members:
            votes = e.voting_pct if e.voting_pct is not None else e.equity_pct
            out.append((e.owner, e.owned, _low(e.equity_pct), _low(votes)))
    itemised = {owned for _, owned, _, _ in out}
    for eid in sorted(members - itemised):
        entity = case.entities[eid]
        pct = entity.state_ownership_pct
        if pct and entity.country and entity.kind != "state_body":
            out.append((state_id(entity.country), eid, _low(pct), _low(pct)))
    return out


def _low(pct: Any) -> float:
    if pct is None:
        return 0.0
    low = ends(pct).low
    return 0.0 if low is None else float(low)


def _exact(case: Case) -> bool:
    """Whether every stake of the group is known as a number and the group is documented to its top."""
    group = group_of(case)
    if group_complete(group) is not True:
        return False
    members = {e.id for e, _ in group}
    for e in case.ownership:
        if e.owned in members:
            stakes = (e.equity_pct, e.voting_pct)
            if all(s is None for s in stakes) or any(isinstance(s, BOUNDS) for s in stakes):
                return False
    return all(not isinstance(e.state_ownership_pct, BOUNDS) for e, _ in group)
