"""Australia's tracing of interests (FATA s.19): what each foreign government holds in the investor as the Act
counts it, worked out from the case's ownership edges.

A person who holds a substantial interest (20% of the votes or of the shares) in a higher entity is taken to
hold the whole interest that entity holds in a lower one, applied again at every level (s.19(1)-(2)). Tracing is
not multiplication: a government holding 50% of a company that holds 30% of the investor holds 30% of it, not
15%; a government holding 19% of that company holds none of it through the company. The interests a government
holds directly and by tracing are added. A state body, state-owned enterprise or sovereign fund is read as its
country's government (a separate government entity, FATR s.17(1)(a)), and so is a state's stated share of an
entity whose owners are not itemised. An entity in which a foreign government investor holds a substantial
interest is itself one (FATR s.17(1)(e)): through one government that is the tracing above; an entity that
is one only because the governments of several countries hold 40% of it together is traced as a foreign
government investor of its own. Associates (FATA s.6) stated by the case (an entity's ``au_associates``, either
side) hold with the government: their interests are added to its own, and tracing runs through an entity the
two hold 20% of together. Associates not stated are not counted: the figure is then a lower bound of the
Act's count, and ``associates_stated`` says whether it is.

From 1 January 2021 (FATR s.17(2)) a person is not a foreign government investor if it would be one only
through the aggregate test (s.17(1)(b)(ii), (c)(ii), (d)(ii)) or through s.17(1)(e) "to the extent that it
relates to any of those subparagraphs", and it operates a passive scheme in which each government holds only
as a member. The section speaks of any person, so it reaches an entity of the chain as well as the investor:
with ``passive=True`` an entity traced as a foreign government investor only through the aggregate test is
not one when the case says it is such a fund (its ``au_passive_fund``), and when the case does not say, the
figure spans both readings (an ``Interval``, so that the answer is asked where it turns on the fund).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from screening.case.model import STATE_KINDS, Case, complete_of, group_of, state_id, state_of
from screening.case.values import BOUNDS, AtLeast, Interval, least

SUBSTANTIAL_PCT = 20.0
"""A substantial interest (FATA s.4): 20% of the votes or of the shares, with which the higher entity's
interests are traced to the holder (s.19(1))."""
AGGREGATE_PCT = 40.0
"""An aggregate substantial interest (FATA s.4): 40%, held by the governments of more than one foreign country
together (FATR s.17(1)(b)(ii))."""
HOME = "AU"
"""Australia's own government is no foreign government."""


Link = tuple[str, str, float, float]
"""(owner, owned, equity, votes) of one holding, at its lower ends."""


class Figures(NamedTuple):
    """The traced figures of one case (see ``figures``)."""

    government: float | Interval | None
    aggregate: float | Interval | None
    government_2021: float | Interval | None
    aggregate_2021: float | Interval | None
    associates_stated: bool


def figures(case: Case) -> Figures:
    """``traced_government_pct`` and ``traced_aggregate_pct`` of the case, without and with ``passive``, and
    ``associates_stated``, worked out together so that each reading of the group is traced once."""
    cache: dict[frozenset[str], Persons] = {}
    exact = _exact(case)
    base = cache[frozenset()] = _persons(case)
    if not base.persons:  # no foreign government in the group (most cases): it holds none of the investor
        none = 0.0 if exact else None
        return Figures(none, none, none, none, True)
    if not base.found:  # no entity is one only through the aggregate test: the passive funds change nothing
        government = traced_government_pct(case, cache=cache, exact=exact)
        aggregate = traced_aggregate_pct(case, cache=cache, exact=exact)
        return Figures(government, aggregate, government, aggregate, associates_stated(case, base))
    return Figures(
        traced_government_pct(case, cache=cache, exact=exact),
        traced_aggregate_pct(case, cache=cache, exact=exact),
        traced_government_pct(case, passive=True, cache=cache, exact=exact),
        traced_aggregate_pct(case, passive=True, cache=cache, exact=exact),
        associates_stated(case, cache[frozenset()]),
    )


def traced_government_pct(
    case: Case,
    passive: bool = False,
    cache: dict[frozenset[str], Persons] | None = None,
    exact: bool | None = None,
) -> float | Interval | None:
    """The largest interest one foreign government investor holds in the investor by FATA s.19 tracing (the
    higher of its votes and its shares): exact when the group is documented up to its ultimate owners and every
    stake in it is a number; otherwise an ``AtLeast`` when what is known already reaches 20%, and None
    (unknown) when it does not. ``passive``: with the exception of FATR s.17(2) applied to the entities of the
    chain (from 1 January 2021; see the module's text). ``cache``: the readings already traced; ``exact``:
    ``_exact(case)`` when already known."""
    lower, higher = _readings(case, passive, cache)
    low = max(_by_state(case, lower).values(), default=0.0)
    high = low if higher is lower else max(_by_state(case, higher).values(), default=0.0)  # one reading: traced once
    return _figure(case, low, high, SUBSTANTIAL_PCT, exact)


def traced_aggregate_pct(
    case: Case,
    passive: bool = False,
    cache: dict[frozenset[str], Persons] | None = None,
    exact: bool | None = None,
) -> float | Interval | None:
    """The aggregate interest the foreign government investors of more than one foreign country hold in the
    investor together (FATR s.17(1)(b)(ii)), each traced as FATA s.19 does: every holding into the investor by
    a government's body, or by an entity in which a foreign government investor holds a substantial interest,
    counted once; nothing when all of it comes from one. Exact as for ``traced_government_pct``; otherwise an
    ``AtLeast`` when what is known already reaches 40%, and None (unknown) when it does not. ``passive``,
    ``cache`` and ``exact`` as for ``traced_government_pct``."""
    lower, higher = _readings(case, passive, cache)
    low = _aggregate(case.investor_id, lower.persons, lower.traced, _into(lower.links))
    high = low if higher is lower else _aggregate(case.investor_id, higher.persons, higher.traced, _into(higher.links))
    return _figure(case, low, high, AGGREGATE_PCT, exact)


def _readings(case: Case, passive: bool, cache: dict[frozenset[str], Persons] | None) -> tuple[Persons, Persons]:
    """The group traced in the reading giving the lower figure and in the one giving the higher: one reading
    without ``passive``; with it, the entities the case says are passive funds (FATR s.17(2)) are no foreign
    government investors, and in the lower reading neither are those it says nothing of (the same reading
    when none of them is one only through the aggregate test)."""
    cache = {} if cache is None else cache

    def traced(excepted: frozenset[str]) -> Persons:
        if excepted not in cache:
            cache[excepted] = _persons(case, excepted)
        return cache[excepted]

    base = traced(frozenset())
    if not passive or not base.found:  # nothing traced through the aggregate test: nothing to except
        return base, base
    rows = case.data.get("entities") or ()
    said = frozenset(row["id"] for row in rows if row.get("au_passive_fund") is True)
    unsaid = frozenset(row["id"] for row in rows if row.get("au_passive_fund") is None)
    high = traced(said) if said & base.found else base
    low = traced(said | unsaid) if unsaid & high.found else high
    return low, high


def _figure(case: Case, low: float, high: float, limit: float, exact: bool | None) -> float | Interval | None:
    """The traced figure from its two readings (equal unless an entity's passive-fund fact is missing)."""
    if _exact(case) if exact is None else exact:
        return high if low == high else Interval(low, high)
    if low == high:
        return AtLeast(high) if high >= limit else None
    return AtLeast(low) if low >= limit else None


def traced_by_state(case: Case, excepted: frozenset[str] = frozenset()) -> dict[str, float]:
    """Each foreign government investor's traced interest in the investor (its stakes at their lower ends; a
    stake not given counts as none): a foreign government with its bodies, by country, and an entity of the
    group that is one only through the aggregate test (FATR s.17(1)(b)(ii), 40% held by the governments of
    several countries), by its id, which the governments' tracing alone does not reach (s.17(1)(e)); none of
    ``excepted`` is one (the passive funds of FATR s.17(2))."""
    return _by_state(case, _persons(case, excepted))


def _by_state(case: Case, reading: Persons) -> dict[str, float]:
    """``traced_by_state`` of one reading of the group."""
    out = {}
    for label, own in sorted(reading.persons.items()):
        out[label] = 100.0 if case.investor_id in own else reading.traced[label].get(case.investor_id, 0.0)
    return out


class Persons(NamedTuple):
    """The foreign government investors of a group as FATA s.19 and FATR s.17 count them."""

    persons: dict[str, set[str]]
    """Each foreign government investor: a government with its bodies (by country) or an entity that is one only
    through the aggregate test (by its id), with the ids that hold for it (its stated associates included)."""
    traced: dict[str, dict[str, float]]
    """What each holds in every entity by tracing."""
    links: list[Link]
    """The group's holdings."""
    found: frozenset[str]
    """The entities that are foreign government investors only through the aggregate test."""


def _persons(case: Case, excepted: frozenset[str] = frozenset()) -> Persons:
    """The foreign government investors of the group (each government with its bodies, by country, and each
    entity that is one only through the aggregate test, by its id, unless it is ``excepted``), what each holds
    in every entity by tracing, and the group's holdings."""
    group = group_of(case)
    members = {e.id for e, _ in group}
    links = _links(case, members)
    persons: dict[str, set[str]] = {}
    for entity, _ in group:
        if entity.kind in STATE_KINDS and entity.country and entity.country != HOME:
            persons.setdefault(entity.country, set()).add(entity.id)
    for owner, _, _, _ in links:
        state = state_of(owner)
        if state is not None and state != HOME:
            persons.setdefault(state, set()).add(owner)
    associates = _associates(case)

    def with_associates(own: set[str]) -> set[str]:
        # FATA s.6: a person holds an interest together with its associates (the investor's own shares are
        # not an interest of anyone in it)
        if not associates:  # none stated (most cases)
            return set(own)
        return own | (set().union(*(associates.get(eid, set()) for eid in own)) - {case.investor_id})

    persons = {label: with_associates(own) for label, own in persons.items()}
    if not persons:  # no foreign government anywhere in the group: nothing to trace
        return Persons({}, {}, links, frozenset())
    into = _into(links)
    aggregate_only: set[str] = set()  # the holdings into each entity, so the aggregate test reads only those
    while True:
        traced = {label: _traced(own, links) for label, own in persons.items()}
        held = set().union(*persons.values())
        found = {
            eid
            for eid in members - held - excepted - {case.investor_id}
            if max((t.get(eid, 0.0) for t in traced.values()), default=0.0) < SUBSTANTIAL_PCT
            and _aggregate(eid, persons, traced, into) >= AGGREGATE_PCT
        }
        if not found:
            break
        aggregate_only |= found
        persons.update({eid: with_associates({eid}) for eid in found})
    return Persons(persons, traced, links, frozenset(aggregate_only))


def associates_stated(case: Case, reading: Persons | None = None) -> bool:
    """Whether the case states the associates (FATA s.6, ``au_associates``, an empty list saying none) of
    every foreign government body of the group and of every entity traced as a foreign government investor of
    its own; a state's share given only as a figure (no entity) has none stated. Vacuously true with none.
    ``reading``: the group already traced (s.17(1) alone)."""
    persons = (reading or _persons(case)).persons
    if not persons:
        return True
    stated = {row.get("id") for row in case.data.get("entities") or () if row.get("au_associates") is not None}
    required = set()
    for label, own in persons.items():
        for eid in own:
            entity = case.entities.get(eid)
            if entity is None or eid == label or (entity.kind in STATE_KINDS and entity.country not in (None, HOME)):
                required.add(eid)
    return required <= stated


def _associates(case: Case) -> dict[str, set[str]]:
    """Each entity's stated associates (``au_associates``), both ways."""
    out: dict[str, set[str]] = {}
    for row in case.data.get("entities") or ():
        for other in row.get("au_associates") or ():
            if other != row.get("id"):
                out.setdefault(row["id"], set()).add(other)
                out.setdefault(other, set()).add(row["id"])
    return out


def _traced(government: set[str], links: list[Link]) -> dict[str, float]:
    """What the government (or a foreign government investor) holds in each entity: its own holdings and those
    of every entity it holds a substantial interest in, to a fixed point (interests only grow, capped at 100%);
    the higher of votes and shares."""
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
    return {eid: max(equity.get(eid, 0.0), votes.get(eid, 0.0)) for eid in equity.keys() | votes.keys()}


def _into(links: list[Link]) -> dict[str, list[Link]]:
    """The holdings into each entity, by its id."""
    out: dict[str, list[Link]] = {}
    for link in links:
        out.setdefault(link[1], []).append(link)
    return out


def _aggregate(
    eid: str, persons: dict[str, set[str]], traced: dict[str, dict[str, float]], into: dict[str, list[Link]]
) -> float:
    """The interest foreign government investors of more than one person hold in ``eid`` together (``into``:
    the holdings into each entity), each holding into it counted once: a holding by a government's body, or by
    an entity a government holds a substantial interest in; nothing when all of it comes from one."""
    equity = votes = 0.0
    whose: set[str] = set()
    for owner, _, eq, vt in into.get(eid, ()):
        by = {label for label, own in persons.items() if owner in own}
        by |= {label for label, t in traced.items() if t.get(owner, 0.0) >= SUBSTANTIAL_PCT}
        if by:
            equity, votes = equity + eq, votes + vt
            whose |= by
    return min(100.0, max(equity, votes)) if len(whose) > 1 else 0.0


def _links(case: Case, members: set[str]) -> list[Link]:
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
    low = least(pct)  # None too, and a bound without a lower end: nothing known, so 0
    return 0.0 if low is None else low


def _exact(case: Case) -> bool:
    """Whether every stake of the group is known as a number and the group is documented to its top."""
    group = group_of(case)
    if complete_of(case) is not True:
        return False
    members = {e.id for e, _ in group}
    for e in case.ownership:
        if e.owned in members:
            stakes = (e.equity_pct, e.voting_pct)
            if all(s is None for s in stakes) or any(isinstance(s, BOUNDS) for s in stakes):
                return False
    return all(not isinstance(e.state_ownership_pct, BOUNDS) for e, _ in group)
